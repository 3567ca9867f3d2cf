package experiment

import (
	"context"
	"testing"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
	"github.com/lamcap/lamcap/theory"
)

// With V = 2 and uniform answers the vocabulary model is a perceptron with d
// weights and random labels, so Cover's function-counting theorem gives
// P(storable | p) = 2^(1-p) sum_(k<d) C(p-1, k) exactly. The measured curve (300
// seeds, certified thresholds) holds it within its Wilson intervals at every p,
// at d = 3 and d = 5. The intervals are at z = 3.29 (99.9% each), so that with
// about 25 points the test is not a multiple-testing lottery; the seeds are
// fixed, so the outcome is deterministic. The same intervals must reject the
// count for d + 1 at 5 points at least, so that the test has power.
func TestVocabularyCover(t *testing.T) {
	m, err := model.Vocabulary(2, model.Answers{Kind: model.Uniform})
	if err != nil {
		t.Fatal(err)
	}
	const seeds, z = 300, 3.290526731491926
	for _, d := range []int{3, 5} {
		c, err := MeasureVocabCurve(context.Background(), VocabFamily{D: d, Model: m}, 1, seeds, z, lp.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if c.Undecided > 0 {
			t.Fatalf("d=%d: %d undecided thresholds", d, c.Undecided)
		}
		if len(c.Points) < 2*d {
			t.Fatalf("d=%d: curve ends at p=%d", d, len(c.Points))
		}
		wrong := 0 // points where Cover's count for d + 1 falls outside: the test's power
		for _, pt := range c.Points {
			want := theory.CoverProbability(pt.P, d)
			if want < pt.CI.Lo || want > pt.CI.Hi {
				t.Errorf("d=%d p=%d: %d/%d storable, interval [%.3f, %.3f], Cover %.4f", d, pt.P, pt.Storable, seeds, pt.CI.Lo, pt.CI.Hi, want)
			}
			if w := theory.CoverProbability(pt.P, d+1); w < pt.CI.Lo || w > pt.CI.Hi {
				wrong++
			}
		}
		if wrong < 5 {
			t.Errorf("d=%d: the count for d+1 falls outside only %d intervals: the test cannot tell d from d+1", d, wrong)
		}
	}
}
