package feasibility

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// With a finite vocabulary one input already has competitors (the other V - 1
// words), and a word inside the convex hull of the others can never be ranked
// first by a linear readout: an instance whose first answer is such a word
// has p* = 0. Every solver's search must find it (not claim p* = 1 as for the
// models where p = 1 has no constraints), and the certificates prove it by an
// identity that shares nothing with the LP: the not-storable weights at p = 1,
// all on input 1's rows (a, v), make y_a a convex combination of the other
// words; for every other seed a certified storable W at p* >= 1 ranks y_a
// first for input 1, so y_a is a vertex of the hull. d = 6 and V = 16, seeds
// 1..12, hold at least one p* = 0 (seed 7) and many p* >= 1.
func TestVocabularyPStarZero(t *testing.T) {
	voc, err := model.Vocabulary(16, model.Answers{Kind: model.Uniform})
	if err != nil {
		t.Fatal(err)
	}
	zeros := 0
	for seed := uint64(1); seed <= 12; seed++ {
		src := model.Random{D: 6, Seed: seed, Kind: voc}
		want := -1
		for _, m := range []lp.Method{lp.MethodSimplex, lp.MethodIPM, lp.MethodHiGHS} {
			th, err := FindThreshold(context.Background(), src, ThresholdOptions{LP: lp.Options{Method: m}})
			if err != nil {
				t.Fatalf("seed %d %s: %v", seed, m, err)
			}
			if !th.Certified || th.Lower != th.PStar || th.Upper != th.PStar+1 || th.AtUpper == nil {
				t.Fatalf("seed %d %s: not certified: %+v", seed, m, th)
			}
			if want >= 0 && th.PStar != want {
				t.Fatalf("seed %d: p* = %d with %s, %d with the simplex", seed, th.PStar, m, want)
			}
			want = th.PStar
			in, err := model.NewInstance(src, 1)
			if err != nil {
				t.Fatal(err)
			}
			y := in.Competitors(0) // the V words
			a := in.Own(0)
			if th.PStar == 0 {
				// sum_v lambda_v (y_a - y_v) (x) x_1 = 0 with x_1 != 0:
				// y_a = sum_v lambda_v y_v / sum_v lambda_v.
				comb := make([]float64, in.D)
				var sum float64
				for _, l := range th.AtUpper.Lambda {
					if l.Mu != 0 || l.V == a || l.Weight < 0 {
						t.Fatalf("seed %d %s: weight %+v off input 1's competitor rows", seed, m, l)
					}
					sum += l.Weight
					for k := range comb {
						comb[k] += l.Weight * y.At(l.V, k)
					}
				}
				var gap float64
				for k := range comb {
					gap = math.Max(gap, math.Abs(comb[k]/sum-y.At(a, k)))
				}
				if gap > 1e-8 {
					t.Errorf("seed %d %s: p* = 0 but y_a is %g from the weights' convex combination of the other words", seed, m, gap)
				}
				continue
			}
			// h = W x_1 ranks y_a strictly first among the V words.
			w := th.AtLower.W
			var h mat.VecDense
			h.MulVec(w, in.X.RowView(0))
			best := mat.Dot(y.RowView(a), &h)
			for v := 0; v < y.RawMatrix().Rows; v++ {
				if v != a && !(mat.Dot(y.RowView(v), &h) < best) {
					t.Errorf("seed %d %s: p* = %d but W x_1 does not rank the answer first (word %d)", seed, m, th.PStar, v)
				}
			}
		}
		if want == 0 {
			zeros++
		}
	}
	if zeros == 0 || zeros == 12 {
		t.Fatalf("%d of 12 seeds with p* = 0: the test needs both kinds", zeros)
	}
}
