package experiment

import (
	"context"
	"math"
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

// The sweep summary's theory column uses each model's own prediction: for a
// vocabulary model the surrogate's p_c(d, V) (theory.VocabCriticalP, what
// lamcap theory --vocab V prints) and its curve, computed point by point here
// with theory.VocabStorableProbability (Cover's exact count for V = 2); for
// the coupled model the paper's p_c at d, 22.2 at d = 8 against 2d = 16 for V = 2. A vocabulary model has no
// prediction at kappa > 0. (The p* values are made up: only the theory
// columns are under test.)
func TestSummaryTheoryByModel(t *testing.T) {
	const d = 8
	var recs []Record
	for _, name := range []string{"coupled", "vocabulary-2-uniform", "vocabulary-16-zipf1"} {
		m, err := model.ParseModel(name)
		if err != nil {
			t.Fatal(err)
		}
		for s, ps := range []int{14, 17, 21} {
			recs = append(recs, Record{Unit: Unit{D: d, Model: m, Seed: int64(s + 1)}, PStar: ps, Certified: true})
		}
	}
	groups, err := SummariseWithTheory(recs, 0)
	if err != nil {
		t.Fatal(err)
	}
	paper, err := TheoryPC(d, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		m, err := model.ParseModel(g.Model)
		if err != nil {
			t.Fatal(err)
		}
		want := paper
		if m.IsVocabulary() {
			if want, _, err = theory.VocabCriticalP(d, m.Vocab()); err != nil {
				t.Fatal(err)
			}
		}
		if g.TheoryPC != want {
			t.Errorf("%s: theory p_c %g, want %g", g.Model, g.TheoryPC, want)
		}
		if len(g.TheoryCurve) == 0 || g.TheoryCurve[0].P > 14 || g.TheoryCurve[len(g.TheoryCurve)-1].P < 22 {
			t.Fatalf("%s: the theory curve %v does not cover the measured p = 14..22", g.Model, g.TheoryCurve)
		}
		for _, pt := range g.TheoryCurve {
			wantP := 0.0
			if m.IsVocabulary() {
				c, err := theory.VocabStorableProbability(pt.P, d, m.Vocab())
				if err != nil {
					t.Fatal(err)
				}
				wantP = c.Exact
				if m.Vocab() == 2 && math.Abs(wantP-theory.CoverProbability(pt.P, d)) > 1e-12 {
					t.Fatalf("V = 2, p = %d: surrogate %g, Cover %g", pt.P, wantP, theory.CoverProbability(pt.P, d))
				}
			} else {
				break // the paper's curve is predictAtD's, tested with the sweeps
			}
			if math.Abs(pt.Storable-wantP) > 1e-12 {
				t.Errorf("%s p=%d: theory curve %g, want %g", g.Model, pt.P, pt.Storable, wantP)
			}
		}
	}
	for _, g := range groups {
		if g.Model == "vocabulary-2-uniform" && (math.Abs(g.TheoryPC-2*d) > 1e-9 || paper < 20) {
			t.Fatalf("V = 2's p_c %g (Cover: 2d = 16) and the paper's %g do not differ as they should", g.TheoryPC, paper)
		}
	}
	groups, err = SummariseWithTheory(recs, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		if (g.TheoryPC == 0) != (g.Model != "coupled") || len(g.TheoryCurve) != 0 {
			t.Errorf("kappa = 0.5, %s: theory p_c %g, %d curve points", g.Model, g.TheoryPC, len(g.TheoryCurve))
		}
	}
}

// The report names, per d, the solvers that pinned the thresholds, dimensions
// with the same solvers together.
func TestVocabSolversLine(t *testing.T) {
	groups := []VocabGroup{{D: 8, Solvers: "simplex"}, {D: 12, Solvers: "simplex"}, {D: 8, Solvers: "simplex"},
		{D: 32, Solvers: "ipm"}, {D: 32, Solvers: "ipm,simplex"}, {D: 48, Solvers: ""}}
	if got, want := vocabSolvers(groups), "d = 8, 12: simplex; d = 32: ipm, simplex; d = 48: none"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
