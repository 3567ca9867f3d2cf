package lp_test

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// The interior-point max-margin memory has the same norm as the active-set
// solver's (so the same kappa* = d/|W|_F), all margins >= 1 up to rounding, and
// its lambda gives the weak-duality bound that pins kappa* from above.
func TestIPMMaxMarginMatchesMinNorm(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct{ d, p int }{{6, 10}, {8, 16}, {10, 24}, {12, 30}} {
		for _, kind := range []model.Model{model.Coupled, model.Decoupled} {
			for seed := uint64(1); seed <= 3; seed++ {
				in, _ := model.NewInstance(model.Random{D: c.d, Seed: seed, Kind: kind}, c.p)
				if v, _ := lp.NewSimplex(in, lp.Options{}).Solve(ctx); v.T <= 1e-9 {
					continue
				}
				ref, err := lp.SolveMinNorm(ctx, in, nil, lp.Options{})
				if err != nil {
					t.Fatal(err)
				}
				sol, err := lp.NewIPM(in, lp.Options{}).SolveMaxMargin(ctx)
				if err != nil {
					t.Fatalf("d=%d p=%d %v seed %d: %v", c.d, c.p, kind, seed, err)
				}
				kRef, k := float64(c.d)/mat.Norm(ref.W, 2), float64(c.d)/mat.Norm(sol.W, 2)
				if math.Abs(k-kRef) > 1e-7*kRef {
					t.Errorf("d=%d p=%d %v seed %d: ipm kappa*=%.10g, active set %.10g", c.d, c.p, kind, seed, k, kRef)
				}
				if ck := lp.CheckStorable(in, sol.W); ck.MinMargin < 1-1e-8 {
					t.Errorf("d=%d p=%d seed %d: min margin %g < 1", c.d, c.p, seed, ck.MinMargin)
				}
				up := lp.CheckNotStorable(in, sol.Lambda, math.Inf(1)).KappaBound
				if up < k*(1-1e-9) || up > k*(1+1e-6) {
					t.Errorf("d=%d p=%d seed %d: dual bound %.10g vs kappa* %.10g", c.d, c.p, seed, up, k)
				}
			}
		}
	}
}
