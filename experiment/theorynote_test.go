package experiment

import (
	"strings"
	"testing"

	"github.com/lamcap/lamcap/model"
)

// The theory column is set only beside embeddings the Gaussian surrogate
// describes, and the table's foot names the theory that is there.
func TestTheoryOnlyForIndependentEmbeddings(t *testing.T) {
	corr, err := model.Correlated(0.3)
	if err != nil {
		t.Fatal(err)
	}
	recs := func(e model.Embedding) []Record {
		var rs []Record
		for s, p := range []int{20, 21, 22} {
			rs = append(rs, Record{Unit: Unit{D: 8, Model: model.Coupled, Seed: int64(s + 1)}, Embedding: e,
				PStar: p, Certified: true, Lower: p, Upper: p + 1})
		}
		return rs
	}
	for _, c := range []struct {
		e      model.Embedding
		theory bool
		note   string
	}{
		{model.Gaussian, true, "Gaussian surrogate"},
		{model.Sphere, true, "sphere vectors store more"},
		{corr, false, "theory: none for correlated:0.3 vectors"},
		{model.User, false, "theory: none for user vectors"},
	} {
		sum, err := SummariseWithTheory(recs(c.e), 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(sum) != 1 || (sum[0].TheoryPC > 0) != c.theory || (len(sum[0].TheoryCurve) > 0) != c.theory {
			t.Errorf("%v: theory p_c %v with %d curve points, want a prediction: %v", c.e, sum[0].TheoryPC, len(sum[0].TheoryCurve), c.theory)
		}
		note := TheoryNote(Grid{Embedding: c.e, Models: []model.Model{model.Coupled}})
		if !strings.Contains(note, c.note) {
			t.Errorf("%v: note %q does not say %q", c.e, note, c.note)
		}
	}
}
