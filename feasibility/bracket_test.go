package feasibility

import (
	"context"
	"os"
	"testing"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// The bracketing search with the interior-point method finds the same certified
// p* as the simplex's warm growth, instance by instance, for both models
// (50 instances at d = 8..12; with LAMCAP_CHECK_LARGE=1 100 there and another
// 34 at d = 16..32).
func TestBracketMatchesGrowth(t *testing.T) {
	ctx := context.Background()
	type cfg struct{ d, seeds int }
	cases := []cfg{{8, 12}, {10, 8}, {12, 5}}
	if testing.Short() {
		cases = []cfg{{8, 5}}
	}
	if os.Getenv("LAMCAP_CHECK_LARGE") != "" { // 21 min on 2 cores: the range up to d = 32
		cases = []cfg{{8, 25}, {10, 15}, {12, 10}, {16, 8}, {20, 5}, {24, 3}, {32, 1}}
	}
	var solves, iters, n int
	for _, c := range cases {
		for _, kind := range []model.Model{model.Coupled, model.Decoupled} {
			for seed := 1; seed <= c.seeds; seed++ {
				src := model.Random{D: c.d, Seed: uint64(1000 + seed), Kind: kind}
				ref, err := FindThreshold(ctx, src, ThresholdOptions{LP: lp.Options{Method: lp.MethodSimplex}})
				if err != nil || !ref.Certified {
					t.Fatalf("simplex: %v %+v", err, ref.Note)
				}
				largest := 0
				th, err := FindThreshold(ctx, src, ThresholdOptions{LP: lp.Options{Method: lp.MethodIPM},
					OnVerdict: func(p int, _ Verdict) { largest = max(largest, p) }})
				if err != nil || !th.Certified {
					t.Fatalf("ipm d=%d %v seed %d: %v %s", c.d, kind, seed, err, th.Note)
				}
				// The search grows the instance it keeps: every association
				// up to the largest p decided is drawn once.
				if th.Draws != largest {
					t.Errorf("d=%d %v seed %d: %d associations drawn, the largest verdict at p=%d", c.d, kind, seed, th.Draws, largest)
				}
				if th.PStar != ref.PStar {
					t.Errorf("d=%d %v seed %d: bracketing p*=%d, simplex growth p*=%d", c.d, kind, seed, th.PStar, ref.PStar)
				}
				if th.AtLower.Solver != lp.MethodIPM && th.AtUpper.Solver != lp.MethodIPM {
					t.Errorf("d=%d seed %d: no verdict came from the interior-point method", c.d, seed)
				}
				solves += th.Solves
				iters += th.Iterations
				n++
			}
		}
	}
	t.Logf("%d instances, %.2f verdicts and %.1f interior-point iterations per p* on average", n, float64(solves)/float64(n), float64(iters)/float64(n))
}
