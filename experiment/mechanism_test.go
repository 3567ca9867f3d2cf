package experiment

import (
	"context"
	"math"
	"testing"

	"github.com/lamcap/lamcap/model"
)

// The mechanism study of a vocabulary model: a score row has V entries and the
// own slot is the answer a(mu), not mu. Before the study used Instance.Own, it
// panicked here (index out of range in Tightness.Add at p > V). The checks are
// counts and identities that hold only with the right slot: every association
// has exactly V - 1 competitor scores, at most V - 1 of them tight, and the
// tightness's mean correct score is the optimal memory's mean correct score as
// ScoreSample gathers it (a second loop over the same scores).
func TestMechanismVocabulary(t *testing.T) {
	const d, v, seeds = 6, 4, 3
	m, err := model.Vocabulary(v, model.Answers{Kind: model.Uniform})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := StudyMechanism(context.Background(), MechanismSettings{
		Family: Family{D: d, Embedding: model.Gaussian, FirstSeed: 1, Seeds: seeds}, Models: []model.Model{m}})
	if err != nil {
		t.Fatal(err)
	}
	pc, err := ModelPC(d, m)
	if err != nil {
		t.Fatal(err)
	}
	if want := int(DefaultLoad * pc); doc.P != want || doc.P <= v {
		t.Fatalf("default p = %d, want %d (80%% of the vocabulary p_c %.2f), above V = %d", doc.P, want, pc, v)
	}
	if len(doc.Models) != 1 || doc.Models[0].Model != m.String() {
		t.Fatalf("models %v, want only %v", doc.Models, m)
	}
	if doc.Spectra != nil {
		t.Errorf("spectra compared for one vocabulary model: %v", doc.Spectra)
	}
	r := doc.Models[0]
	if r.Used == 0 {
		t.Fatalf("no storable instance of %v at d=%d p=%d", m, d, doc.P)
	}
	if want := math.Sqrt(2 * math.Log(v)); r.EVLevel != want {
		t.Errorf("extreme-value level %v, want sqrt(2 log V) = %v", r.EVLevel, want)
	}
	assocs := r.Used * doc.P
	comp := 0
	for _, c := range r.Tight.Competitor.Counts {
		comp += c
	}
	if comp != assocs*(v-1) {
		t.Errorf("%d competitor scores, want %d associations x (V-1) = %d", comp, assocs, assocs*(v-1))
	}
	n := 0
	for _, c := range r.Tight.Counts {
		n += c
	}
	if n != assocs || len(r.Tight.Counts) > v {
		t.Errorf("tight counts %v: want %d associations with at most V-1 = %d tight competitors", r.Tight.Counts, assocs, v-1)
	}
	if r.Tight.Counts[0] == assocs {
		t.Errorf("no association has a tight competitor at the max-margin memory: %v", r.Tight.Counts)
	}
	opt := r.Rules[Optimal].Recall
	if math.Abs(r.Tight.Correct-opt.Correct.Mean) > 1e-12*math.Max(1, math.Abs(opt.Correct.Mean)) {
		t.Errorf("tightness correct score %v, score sample %v", r.Tight.Correct, opt.Correct.Mean)
	}
	if opt.FractionRecalled != 1 || opt.FractionOrdered != 1 {
		t.Errorf("the optimal memory of a storable instance recalls %v, orders %v", opt.FractionRecalled, opt.FractionOrdered)
	}
}

// A single storable instance has no standard deviation: Describe reports 0
// (JSON has no NaN), so that the study of one seed can be written.
func TestDescribeOneValue(t *testing.T) {
	m := Describe([]float64{2.5})
	if m.N != 1 || m.Mean != 2.5 || m.SD != 0 || m.Quantiles["0.5"] != 2.5 {
		t.Errorf("Describe of one value: %+v", m)
	}
}

// DefaultMechanismP: 80% of each model's finite-size p_c; at V = 2 that is
// Cover's 2d exactly, and a vocabulary model beside the paper's, whose p_c
// differ, has no common default.
func TestDefaultMechanismP(t *testing.T) {
	const d = 8
	v2, err := model.Vocabulary(2, model.Answers{Kind: model.Balanced})
	if err != nil {
		t.Fatal(err)
	}
	p, err := DefaultMechanismP(d, []model.Model{v2})
	if cover := int(math.Floor(DefaultLoad * 2 * float64(d))); err != nil || p != cover {
		t.Errorf("V=2: p = %d, %v; want %d (80%% of Cover's 2d)", p, err, cover)
	}
	want, err := DefaultStudyP(d)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := DefaultMechanismP(d, nil); err != nil || p != want {
		t.Errorf("default models: p = %d, %v; want %d", p, err, want)
	}
	if _, err := DefaultMechanismP(d, []model.Model{model.Coupled, v2}); err == nil {
		t.Error("coupled beside vocabulary-2: no error")
	}
}
