package feasibility

import (
	"context"
	"fmt"
	"math"
	"strings"
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
//	Lower = d * min_r a_r.W / |W|_F  for the best certified W found (the LP's
//	        vertex or a QP solution; exact margins, lp.StorableCheck.KappaLower),
//	        true for this W and hence for the optimum;
//	Upper = d * |A^T lambda|_F / sum(lambda)  for the QP's row duals lambda >= 0:
//	        by weak duality no W with all margins >= 1 has
//	        |W|_F^2 < sum(lambda)^2 / |A^T lambda|_F^2 (the scale of lambda optimised).
//
// Both ends hold whichever solver found them, so the interval is the
// intersection over the QP methods tried. Kappa and W are set only when the
// answer is Certified (the interval narrower than MaxMarginTolerance relative):
// an uncertified answer is the interval alone, never a point. Storable is false
// (and Kappa 0) when the instance is certified not storable.
type MaxMargin struct {
	Storable     bool
	Kappa        float64
	Lower, Upper float64
	Certified    bool
	// W is the certified memory, normalised to max |W_ij| = 1 (scale it to
	// |W|_F = d for unit-variance scores); nil unless Certified.
	W      *mat.Dense
	Lambda []lp.Weighted
	// Methods are the QP methods tried, in order (MethodIPM: the
	// interior-point QP; MethodSimplex: the active-set solver).
	Methods      []lp.Method
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
// runs first on the interior-point method where the LP would (lp.Method.For),
// on the active-set solver otherwise, and falls back on the other method when
// the first one's interval is wider than MaxMarginTolerance or it fails.
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
	// The LP's vertex is a certified W: its margin is a lower end.
	best := *v.WCheck
	out.Lower, out.Upper = lowerKappa(best), math.Inf(1)
	var notes []string
	for _, m := range lp.QPChain(in.D, opts) {
		out.Methods = append(out.Methods, m)
		sol, err := solveMinNorm(ctx, in, v.W, opts, m)
		if err != nil {
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			notes = append(notes, fmt.Sprintf("%s QP failed: %v", qpName(m), err))
			continue
		}
		out.Rows, out.Rounds = out.Rows+sol.Rows, out.Rounds+sol.Rounds
		if sc := lp.CheckStorable(in, sol.W); sc.OK && lowerKappa(sc) > out.Lower {
			best, out.Lower = sc, lowerKappa(sc)
		}
		if nc := lp.CheckNotStorable(in, lp.NormaliseLambda(sol.Lambda), math.Inf(1)); nc.KappaBound < out.Upper {
			out.Upper, out.Lambda = nc.KappaBound, nc.Lambda
		}
		if out.Upper-out.Lower <= MaxMarginTolerance*out.Lower {
			break
		}
		notes = append(notes, fmt.Sprintf("%s QP: interval [%.9g, %.9g]", qpName(m), out.Lower, out.Upper))
	}
	out.Certified = out.Lower > 0 && out.Upper-out.Lower <= MaxMarginTolerance*out.Lower
	if out.Certified {
		// The certified W's own margin lies in [Lower, kappa*].
		out.W, out.Kappa = best.W, math.Min(math.Max(best.Kappa, out.Lower), out.Upper)
	} else {
		notes = append(notes, fmt.Sprintf("uncertified: kappa* in [%.9g, %.9g], wider than %.0e relative", out.Lower, out.Upper, MaxMarginTolerance))
		out.Note = strings.Join(notes, "; ")
	}
	out.Seconds = time.Since(t0).Seconds()
	return out, nil
}

func qpName(m lp.Method) string {
	if c, ok := m.Capabilities(); ok && c.QPName != "" {
		return c.QPName
	}
	return string(m)
}

// solveMinNorm solves the min-norm QP with m's max-margin solver
// (lp.Capabilities.MaxMargin), started from the LP's W where it can use it.
func solveMinNorm(ctx context.Context, in *model.Instance, start *mat.Dense, opts lp.Options, m lp.Method) (*lp.Solution, error) {
	c, ok := m.Capabilities()
	if !ok || c.MaxMargin == nil {
		return nil, fmt.Errorf("solver %q has no max-margin QP", m)
	}
	return c.MaxMargin(ctx, in, start, opts)
}

// lowerKappa is d times the smallest certified margin over |W|_F, rounded
// down (lp.StorableCheck.KappaLower), or 0 when W is not certified.
func lowerKappa(sc lp.StorableCheck) float64 {
	if !sc.OK {
		return 0
	}
	return sc.KappaLower
}
