package feasibility

import (
	"context"
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// MaxMarginTolerance is the relative width of the certified interval for kappa*
// below which a max-margin answer counts as certified.
const MaxMarginTolerance = 1e-6

// MaxMargin is the optimal (min-norm) memory of a storable instance and its
// margin kappa* = d / |W*|_F in unit-variance normalisation, with a certified
// interval [Lower, Upper]:
//
//	Lower = d * min_r a_r.W / |W|_F  from the recomputed margins of W (rounding
//	        bounds subtracted), true for this W and hence for the optimum;
//	Upper = d * |A^T lambda|_F / sum(lambda)  for the QP's row duals lambda >= 0:
//	        by weak duality no W with all margins >= 1 has
//	        |W|_F^2 < sum(lambda)^2 / |A^T lambda|_F^2 (the scale of lambda optimised).
//
// Storable is false (and Kappa 0) when the instance is certified not storable.
type MaxMargin struct {
	Storable     bool
	Kappa        float64
	Lower, Upper float64
	Certified    bool
	W            *mat.Dense
	Lambda       []lp.Weighted
	Rows, Rounds int
	Seconds      float64
	Note         string
	// LP is the bounded-margin LP's verdict, decided first (its W is an optimal
	// LP vertex when the instance is storable).
	LP Verdict
}

// SolveMaxMargin decides the instance with the LP first (a not-storable instance
// has kappa* = 0, certified by lambda), then solves the min-norm QP and
// certifies kappa* by the interval above. opts picks the LP's solver (zero value:
// auto) and its not-storable tolerance (opts.Eps, default DefaultEps); the QP
// runs on the interior-point method where the LP would (lp.Method.For), and on
// the active-set solver otherwise.
func SolveMaxMargin(ctx context.Context, in *model.Instance, opts lp.Options) (MaxMargin, error) {
	t0 := time.Now()
	out := MaxMargin{}
	eps := opts.Eps
	if eps == 0 {
		eps = DefaultEps
	}
	v, err := Decide(ctx, lp.NewSolver(in, opts), eps)
	if err != nil {
		return out, err
	}
	out.LP = v
	switch v.Status {
	case NotStorable:
		out.Certified, out.Lambda = true, v.Lambda
		out.Seconds = time.Since(t0).Seconds()
		return out, nil
	case Undecided:
		out.Note = "the LP verdict is undecided: " + v.Note
		out.Seconds = time.Since(t0).Seconds()
		return out, nil
	}
	out.Storable = true
	sol, err := solveMinNorm(ctx, in, v.W, opts)
	if err != nil {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		out.Note = fmt.Sprintf("QP failed: %v", err)
		// Fall back on the LP's W: a certified lower bound on kappa*.
		sc := lp.CheckStorable(in, v.W)
		out.Lower, out.Upper = lowerKappa(sc), math.Inf(1)
		out.Seconds = time.Since(t0).Seconds()
		return out, nil
	}
	out.W, out.Lambda, out.Rows, out.Rounds = sol.W, sol.Lambda, sol.Rows, sol.Rounds
	sc := lp.CheckStorable(in, sol.W)
	out.Lower = lowerKappa(sc)
	nc := lp.CheckNotStorable(in, sol.Lambda, math.Inf(1))
	out.Upper = nc.KappaBound
	out.Kappa = float64(in.D) / mat.Norm(sol.W, 2)
	out.Certified = sc.OK && out.Upper < math.Inf(1) && (out.Upper-out.Lower) <= MaxMarginTolerance*out.Lower
	if !out.Certified {
		out.Note = fmt.Sprintf("certified interval [%.9g, %.9g] is wider than %.0e relative", out.Lower, out.Upper, MaxMarginTolerance)
	}
	out.Seconds = time.Since(t0).Seconds()
	return out, nil
}

// solveMinNorm solves the min-norm QP with the interior-point method where opts
// picks it (from lp.IPMFromD on by default; falling back to the active-set
// solver if it fails), with the active-set solver otherwise.
func solveMinNorm(ctx context.Context, in *model.Instance, start *mat.Dense, opts lp.Options) (*lp.Solution, error) {
	if opts.Method.For(in.D, opts.Rows) == lp.MethodIPM {
		sol, err := lp.NewIPM(in, opts).SolveMaxMargin(ctx)
		if err == nil || ctx.Err() != nil {
			return sol, err
		}
	}
	return lp.SolveMinNorm(ctx, in, start, lp.Options{})
}

// lowerKappa is d times the smallest certified margin over |W|_F, rounded
// down (lp.StorableCheck.KappaLower), or 0 when W is not certified.
func lowerKappa(sc lp.StorableCheck) float64 {
	if !sc.OK {
		return 0
	}
	return sc.KappaLower
}
