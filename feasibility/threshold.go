package feasibility

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// Threshold is the critical size of one nested instance family: p* is the largest
// storable prefix. It is certified when p* carries a certified storable verdict and
// p*+1 a certified not-storable one; nesting makes storability monotone in p, so
// the two certificates pin p* exactly.
type Threshold struct {
	PStar     int // -1 when undecided
	Certified bool
	// Lower is the largest p with a certified storable verdict (0: none), Upper the
	// smallest p with a certified not-storable verdict (0: none).
	Lower, Upper int
	// Storable and NotStorable are the verdicts at Lower and Upper.
	Storable, NotStorable *Verdict
	Solves                int
	Undecided             int // undecided verdicts met on the way
	Iterations            int
	Seconds               float64
	Note                  string
}

// ThresholdOptions tune FindThreshold.
type ThresholdOptions struct {
	LP  lp.Options
	Eps float64
	// Start is the first p tried. Zero means StartGuess(d): a little below the
	// capacity, so that the search mostly grows a warm model upwards.
	Start int
}

// StartGuess is where a threshold search starts without better information: 97%
// of the root of p log p = d^2. The measured median critical size of Gaussian
// instances sits at that root within about 3% for d = 6..32 with a spread of a
// few percent (docs/validation.md), so the search usually starts storable and
// grows a warm model upwards a few steps; starting above p* costs a cold solve.
func StartGuess(d int) int {
	target := float64(d * d)
	p := 2.0
	for i := 0; i < 100; i++ { // Newton on f(p) = p log p - d^2
		p -= (p*math.Log(p) - target) / (math.Log(p) + 1)
		if p < 2 {
			p = 2
		}
	}
	g := int(0.97 * p)
	if g < 2 {
		g = 2
	}
	return g
}

// FindThreshold finds p* for the instances of src. From Start it steps down, with
// fresh solvers and doubling steps, until a prefix is certified storable; then it
// grows that instance and its HiGHS model upwards one association at a time:
// growing p only adds rows (and, with lifted rows, the new association's
// variables), so each re-solve starts from the previous basis. It stops at the
// first certified not-storable prefix. An undecided verdict on the way stops the
// search and is reported, never guessed past.
func FindThreshold(ctx context.Context, src model.Source, opt ThresholdOptions) (Threshold, error) {
	t0 := time.Now()
	if opt.Eps == 0 {
		opt.Eps = DefaultEps
	}
	p := opt.Start
	if p < 2 {
		p = StartGuess(src.Dim())
	}
	if max := src.MaxP(); max > 0 && p > max {
		p = max
	}
	if p < 2 {
		p = 2
	}
	th := Threshold{PStar: -1}
	done := func(note string) (Threshold, error) {
		th.Note = note
		th.Seconds = time.Since(t0).Seconds()
		return th, nil
	}
	decideAt := func(s lp.Solver) (Verdict, error) {
		v, err := Decide(ctx, s, opt.Eps)
		th.Solves++
		th.Iterations += v.Iterations
		if v.Status == Undecided {
			th.Undecided++
		}
		return v, err
	}
	var in *model.Instance
	var solver lp.Solver
	step := 1
	for {
		var err error
		if in, err = model.NewInstance(src, p); err != nil {
			return th, err
		}
		solver = lp.NewSolver(in, opt.LP)
		v, err := decideAt(solver)
		if err != nil {
			return th, err
		}
		if v.Status == Undecided {
			return done(fmt.Sprintf("undecided at p=%d: %s", p, v.Note))
		}
		if v.Status == Storable {
			th.Lower, th.Storable = p, ptr(v)
			break
		}
		th.Upper, th.NotStorable = p, ptr(v)
		if p == 2 { // p = 1 has no constraints: always storable
			th.PStar, th.Lower, th.Certified = 1, 1, true
			return done("")
		}
		p -= step
		if p < 2 {
			p = 2
		}
		step *= 2
	}
	// Grow upwards with the warm model until the first not-storable prefix.
	for th.Upper != th.Lower+1 {
		if max := src.MaxP(); max > 0 && p == max {
			return done(fmt.Sprintf("every prefix up to the %d associations the source holds is storable", max))
		}
		p++
		if err := in.Grow(p); err != nil {
			return th, err
		}
		v, err := decideAt(solver)
		if err != nil {
			return th, err
		}
		switch v.Status {
		case Storable:
			th.Lower, th.Storable = p, ptr(v)
		case NotStorable:
			th.Upper, th.NotStorable = p, ptr(v)
		default:
			return done(fmt.Sprintf("undecided at p=%d: %s", p, v.Note))
		}
	}
	th.PStar, th.Certified = th.Lower, true
	return done("")
}

func ptr(v Verdict) *Verdict { return &v }
