package lp

import (
	"context"
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// mehrotraProblem is what the shared interior-point iteration (mehrotra)
// needs of a problem: its point, residuals, stopping test and Newton
// directions. The LP (lpProblem) and the max-margin QP (qpProblem) implement
// it; both hand their normal equations to a normalSystem.
type mehrotraProblem interface {
	// check computes the residuals of the current point and reports progress.
	// It returns the solution when the point is final, and the mean
	// complementarity mu otherwise.
	check(it int, out *Solution) (sol *Solution, mu float64, err error)
	// scaling returns the normal matrix's scalings at the current point.
	scaling() normalScaling
	// polish may finish with the factor in hand (the LP's dual polish): it
	// returns a solution, or nil to go on.
	polish(out *Solution) (*Solution, error)
	// centring sets the complementarity right-hand side s.y - sigmaMu, plus
	// the affine direction's ds.dy when aff (Mehrotra's corrector).
	centring(sigmaMu float64, aff bool)
	// direction solves the Newton system for the current centring.
	direction() error
	// stepLengths returns eta times the longest primal and dual steps along
	// the direction that keep slacks and duals positive, at most 1.
	stepLengths(eta float64) (ap, ad float64)
	// complementarity is the mean s.y after steps ap and ad.
	complementarity(ap, ad float64) float64
	// step returns the step lengths to take along the corrected direction,
	// after any further correctors (the LP's Gondzio correctors).
	step(sigmaMu float64) (ap, ad float64, err error)
	// trace reports one iteration to diagnostics, if any.
	trace(it int, sigma, ap, ad float64)
	// update moves the point by ap (primal) and ad (dual).
	update(ap, ad float64)
	// name is the problem's name in error messages ("" for the LP).
	name() string
}

// prober is what a mehrotraProblem may also do: finish from the direction just
// solved for (the LP's storable ray probe, IPM.rayStorable), before the step
// along it. It returns a solution, or nil to go on.
type prober interface {
	probe(out *Solution) *Solution
}

// mehrotra runs Mehrotra's predictor-corrector iteration on pr, each
// iteration one factor of ns: check, factor, (polish), predictor, centring
// parameter sigma = (mu_aff / mu)^3, corrector, step. stop is called first in
// every iteration (cancellation, time limit); out collects the iterations.
func mehrotra(ctx context.Context, stop func(context.Context) error, pr mehrotraProblem, ns normalSystem, out *Solution) (*Solution, error) {
	for it := 0; it < ipmMaxIter; it++ {
		if err := stop(ctx); err != nil {
			return nil, err
		}
		sol, mu, err := pr.check(it, out)
		if err != nil || sol != nil {
			return sol, err
		}
		out.Iterations++
		if err := ns.factor(pr.scaling()); err != nil {
			return nil, err
		}
		if sol, err := pr.polish(out); err != nil || sol != nil {
			return sol, err
		}
		// Predictor (affine scaling): r_cent = s.y.
		pr.centring(0, false)
		if err := pr.direction(); err != nil {
			return nil, err
		}
		pb, probes := pr.(prober)
		if probes {
			if sol := pb.probe(out); sol != nil {
				return sol, nil
			}
		}
		ap, ad := pr.stepLengths(1)
		sigma := math.Min(1, math.Pow(pr.complementarity(ap, ad)/mu, 3))
		// Corrector: r_cent = s.y + ds_aff.dy_aff - sigma mu.
		pr.centring(sigma*mu, true)
		if err := pr.direction(); err != nil {
			return nil, err
		}
		if ap, ad, err = pr.step(sigma * mu); err != nil {
			return nil, err
		}
		if probes {
			if sol := pb.probe(out); sol != nil {
				return sol, nil
			}
		}
		pr.trace(it, sigma, ap, ad)
		if ap < 1e-12 && ad < 1e-12 {
			return nil, fmt.Errorf("%w: %sstep length %.2g at iteration %d", ErrIPMNumerics, pr.name(), math.Max(ap, ad), it)
		}
		pr.update(ap, ad)
	}
	return nil, fmt.Errorf("%w: %sno convergence in %d iterations", ErrIPMNumerics, pr.name(), ipmMaxIter)
}

// lpProblem is the bounded-margin LP of IPM.Solve as a mehrotraProblem.
type lpProblem struct {
	s               *IPM
	st              *ipmState
	wk              *ipmWork
	nCons           float64 // constraints: margin rows and both box sides
	pinf, dinf, gap float64 // of the last check, for the trace
	floor           int     // consecutive checks at the dual residual's floor (see ipmFloorChecks)
}

func (pr *lpProblem) name() string { return "" }

func (pr *lpProblem) check(it int, out *Solution) (*Solution, float64, error) {
	s, st, wk, in := pr.s, pr.st, pr.wk, pr.s.in
	defer addWall(&s.last.wall.check, time.Now())
	if wk.garbage {
		// The last iteration's certificate attempts (below, and the
		// polish's) left copies of the lambda list and p x p arrays
		// behind: collect them before this iteration makes more.
		s.collect()
		wk.garbage = false
	}
	pinf, dinf, mu := s.residuals(st, wk)
	gap := mu * pr.nCons
	pr.pinf, pr.dinf, pr.gap = pinf, dinf, gap
	if s.opts.Progress != nil {
		s.opts.Progress(it, st.t, gap)
	}
	converged := pinf <= ipmFeasTol && gap <= ipmGapTol*(1+math.Abs(st.t))
	if converged && dinf > ipmFeasTol {
		pr.floor++
	} else {
		pr.floor = 0
	}
	if pr.floor >= ipmFloorChecks {
		return nil, mu, fmt.Errorf("%w: dual residual stuck at %.2g with the gap at %.2g for %d iterations", ErrIPMNumerics, dinf, gap, pr.floor)
	}
	if converged && dinf <= ipmFeasTol {
		// An optimum with t <= 0 reached before the polish below certified
		// (it runs after the factor, so a solve that converges at this
		// check never reaches it): polish here on this point's factor, so
		// that an early-stopping solve's not-storable certificate is as
		// tight as the polish makes it, not only as tight as ipmFeasTol
		// (d = 8, decoupled, seed 506, p = 22 stopped at 1.0e-9).
		if s.opts.Stop != StopOptimal && st.t <= 0 && wk.certRes > ipmPolishTarget {
			if err := wk.ns.factor(pr.scaling()); err != nil {
				return nil, mu, err
			}
			if sol, err := s.polishDual(st, wk, out, s.opts.Eps); err != nil || sol != nil {
				return sol, mu, err
			}
		}
		return s.finish(out, st, "optimal"), mu, nil
	}
	if eps := s.opts.Eps; s.opts.Stop != StopOptimal {
		early := s.opts.Stop == StopVerdict || s.opts.Stop == StopSized && gap <= SizedGap*st.t && pinf <= ipmFeasTol && dinf <= ipmFeasTol
		if early && st.t > 0 {
			wk.garbage = true // the check's margins and their bounds, p x p each
			if CheckStorable(in, mat.NewDense(s.d, s.d, st.w)).OK {
				return s.finish(out, st, "storable certified"), mu, nil
			}
		}
		if st.t <= 0 && wk.certRes <= certTarget(eps) {
			wk.garbage = true // certifies' copies of the lambda list
			if sol := s.finish(out, st, "not-storable certified"); s.certifies(sol.Lambda, eps) {
				return sol, mu, nil
			}
		}
	}
	return nil, mu, nil
}

func (pr *lpProblem) scaling() normalScaling {
	st, wk := pr.st, pr.wk
	for i := range wk.dm {
		wk.dm[i] = st.lam[i] / st.s[i]
	}
	for i := range wk.du {
		wk.du[i] = st.al[i] / st.u[i]
		wk.dl[i] = st.b[i] / st.l[i]
	}
	return normalScaling{dm: wk.dm, du: wk.du, dl: wk.dl, border: true}
}

func (pr *lpProblem) polish(out *Solution) (*Solution, error) {
	defer addWall(&pr.s.last.wall.polish, time.Now())
	if s := pr.s; s.opts.Stop != StopOptimal && pr.st.t <= 0 && (pr.wk.certRes <= s.polishGate || s.polishAlways) {
		return s.polishDual(pr.st, pr.wk, out, s.opts.Eps)
	}
	return nil, nil
}

func (pr *lpProblem) centring(sigmaMu float64, aff bool) { pr.s.centring(pr.st, pr.wk, sigmaMu, aff) }
func (pr *lpProblem) direction() error                   { return pr.s.direction(pr.st, pr.wk) }
func (pr *lpProblem) stepLengths(eta float64) (float64, float64) {
	return pr.s.stepLengths(pr.st, pr.wk, eta)
}
func (pr *lpProblem) complementarity(ap, ad float64) float64 {
	return pr.s.complementarity(pr.st, pr.wk, ap, ad) / pr.nCons
}

// step applies Gondzio's correctors and takes ipmStep of the step to the
// boundary, the shorter of the primal and dual steps for both
// (ipmEqualSteps); with IPM.nbhd set, cut back into the neighbourhood
// (IPM.safeguard).
func (pr *lpProblem) step(sigmaMu float64) (float64, float64, error) {
	ap, ad := pr.s.stepLengths(pr.st, pr.wk, 1)
	ap, ad, err := pr.s.gondzio(pr.st, pr.wk, sigmaMu, ap, ad)
	if err != nil {
		return 0, 0, err
	}
	ap, ad = math.Min(1, ipmStep*ap), math.Min(1, ipmStep*ad)
	if s := pr.s; ipmEqualSteps && !s.unequalSteps && !s.in.Src.Model().IsVocabulary() {
		ap, ad = math.Min(ap, ad), math.Min(ap, ad)
	}
	if g := pr.s.nbhd; g > 0 {
		ap, ad = pr.s.safeguard(pr.st, pr.wk, ap, ad, g)
	}
	return ap, ad, nil
}

func (pr *lpProblem) trace(it int, sigma, ap, ad float64) {
	s, st, wk := pr.s, pr.st, pr.wk
	if s.trace == nil {
		return
	}
	lo, hi, hiBox := s.centrality(st)
	s.trace(ipmTrace{cenLo: lo, cenHi: hi, cenHiBox: hiBox, it: it, t: st.t, gap: pr.gap, pinf: pr.pinf, dinf: pr.dinf, certRes: wk.certRes, polish: wk.polishRes, sigma: sigma, ap: ap, ad: ad,
		single: wk.single, pcg: wk.pcgSteps, proj: wk.polishSteps, boxDual: floats.Sum(st.al) + floats.Sum(st.b), marginDual: floats.Sum(st.lam),
		block: s.blocking(st, wk), ray: wk.rayBest})
}

func (pr *lpProblem) update(ap, ad float64) { pr.s.update(pr.st, pr.wk, ap, ad) }

// probe tries the storable ray of the direction in hand (IPM.rayStorable) in a
// sign-only solve (StopVerdict), the only stop that takes any certified
// storable point.
func (pr *lpProblem) probe(out *Solution) *Solution {
	defer addWall(&pr.s.last.wall.probe, time.Now())
	if s := pr.s; s.opts.Stop == StopVerdict && !s.noRay {
		return s.rayStorable(pr.st, pr.wk, out)
	}
	return nil
}
