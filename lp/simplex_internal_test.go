package lp

import (
	"context"
	"math"
	"testing"

	"github.com/lamcap/lamcap/model"
)

// Growing an instance under a live simplex: whether the re-solve continues with
// the primal simplex (the default after an optimum) or with the dual simplex
// (which parks newly violated columns at their bound lambda <= 1), the optimum
// matches a cold interior-point solve (an independent method) at every p,
// through the threshold.
func TestSimplexGrowthPaths(t *testing.T) {
	ctx := context.Background()
	for _, path := range []string{"primal", "dual"} {
		for _, kind := range []model.Model{model.Coupled, model.Decoupled} {
			for seed := uint64(1); seed <= 2; seed++ {
				src := model.Random{D: 8, Seed: seed, Kind: kind}
				in, err := model.NewInstance(src, 14)
				if err != nil {
					t.Fatal(err)
				}
				s := NewSimplex(in, Options{})
				for p := 14; p <= 30; p += 2 {
					if err := in.Grow(p); err != nil {
						t.Fatal(err)
					}
					var sol *Solution
					if path == "dual" || p == 14 {
						sol, err = s.solveDual(ctx)
					} else {
						sol, err = s.solvePrimal(ctx)
					}
					if err != nil {
						t.Fatalf("%s %v seed %d p=%d: %v", path, kind, seed, p, err)
					}
					fresh, err := model.NewInstance(src, p)
					if err != nil {
						t.Fatal(err)
					}
					ref, err := NewIPM(fresh, Options{}).Solve(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if math.Abs(sol.T-ref.T) > 1e-7 {
						t.Errorf("%s %v seed %d p=%d: t* %.10g, interior point %.10g", path, kind, seed, p, sol.T, ref.T)
					}
					if ref.T > 1e-6 {
						if ck := CheckStorable(in, sol.W); !ck.OK {
							t.Errorf("%s p=%d: storable certificate fails", path, p)
						}
					} else if ck := CheckNotStorable(in, sol.Lambda, 1e-6); !ck.OK {
						t.Errorf("%s p=%d: not-storable certificate fails: %s", path, p, ck.Reason)
					}
				}
			}
		}
	}
}
