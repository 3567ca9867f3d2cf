package lp_test

import (
	"context"
	"fmt"
	"math"
	"testing"

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
				sx, err := feasibility.Decide(ctx, lp.NewSimplex(in, lp.Options{}), feasibility.DefaultEps)
				if err != nil || !sx.Certified {
					t.Fatalf("%s: simplex %+v, %v", name, sx, err)
				}
				for _, stop := range []lp.Stop{lp.StopVerdict, lp.StopOptimal} {
					iv, err := feasibility.Decide(ctx, lp.NewIPM(in, lp.Options{Stop: stop}), feasibility.DefaultEps)
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
