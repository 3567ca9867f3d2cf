package highs_test

import (
	"context"
	"math"
	"testing"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/lp/highs"
	"github.com/lamcap/lamcap/model"
)

// Each of HiGHS's ways (Retry 0: its first settings, 1 and 2: the retry
// settings) solves the instance cold to the simplex's t*, an independent
// solver's; a way it does not have is an error, not a guess. Importing the
// package registered it with lp, with its retries and its place last among
// the fallbacks.
func TestRetriesAgreeWithSimplex(t *testing.T) {
	ctx := context.Background()
	for _, p := range []int{18, 24} { // both sides of the threshold at d = 8
		in, err := model.NewInstance(model.Random{D: 8, Seed: 2}, p)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := lp.NewSimplex(in, lp.Options{}).Solve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		s := highs.NewMarginSolver(in, lp.Options{}, highs.Settings{})
		for k := 0; k <= 2; k++ {
			sol, err := s.Retry(ctx, k)
			if err != nil {
				t.Fatalf("p=%d retry %d: %v", p, k, err)
			}
			if math.Abs(sol.T-ref.T) > 1e-7 || sol.Solver != lp.MethodHiGHS {
				t.Errorf("p=%d retry %d: t* %.10g by %s, simplex %.10g", p, k, sol.T, sol.Solver, ref.T)
			}
		}
		if _, err := s.Retry(ctx, 3); err == nil {
			t.Errorf("p=%d: retry 3 accepted", p)
		}
	}
	c, ok := lp.MethodHiGHS.Capabilities()
	if !ok || c.Retries != 2 || c.Fallback <= lp.FallbackSimplex || !c.WarmGrowth {
		t.Fatalf("HiGHS's capabilities: %+v (registered %v)", c, ok)
	}
}
