package lp_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// ipmVocabTTol is how far the interior point's optimal margin t* may sit from
// the simplex's on the same vocabulary instance: both are the optimum of one
// LP, the IPM's to its gap tolerance (1e-11) and feasibility tolerance
// (1e-9), so 1e-7 leaves room without hiding a different optimum.
const ipmVocabTTol = 1e-7

// vocabModel is the vocabulary model with v words and answers a.
func vocabModel(t *testing.T, v int, a model.Answers) model.Model {
	t.Helper()
	m, err := model.Vocabulary(v, a)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The interior-point method takes the vocabulary model (its duals laid out per
// (mu, slot), the answer slot excluded) and reaches the simplex's verdicts on
// it: for V = 2, 4 and 16 with uniform and Zipf answers, at p from p* - 2 to
// p* + 3 around each family's threshold p* (found by the simplex), the IPM's
// own certified verdict (not a fallback's) has the simplex's status, both
// certificates checked outside the solvers (feasibility.Decide), and solved to
// the optimum it has the simplex's t*.
func TestIPMVocabularyVerdictsMatchSimplex(t *testing.T) {
	ctx := context.Background()
	const d = 6
	var agree, storable int
	for _, v := range []int{2, 4, 16} {
		for _, a := range []model.Answers{{Kind: model.Uniform}, {Kind: model.Zipf, S: 1.1}} {
			src := model.Random{D: d, Seed: uint64(v), Kind: vocabModel(t, v, a)}
			th, err := feasibility.FindThreshold(ctx, src, feasibility.ThresholdOptions{LP: lp.Options{Method: lp.MethodSimplex}})
			if err != nil || !th.Certified {
				t.Fatalf("%v: simplex threshold %+v, %v", src.Kind, th, err)
			}
			for p := max(2, th.PStar-2); p <= th.PStar+3; p++ {
				in, err := model.NewInstance(src, p)
				if err != nil {
					t.Fatal(err)
				}
				name := fmt.Sprintf("%v d=%d p=%d (p*=%d)", src.Kind, d, p, th.PStar)
				sx, err := feasibility.Decide(ctx, lp.NewSolver(in, lp.Options{Method: lp.MethodSimplex}), feasibility.DefaultEps)
				if err != nil || !sx.Certified {
					t.Fatalf("%s: simplex %+v, %v", name, sx, err)
				}
				for _, stop := range []lp.Stop{lp.StopVerdict, lp.StopOptimal} {
					iv, err := feasibility.Decide(ctx, lp.NewSolver(in, lp.Options{Method: lp.MethodIPM, Stop: stop}), feasibility.DefaultEps)
					if err != nil || !iv.Certified || iv.Solver != lp.MethodIPM {
						t.Fatalf("%s stop %v: IPM verdict %s by %s certified %v (%s), %v", name, stop, iv.Status, iv.Solver, iv.Certified, iv.Note, err)
					}
					if iv.Status != sx.Status {
						t.Errorf("%s stop %v: IPM %s, simplex %s", name, stop, iv.Status, sx.Status)
					}
					if stop == lp.StopOptimal && math.Abs(iv.Margin-sx.Margin) > ipmVocabTTol {
						t.Errorf("%s: IPM t* = %.12g, simplex %.12g", name, iv.Margin, sx.Margin)
					}
					if stop == lp.StopVerdict {
						t.Logf("%s: %s, IPM %d iterations", name, iv.Status, iv.Iterations)
					}
				}
				agree++
				if sx.Status == feasibility.Storable {
					storable++
				}
			}
		}
	}
	t.Logf("%d instances agree (%d storable)", agree, storable)
	if storable == 0 || storable == agree {
		t.Fatalf("%d of %d instances storable: the test did not straddle the thresholds", storable, agree)
	}
}

// The exact p* found with the interior-point method (a bracketing search of
// cold sign-only verdicts) equals the simplex's (a warm growing search) on
// vocabulary families: V = 4 and 16 with uniform answers and V = 4 with Zipf
// answers, three seeds each, d = 8.
func TestIPMVocabularyThresholdMatchesSimplex(t *testing.T) {
	ctx := context.Background()
	const d = 8
	for _, c := range []struct {
		v int
		a model.Answers
	}{{4, model.Answers{Kind: model.Uniform}}, {16, model.Answers{Kind: model.Uniform}}, {4, model.Answers{Kind: model.Zipf, S: 1.1}}} {
		for seed := uint64(1); seed <= 3; seed++ {
			src := model.Random{D: d, Seed: seed, Kind: vocabModel(t, c.v, c.a)}
			sx, err := feasibility.FindThreshold(ctx, src, feasibility.ThresholdOptions{LP: lp.Options{Method: lp.MethodSimplex}})
			if err != nil || !sx.Certified {
				t.Fatalf("%v seed %d: simplex %+v, %v", src.Kind, seed, sx, err)
			}
			ip, err := feasibility.FindThreshold(ctx, src, feasibility.ThresholdOptions{LP: lp.Options{Method: lp.MethodIPM}})
			if err != nil || !ip.Certified {
				t.Fatalf("%v seed %d: IPM %+v, %v", src.Kind, seed, ip, err)
			}
			if ip.PStar != sx.PStar || ip.Solvers() != string(lp.MethodIPM) {
				t.Errorf("%v seed %d: IPM p* = %d (certified by %s), simplex p* = %d", src.Kind, seed, ip.PStar, ip.Solvers(), sx.PStar)
			}
			t.Logf("%v seed %d: p* = %d; IPM %d verdicts, %d iterations; simplex %d solves", src.Kind, seed, ip.PStar, ip.Solves, ip.Iterations, sx.Solves)
		}
	}
}

// The interior-point max-margin QP on vocabulary instances: the same kappa* as
// the active-set solver's, all margins >= 1 up to rounding, and its lambda's
// weak-duality bound pins kappa* from above (V = 2, 4 with Zipf answers, 16;
// storable instances only).
func TestIPMVocabularyMaxMargin(t *testing.T) {
	ctx := context.Background()
	var runs int
	for _, c := range []struct {
		v int
		a model.Answers
	}{{2, model.Answers{Kind: model.Uniform}}, {4, model.Answers{Kind: model.Zipf, S: 1.1}}, {16, model.Answers{Kind: model.Uniform}}} {
		for _, dp := range []struct{ d, p int }{{6, 8}, {8, 12}, {10, 20}} {
			for seed := uint64(1); seed <= 2; seed++ {
				in, _ := model.NewInstance(model.Random{D: dp.d, Seed: seed, Kind: vocabModel(t, c.v, c.a)}, dp.p)
				name := fmt.Sprintf("%v d=%d p=%d seed %d", in.Src.Model(), dp.d, dp.p, seed)
				if v, _ := lp.NewSimplex(in, lp.Options{}).Solve(ctx); v.T <= 1e-9 {
					continue
				}
				ref, err := lp.SolveMinNorm(ctx, in, nil, lp.Options{})
				if err != nil {
					t.Fatal(err)
				}
				sol, err := lp.NewIPM(in, lp.Options{}).SolveMaxMargin(ctx)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				kRef, k := float64(dp.d)/mat.Norm(ref.W, 2), float64(dp.d)/mat.Norm(sol.W, 2)
				if math.Abs(k-kRef) > 1e-7*kRef {
					t.Errorf("%s: ipm kappa*=%.10g, active set %.10g", name, k, kRef)
				}
				if ck := lp.CheckStorable(in, sol.W); ck.MinMargin < 1-1e-8 {
					t.Errorf("%s: min margin %g < 1", name, ck.MinMargin)
				}
				up := lp.CheckNotStorable(in, sol.Lambda, math.Inf(1)).KappaBound
				if up < k*(1-1e-9) || up > k*(1+1e-6) {
					t.Errorf("%s: dual bound %.10g vs kappa* %.10g", name, up, k)
				}
				runs++
			}
		}
	}
	if runs < 9 {
		t.Fatalf("only %d storable instances compared", runs)
	}
	t.Logf("%d storable instances compared", runs)
}
