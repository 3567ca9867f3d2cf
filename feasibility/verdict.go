package feasibility

import (
	"context"
	"fmt"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/lp/highs"
	"github.com/lamcap/lamcap/model"
)

// Status is a certified answer, or the admission that there is none.
type Status string

const (
	Storable    Status = "storable"
	NotStorable Status = "not-storable"
	Undecided   Status = "undecided"
)

// DefaultEps is the relative tolerance of not-storable certificates: no W
// with |W_ij| <= 1 has all margins above eps * lp.Scale(in), the data's scale.
const DefaultEps = lp.DefaultEps

// Verdict is the answer for one instance with the evidence behind it. Storable
// verdicts carry W and its recomputed margins; not-storable ones carry lambda and
// its recomputed residual. Both checks run outside the solver.
type Verdict struct {
	Status    Status
	Certified bool
	Margin    float64 // the LP's optimal margin t* (box normalisation)
	W         *mat.Dense
	Lambda    []lp.Weighted
	// WCheck and LambdaCheck are the checks of the certificates found: W's
	// recomputed margins, and lambda's residual against eps.
	WCheck      *lp.StorableCheck
	LambdaCheck *lp.NotStorableCheck
	Rows        int
	Rounds      int
	Iterations  int
	Attempts    int
	Solver      lp.Method // the solver whose answer was certified (or tried last)
	Seconds     float64
	Note        string // why a verdict is undecided
	// Disagreement records solvers of the chain that certified different
	// answers (Decide, ConfirmEps): the storable one is kept.
	Disagreement string
}

// Certify turns a solution into a verdict by checking its certificates: W first
// (an exact statement: every margin positive), then lambda (no W in the box has
// all margins above eps * lp.Scale(in)). If neither holds the verdict is
// undecided. Both are normalised first (lp.NormaliseW, lp.NormaliseLambda), and
// the verdict carries the normalised forms, which are the ones checked.
func Certify(sol *lp.Solution, solver lp.Solver, eps float64) Verdict {
	in := solver.Instance()
	v := Verdict{Status: Undecided, Margin: sol.T + 0, Rows: sol.Rows, Rounds: sol.Rounds, Iterations: sol.Iterations, Solver: sol.Solver}
	var sc lp.StorableCheck
	if w := normalisedW(sol.W); w != nil {
		sc = lp.CheckStorable(in, w)
	} else {
		sc = lp.CheckStorable(in, sol.W)
	}
	if sc.OK {
		v.Status, v.Certified, v.W, v.WCheck = Storable, true, sc.W, &sc
		return v
	}
	nc := lp.CheckNotStorable(in, lp.NormaliseLambda(sol.Lambda), eps)
	if nc.OK {
		v.Status, v.Certified, v.Lambda, v.LambdaCheck = NotStorable, true, nc.Lambda, &nc
		return v
	}
	v.WCheck, v.LambdaCheck = &sc, &nc
	v.Note = "neither certificate holds: " + nc.Reason
	return v
}

// normalisedW is lp.NormaliseW of w, or nil.
func normalisedW(w *mat.Dense) *mat.Dense {
	if w == nil {
		return nil
	}
	return lp.NormaliseW(w)
}

// ConfirmEps is the relative residual below which a not-storable certificate
// is final. A certificate with a residual r between it and eps proves only
// that t* <= r, and degenerate data can have a positive t* that small
// (near-duplicate targets: t* of a few 1e-9 of the scale), which a solver that
// stops early (the interior-point method's not-storable stop) would call not
// storable where an optimal one finds a W with every exact margin positive.
// Decide then asks the next solver of the chain as well, and a storable
// certificate wins. Simplex and HiGHS certificates have residuals near 1e-13
// of the scale, so they never pay for this.
const ConfirmEps = 1e-10

