package experiment

import (
	"context"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/model"
)

// A vocabulary instance whose first answer lies inside the convex hull of the
// other words has p* = 0 (d = 6, V = 16, seed 7: feasibility's
// TestVocabularyPStarZero proves it by the weights' convex combination). The
// sweep stores it as a certified record with lower 0, upper 1 and the not-
// storable certificate at p = 1, which a reopened store accepts; the same
// bracket claimed for a model where one association has no competitors is
// refused.
func TestSweepStoresVocabularyPStarZero(t *testing.T) {
	voc, err := model.Vocabulary(16, model.Answers{Kind: model.Uniform})
	if err != nil {
		t.Fatal(err)
	}
	s := Sweep{Ds: []int{6}, Models: []model.Model{voc}, FirstSeed: 7, Seeds: 1}
	g, err := s.Grid()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	st, err := OpenStore(dir, g)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := RunStore(context.Background(), st, s); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = OpenStore(dir, g)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	recs := st.Records()
	if len(recs) != 1 {
		t.Fatalf("%d records, want 1", len(recs))
	}
	r := recs[0]
	if !r.Certified || r.PStar != 0 || r.Lower != 0 || r.Upper != 1 || r.Certificates == nil || r.Certificates.NotStorable == "" || r.Certificates.Storable != "" {
		t.Fatalf("record %+v: want certified p* = 0 with the not-storable certificate at p = 1 only", r)
	}
	r.Unit.Model = model.Coupled
	cg := g
	cg.Models = []model.Model{model.Coupled}
	if err := checkRecord(r, cg); err == nil || !strings.Contains(err.Error(), "does not sit between") {
		t.Errorf("coupled record with p* = 0: %v, want refused", err)
	}
}
