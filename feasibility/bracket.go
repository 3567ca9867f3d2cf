package feasibility

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// bracketReach bounds how far one step of searchBracket may jump past the
// largest storable p, in prior widths.
const bracketReach = 4

// bracketBisect is the bracket width (upper minus lower) at and below which the
// search bisects: with at most three candidates left, two sign-only verdicts
// settle p*, and extrapolating kappa* (d = 128, seed 1: 1855 -> 1858 -> 1857 ->
// 1856) can take three.
const bracketBisect = 4

// searchBracket finds p* with cold verdicts only, for solvers that cannot warm
// start. It keeps the bracket lo < p* + 1 <= hi (lo certified storable, hi
// certified not storable) and picks each next p from the size of t*:
//
//   - it starts at the finite-size prediction (Prior.PC), or opt.Start;
//   - a storable verdict carries kappa*, the optimal margin in unit-variance
//     normalisation, which falls to zero at p*; the next p is where kappa*
//     extrapolates to zero: along the secant of the last two storable points,
//     or, with one, along theory's slope dp_c/dkappa (Prior.Slope);
//   - a not-storable verdict carries no size (t* = 0). Right after one, the
//     secant is not trusted (kappa* falls faster near p* than further below,
//     so a secant through distant points overshoots) and theory's slope is
//     used; after two in a row the search bisects the bracket, and before any
//     storable verdict it steps down by doubling multiples of the prior width.
//
// Not-storable verdicts stop at the first certified iterate, storable ones once
// t* is known to lp.SizedGap (lp.StopSized), enough for kappa*; once the bracket
// is at most bracketBisect wide the search bisects it, and storable verdicts too
// stop at the first certified iterate (lp.StopVerdict). Each verdict shrinks the bracket,
// so the search ends; a typical p* takes three to five verdicts. An undecided
// verdict stops the search and is reported, never guessed past.
func searchBracket(ctx context.Context, src model.Source, opt ThresholdOptions) (Threshold, error) {
	t0 := time.Now()
	if opt.Eps == 0 {
		opt.Eps = DefaultEps
	}
	opt.LP.Eps = opt.Eps
	if opt.LP.Stop == lp.StopOptimal {
		opt.LP.Stop = lp.StopSized
	}
	sized := opt.LP.Stop
	pr := PriorFor(unknowns(src))
	maxP := src.MaxP()
	th := Threshold{PStar: -1}
	done := func(note string) (Threshold, error) {
		th.Note = note
		th.Seconds = time.Since(t0).Seconds()
		return th, nil
	}
	next := opt.Start
	if next < 2 {
		next = int(math.Round(pr.PC))
	}
	type point struct {
		p     int
		kappa float64
	}
	var storable []point // in the order found
	step := int(math.Ceil(pr.Width))
	lastSide, sameSide := Undecided, 0
	for {
		next = max(next, 2)
		if maxP > 0 {
			next = min(next, maxP)
		}
		in, err := model.NewInstance(src, next)
		if err != nil {
			return th, err
		}
		lpo := opt.LP
		if bisecting(th) {
			lpo.Stop = lp.StopVerdict // the bisection needs the sign of t*, not its size
		} else {
			lpo.Stop = sized
		}
		v, err := Decide(ctx, lp.NewSolver(in, lpo), opt.Eps)
		th.Solves++
		th.Iterations += v.Iterations
		if err != nil {
			return th, err
		}
		if opt.OnVerdict != nil {
			opt.OnVerdict(next, v)
		}
		switch v.Status {
		case Undecided:
			th.Undecided++
			return done(fmt.Sprintf("undecided at p=%d: %s", next, v.Note))
		case Storable:
			th.Lower, th.AtLower = next, ptr(v)
			storable = append(storable, point{next, v.WCheck.Kappa})
		case NotStorable:
			th.Upper, th.AtUpper = next, ptr(v)
		}
		if v.Status == lastSide {
			sameSide++
		} else {
			lastSide, sameSide = v.Status, 1
		}
		if th.Upper == 2 && v.Status == NotStorable { // p = 1 has no constraints: always storable
			th.PStar, th.Lower, th.Certified = 1, 1, true
			return done("")
		}
		if th.Lower > 0 && th.Upper == th.Lower+1 {
			break
		}
		if maxP > 0 && th.Lower == maxP {
			return done(fmt.Sprintf("every prefix up to the %d associations the source holds is storable", maxP))
		}
		switch {
		case th.Lower == 0: // no storable prefix yet: step down, doubling
			next = th.Upper - step
			step *= 2
		case bisecting(th) || th.Upper > 0 && lastSide == NotStorable && sameSide >= 2:
			next = (th.Lower + th.Upper) / 2
		default:
			slope := pr.Slope
			if k := len(storable); k >= 2 && lastSide == Storable {
				a, b := storable[k-2], storable[k-1]
				if a.p != b.p && a.kappa != b.kappa {
					if s := float64(b.p-a.p) / (a.kappa - b.kappa); s > slope/4 && s < slope*4 {
						slope = s
					}
				}
			}
			lo := storable[len(storable)-1]
			z := float64(lo.p) + slope*lo.kappa // where kappa* extrapolates to zero
			next = int(math.Floor(z))
			next = min(next, th.Lower+int(math.Ceil(bracketReach*pr.Width)))
		}
		next = max(next, th.Lower+1)
		if th.Upper > 0 {
			next = min(next, th.Upper-1)
		}
	}
	th.PStar, th.Certified = th.Lower, true
	return done("")
}

// bisecting reports whether the bracket of th is narrow enough (bracketBisect)
// for searchBracket to bisect it whatever the verdicts say.
func bisecting(th Threshold) bool {
	return th.Lower > 0 && th.Upper > 0 && th.Upper-th.Lower <= bracketBisect
}