// Decide solves the instance the chain holds and certifies the answer. When the
// answer cannot be certified, or the step fails in any way, it runs the next
// step of the chain (lp.Chain.Steps: the interior-point method falls to the
// simplex, the simplex to HiGHS, HiGHS to its retries). A not-storable answer
// whose residual exceeds ConfirmEps of the data's scale is checked by the
// next step too: where a storable certificate exists, no verdict says not
// storable; the storable one is kept and the disagreement noted
// (Verdict.Disagreement). Only context cancellation returns an error; a chain
// that cannot be made to answer gives an undecided verdict whose Note holds
// the last reason, never a guess.
func Decide(ctx context.Context, chain *lp.Chain, eps float64) (Verdict, error) {
	t0 := time.Now()
	var total Verdict
	attempt := func(sol *lp.Solution, err error) (Verdict, bool, error) {
		total.Attempts++
		if err != nil {
			if ctx.Err() != nil {
				return Verdict{}, true, ctx.Err()
			}
			return Verdict{Status: Undecided, Note: err.Error()}, false, nil
		}
		v := Certify(sol, chain, eps)
		total.Rounds += v.Rounds
		total.Iterations += v.Iterations
		return v, v.Certified, nil
	}
	steps := chain.Steps()
	v, done, err := attempt(chain.Run(ctx, steps[0]))
	next := 1
	for ; next < len(steps) && !done && err == nil; next++ {
		v, done, err = attempt(chain.Run(ctx, steps[next]))
	}
	if err == nil && v.Status == NotStorable && next < len(steps) && !confirmed(v) {
		w, _, werr := attempt(chain.Run(ctx, steps[next]))
		if werr != nil {
			return Verdict{}, werr
		}
		if w.Status == Storable {
			w.Disagreement = fmt.Sprintf("%s certified not storable with a residual of %.3g of the data's scale (above ConfirmEps %g); %s found a W with every margin positive, kept",
				v.Solver, v.LambdaCheck.Residual/v.LambdaCheck.Scale, ConfirmEps, w.Solver)
			v = w
		}
	}
	if err != nil {
		return Verdict{}, err
	}
	v.Rounds, v.Iterations, v.Attempts = total.Rounds, total.Iterations, total.Attempts
	v.Seconds = time.Since(t0).Seconds()
	return v, nil
}

// confirmed says whether a not-storable verdict's residual is below
// ConfirmEps of the data's scale.
func confirmed(v Verdict) bool {
	c := v.LambdaCheck
	return c != nil && c.Residual <= ConfirmEps*c.Scale
}

// DecideFull answers with the plain feasibility LP (every row, a_r.W >= 1, W free).
// A feasible answer is certified by its W; an infeasible one by the duals of the
// bounded-margin LP with every row in it (the binding exposes no dual ray); any
// other status is undecided.
func DecideFull(ctx context.Context, in *model.Instance, opts lp.Options, eps float64) (Verdict, error) {
	t0 := time.Now()
	res, err := highs.SolveFeasibility(ctx, in, opts, highs.Settings{})
	if err != nil {
		return Verdict{}, err
	}
	v := Verdict{Status: Undecided, Iterations: res.Iterations, Rows: in.Rows(), Rounds: 1, Attempts: 1, Solver: lp.MethodHiGHS}
	switch {
	case res.Feasible:
		sc := lp.CheckStorable(in, normalisedW(res.W))
		v.WCheck = &sc
		if sc.OK {
			v.Status, v.Certified, v.W = Storable, true, sc.W
		} else {
			v.Note = "feasibility LP returned a W whose margins are not all certified positive"
		}
	case res.Infeasible:
		opts.InitialPerMu, opts.Method = -1, lp.MethodHiGHS
		mv, err := Decide(ctx, lp.NewSolver(in, opts), eps)
		if err != nil {
			return Verdict{}, err
		}
		if mv.Status == NotStorable {
			mv.Iterations += v.Iterations
			mv.Attempts++
			v = mv
		} else {
			v.Note = fmt.Sprintf("feasibility LP says infeasible but the margin LP's certificate gave %s", mv.Status)
		}
	default:
		v.Note = "feasibility LP ended with status " + res.Status
	}
	v.Seconds = time.Since(t0).Seconds()
	return v, nil
}
