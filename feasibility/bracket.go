package feasibility

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// bracketFloor is the weight of the uniform part of the search's belief
// about p* (see nextInBracket), relative to the prior's: it keeps the search a
// bisection where the prior is wrong (another embedding, user data) instead of
// creeping into the prior's tail.
const bracketFloor = 0.02

// searchBracket finds p* with cold verdicts, for solvers that cannot grow an
// instance warm. With a solver that can stop at the sign (lp.Capabilities.SignOnly)
// every verdict stops at the first certified iterate (lp.StopVerdict): the search needs the sign of t*, never its size, and near
// the threshold a size costs the interior-point method two to three times the
// iterations of a sign. It keeps the bracket lo < p* + 1 <= hi (lo certified
// storable, hi certified not storable) and puts each next p where it splits
// its belief about p* in half:
//
//   - the belief is the model's prior (PriorOf: theory's prediction shifted by
//     the model's measured excess, spread by theory's width of p*), so the
//     first verdict lands at the expected p*, opt.Start if given;
//   - while one side of the bracket is missing, it steps away from the side it
//     has by at least one prior width, doubling with every verdict on the same
//     side, so that a wrong prior costs a few verdicts, not many;
//   - with both sides known, it queries the median of the belief restricted
//     to the bracket, mixed with a uniform weight (bracketFloor) so that the
//     search stays at least a slow bisection.
//
// A typical p* takes log2 of the prior's width plus two verdicts (five to six
// at d = 64..128). Each verdict shrinks the bracket, so the search ends. An
// undecided verdict stops the search and is reported, never guessed past.
//
// With opt.Known the search starts from the bracket earlier runs certified,
// as if their verdicts had been made in this run: the next p is the one the
// uninterrupted search would have tried after them (with one side missing,
// the step has doubled once for each of Known.Solves, or Known.Streak, after
// the first), so a resumed search makes exactly the verdicts the
// uninterrupted one had left; a bracket that already pins p* (Upper ==
// Lower+1) costs no solve. The counts of the Threshold include Known's.
// opt.OnVerdictInstance gets each verdict's instance after opt.OnVerdict.
func searchBracket(ctx context.Context, src model.Source, opt ThresholdOptions) (Threshold, error) {
	t0 := time.Now()
	k := opt.Known
	minP := src.Model().SmallestP()
	if err := k.check(minP); err != nil {
		return Threshold{PStar: -1}, err
	}
	opt.Eps = opt.EpsOrDefault()
	opt.LP.Eps = opt.Eps
	if c, ok := searchMethod(src, opt.LP).Capabilities(); ok && c.SignOnly && opt.LP.Stop == lp.StopOptimal {
		opt.LP.Stop = lp.StopVerdict
	}
	pr := PriorOf(src)
	maxP := src.MaxP()
	th := Threshold{PStar: -1, Lower: k.Lower, AtLower: k.AtLower, Upper: k.Upper, AtUpper: k.AtUpper,
		Solves: k.Solves, Iterations: k.Iterations}
	done := func(note string) (Threshold, error) {
		th.Note = note
		th.Seconds = k.Seconds + time.Since(t0).Seconds()
		return th, nil
	}
	// settled says whether the bracket decides the search: p* pinned (or 1),
	// or every prefix the source holds storable.
	settled := func() (bool, string) {
		switch {
		case th.Upper == minP: // p = 1 has no constraints (p* = 1), or a vocabulary's is not storable (p* = 0)
			th.PStar, th.Lower, th.Certified = minP-1, minP-1, true
			return true, ""
		case th.Lower > 0 && th.Upper == th.Lower+1:
			th.PStar, th.Certified = th.Lower, true
			return true, ""
		case maxP > 0 && th.Lower >= maxP:
			return true, fmt.Sprintf("every prefix up to the %d associations the source holds is storable", maxP)
		}
		return false, ""
	}
	step := math.Ceil(pr.Width)
	lastSide := Undecided
	next := opt.Start
	if next < 2 {
		next = int(math.Round(pr.Center))
	}
	if th.Lower > 0 || th.Upper > 0 {
		if ok, note := settled(); ok {
			return done(note)
		}
		// With one side missing every earlier verdict was on the side known.
		if th.Upper == 0 {
			lastSide = Storable
		} else if th.Lower == 0 {
			lastSide = NotStorable
		}
		if lastSide != Undecided {
			n := k.Solves
			if k.Streak > 0 {
				n = k.Streak
			}
			step = math.Ldexp(step, min(max(n, 1)-1, 30))
		}
		next = nextInBracket(pr, th.Lower, th.Upper, int(step), minP)
	}
	var whole *model.Instance
	var err error
	for {
		next = max(next, minP)
		if maxP > 0 {
			next = min(next, maxP)
		}
		// Every p is checked against the memory budget before its instance is
		// built: the steps double while one side is missing, and a resumed
		// search (opt.Known) may step far from where the caller checked.
		// The instance kept (below) counts at its own size when it is
		// larger than the verdict's.
		held := 0
		if whole != nil {
			held = whole.P
		}
		if err := checkHeldVerdictMemory(src, next, held, opt.LP); err != nil {
			return th, err
		}
		// The search keeps the largest instance it has drawn and takes each
		// smaller one as its prefix (the same numbers, none drawn again:
		// model.Instance.Prefix); a larger one grows it, drawing only the
		// new associations and competitors (instances nest, bit for bit).
		// For the decoupled model a draw is p^2 d Gaussians, 0.6 s of CPU at
		// d = 64, and a search that first steps up draws its instances
		// almost twice over when it builds each one afresh.
		switch {
		case whole == nil:
			if whole, err = model.NewInstanceContext(ctx, src, next); err != nil {
				return th, err
			}
			th.Draws += next
		case next > whole.P:
			from := whole.P
			if err = whole.GrowContext(ctx, next); err != nil {
				return th, err
			}
			th.Draws += next - from
		}
		in, err := whole.Prefix(next)
		if err != nil {
			return th, err
		}
		v, err := Decide(ctx, lp.NewSolver(in, opt.LP), opt.Eps)
		th.Solves++
		th.Iterations += v.Iterations
		if err != nil {
			return th, err
		}
		if opt.OnVerdict != nil {
			opt.OnVerdict(next, v)
		}
		if opt.OnVerdictInstance != nil {
			opt.OnVerdictInstance(in, v)
		}
		switch v.Status {
		case Undecided:
			th.Undecided++
			return done(fmt.Sprintf("undecided at p=%d: %s", next, v.Note))
		case Storable:
			th.Lower, th.AtLower = next, ptr(v)
		case NotStorable:
			th.Upper, th.AtUpper = next, ptr(v)
		}
		if v.Status == lastSide {
			step *= 2
		} else {
			lastSide, step = v.Status, math.Ceil(pr.Width)
		}
		if ok, note := settled(); ok {
			return done(note)
		}
		next = nextInBracket(pr, th.Lower, th.Upper, int(step), minP)
	}
}

