package feasibility

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
	"github.com/lamcap/lamcap/theory"
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
	// AtLower and AtUpper are the certified verdicts at Lower and Upper.
	AtLower, AtUpper *Verdict
	Solves           int
	Undecided        int // undecided verdicts met on the way
	Iterations       int
	Seconds          float64
	Note             string
}

// ThresholdOptions tune FindThreshold.
type ThresholdOptions struct {
	LP  lp.Options
	Eps float64
	// Start is the first p tried. Zero means a start from theory: StartGuess(d)
	// for warm searches (a little below the capacity, so that the search mostly
	// grows a warm model upwards), the prediction itself for bracketing ones.
	Start int
	// OnVerdict, if set, is called after each verdict of the search with its p:
	// for progress reports on long searches.
	OnVerdict func(p int, v Verdict)
}

// StartGuess is where a warm threshold search starts without better
// information: 97% of the finite-size prediction (Prior). The measured median
// critical size of Gaussian instances sits within about 3% of it for d = 6..20
// with a spread of a few percent (docs/validation.md), so the search usually
// starts storable and grows a warm model upwards a few steps; starting above p*
// costs a cold solve.
func StartGuess(d int) int {
	return max(2, int(0.97*PriorFor(d*d).PC))
}

// Prior is what theory says about the critical size before any solve, for n
// unknowns (d^2 for one layer).
type Prior struct {
	// PC is the finite-size prediction p_c (theory.CriticalP at kappa = 0).
	PC float64
	// Width is the assumed spread of p* around PC: priorWidth of PC, at least 1.
	Width float64
	// Slope is dp_c/dkappa at kappa = 0 (negative of it, in associations per unit
	// kappa): how far above p an instance with margin kappa* at p is expected
	// to stay storable.
	Slope float64
}

// priorWidth is the relative spread of per-instance p* assumed by the search (the
// measured interquartile spread is 2-4% at d = 8..32).
const priorWidth = 0.03

// priorKappa is the kappa step of the finite difference giving Prior.Slope.
const priorKappa = 0.05

var priors sync.Map // n -> Prior

// PriorFor returns the prior for n unknowns, computed once per n. If the theory
// cannot be evaluated it falls back to the root of p log p = n.
func PriorFor(n int) Prior {
	if v, ok := priors.Load(n); ok {
		return v.(Prior)
	}
	pr := Prior{}
	pc, err := theory.CriticalP(float64(n), 0)
	if err != nil || !(pc >= 2) {
		pc = math.Max(2, theory.AsymptoticP(2*float64(n))) // the root of p log p = n
	}
	pr.PC = pc
	pr.Width = math.Max(1, priorWidth*pc)
	pr.Slope = pc / 2 // a rough fallback: kappa = 1 halves the capacity
	if pk, err := theory.CriticalP(float64(n), priorKappa); err == nil && pk < pc {
		pr.Slope = (pc - pk) / priorKappa
	}
	priors.Store(n, pr)
	return pr
}

// unknowns is the number of trainable weights of a source's memory: d^2, or
// what the source says (two-layer networks).
func unknowns(src model.Source) int {
	if u, ok := src.(interface{ Unknowns() int }); ok {
		return u.Unknowns()
	}
	return src.Dim() * src.Dim()
}

// FindThreshold finds p* for the instances of src, by the search that suits the
// solver opt.LP.Method resolves to: a warm search that grows one instance (the
// simplex and HiGHS re-solve from the previous basis), or, for the
// interior-point method, which cannot warm start, a bracketing search that
// needs few verdicts (searchBracket).
func FindThreshold(ctx context.Context, src model.Source, opt ThresholdOptions) (Threshold, error) {
	if opt.LP.Method.For(src.Dim(), opt.LP.Rows) == lp.MethodIPM {
		return searchBracket(ctx, src, opt)
	}
	return searchGrowing(ctx, src, opt)
}

// searchGrowing finds p* for the instances of src. From Start it steps down, with
// fresh solvers and doubling steps, until a prefix is certified storable; then it
// grows that instance and its HiGHS model upwards one association at a time:
// growing p only adds rows (and, with lifted rows, the new association's
// variables), so each re-solve starts from the previous basis. It stops at the
// first certified not-storable prefix. An undecided verdict on the way stops the
// search and is reported, never guessed past.
func searchGrowing(ctx context.Context, src model.Source, opt ThresholdOptions) (Threshold, error) {
	t0 := time.Now()
	if opt.Eps == 0 {
		opt.Eps = DefaultEps
	}
	p := opt.Start
	if p < 2 {
		p = max(2, int(0.97*PriorFor(unknowns(src)).PC))
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
		if err == nil && opt.OnVerdict != nil {
			opt.OnVerdict(s.Instance().P, v)
		}
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
			th.Lower, th.AtLower = p, ptr(v)
			break
		}
		th.Upper, th.AtUpper = p, ptr(v)
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
			th.Lower, th.AtLower = p, ptr(v)
		case NotStorable:
			th.Upper, th.AtUpper = p, ptr(v)
		default:
			return done(fmt.Sprintf("undecided at p=%d: %s", p, v.Note))
		}
	}
	th.PStar, th.Certified = th.Lower, true
	return done("")
}

func ptr(v Verdict) *Verdict { return &v }

// Solvers names the solvers whose certificates pin the threshold: the one of
// the storable verdict at Lower and the one of the not-storable verdict at
// Upper, joined by "+" when they differ ("" when neither is there).
func (th Threshold) Solvers() string {
	var a, b lp.Method
	if th.AtLower != nil {
		a = th.AtLower.Solver
	}
	if th.AtUpper != nil {
		b = th.AtUpper.Solver
	}
	switch {
	case a == "" || a == b:
		return string(b)
	case b == "":
		return string(a)
	}
	return string(a) + "+" + string(b)
}