// nextInBracket is the next p searchBracket tries, given the largest storable
// p so far lo (0: none) and the smallest not-storable one hi (0: none). With
// one side missing it goes beyond the other by at least step, never below minP
// (model.Model.SmallestP); with both, it
// returns the p in (lo, hi) that best halves the belief about p*: the prior's
// mass on each candidate p* in [lo, hi-1] plus bracketFloor of the mean.
func nextInBracket(pr Prior, lo, hi, step, minP int) int {
	median := int(math.Round(pr.Center))
	switch {
	case hi == 0:
		return max(lo+step, median)
	case lo == 0:
		return max(minP, min(hi-step, median))
	}
	// Candidates for p* are q = lo..hi-1; a verdict at p splits them into
	// q < p and q >= p.
	k := hi - lo
	mass := make([]float64, k)
	var total float64
	for i := range mass {
		q := float64(lo + i)
		mass[i] = phiCDF((q+0.5-pr.Center)/pr.Width) - phiCDF((q-0.5-pr.Center)/pr.Width)
		total += mass[i]
	}
	floor := bracketFloor * math.Max(total, 1e-300) / float64(k)
	if total < 1e-12 { // the prior says nothing here: bisect
		floor = 1
	}
	for i := range mass {
		mass[i] += floor
	}
	var all float64
	for _, m := range mass {
		all += m
	}
	best, bestDiff := lo+1, math.Inf(1)
	var below float64 // mass of q < p
	for p := lo + 1; p < hi; p++ {
		below += mass[p-1-lo]
		if diff := math.Abs(below/all - 0.5); diff < bestDiff {
			best, bestDiff = p, diff
		}
	}
	return best
}

// phiCDF is the standard normal distribution function.
func phiCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
