package experiment

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// Every verdict of a verdict sweep is the one the full p* of the same
// instance implies: storable at p0 exactly when p0 <= p* (nesting), with the
// certificate of the one verdict named, checked again on reading, and the
// counts of the summary those of the records. Both solvers the sweeps use:
// the simplex (warm searches) and the interior-point method (sign-only
// bracketing verdicts).
func TestVerdictSweepAgreesWithPStar(t *testing.T) {
	models := []model.Model{model.Coupled, model.Decoupled}
	for _, m := range []lp.Method{lp.MethodSimplex, lp.MethodIPM} {
		full, err := Run(context.Background(), Sweep{Ds: []int{8}, Models: models, FirstSeed: 1, Seeds: 8, Workers: 1, LP: lp.Options{Method: m}})
		if err != nil {
			t.Fatal(err)
		}
		pstar := map[Unit]int{}
		for _, r := range full.Records {
			if !r.Certified {
				t.Fatalf("%s: no p*", r.Unit.Name())
			}
			pstar[r.Unit] = r.PStar
		}
		// p0 = 22 and 21 split the 8 seeds at d = 8 (p* from 19 to 24).
		at := []VerdictPoint{{8, model.Coupled, 22}, {8, model.Decoupled, 21}}
		dir := t.TempDir()
		s := Sweep{Ds: []int{8}, Models: models, FirstSeed: 1, Seeds: 8, Workers: 1, At: at, LP: lp.Options{Method: m}}
		g, err := s.Grid()
		if err != nil {
			t.Fatal(err)
		}
		st, err := OpenStore(dir, g)
		if err != nil {
			t.Fatal(err)
		}
		res, err := RunStore(context.Background(), st, s)
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		recs, rg, bad, err := ReadRecords(dir) // certificates re-checked
		if err != nil || len(bad) > 0 || len(recs) != 16 || !rg.IsVerdicts() {
			t.Fatalf("read back %d records, %d bad, err %v", len(recs), len(bad), err)
		}
		var storable, not int
		for _, r := range recs {
			v, ok := VerdictOf(r, rg)
			want := feasibility.NotStorable
			if v.P <= pstar[r.Unit] {
				want = feasibility.Storable
			}
			if !ok || v.Status != want || r.TakenAsWritten() || v.Iterations <= 0 {
				t.Errorf("%s %s: verdict %s at p = %d, p* = %d (as written %v, %d iterations)", m, r.Unit.Name(), v.Status, v.P, pstar[r.Unit], r.TakenAsWritten(), v.Iterations)
			}
			switch want {
			case feasibility.Storable:
				storable++
				if !(v.Margin > 0) || v.Certificates.Storable == "" {
					t.Errorf("%s: storable without margin or certificate: %+v", r.Unit.Name(), v)
				}
			default:
				not++
				if !(v.Residual >= 0) || v.Certificates.NotStorable == "" || r.LambdaRows == 0 {
					t.Errorf("%s: not storable without certificate: %+v", r.Unit.Name(), v)
				}
			}
		}
		if storable == 0 || not == 0 {
			t.Errorf("%s: p0 does not split the seeds (%d storable, %d not)", m, storable, not)
		}
		var gs, gn int
		for _, vg := range res.Verdicts {
			gs, gn = gs+vg.Storable, gn+vg.NotStorable
			if vg.Undecided != 0 || vg.CI.Lo > vg.Fraction || vg.CI.Hi < vg.Fraction {
				t.Errorf("group %+v", vg)
			}
		}
		if gs != storable || gn != not || len(res.Groups) != 0 {
			t.Errorf("summary counts %d/%d, records %d/%d; %d p* groups", gs, gn, storable, not, len(res.Groups))
		}
	}
}

// A verdict grid refuses points that do not cover its (d, model)s once each,
// and records that are not one verdict at its p; a p* directory is not
// resumed as a verdict sweep.
func TestVerdictGridChecks(t *testing.T) {
	models := []model.Model{model.Coupled, model.Decoupled}
	for _, at := range [][]VerdictPoint{
		{{8, model.Coupled, 22}},
		{{8, model.Coupled, 22}, {8, model.Coupled, 21}, {8, model.Decoupled, 21}},
		{{8, model.Coupled, 22}, {9, model.Decoupled, 21}},
		{{8, model.Coupled, 1}, {8, model.Decoupled, 21}},
	} {
		if _, err := (Sweep{Ds: []int{8}, Models: models, Seeds: 2, At: at}).Grid(); err == nil {
			t.Errorf("points %v accepted", at)
		}
	}
	if _, err := (Sweep{Ds: []int{8}, Models: models, Seeds: 2, Kappa: 0.5, At: []VerdictPoint{{8, model.Coupled, 22}, {8, model.Decoupled, 21}}}).Grid(); err == nil {
		t.Error("kappa > 0 accepted with verdict points")
	}
	g, err := Sweep{Ds: []int{8}, Models: models, Seeds: 2, At: []VerdictPoint{{8, model.Decoupled, 21}, {8, model.Coupled, 22}}}.Grid()
	if err != nil {
		t.Fatal(err)
	}
	u := Unit{8, model.Coupled, 1}
	base := Record{Unit: u, Embedding: model.Gaussian, Eps: g.Eps, PStar: -1, Solves: 1}
	for _, c := range []struct {
		r  func(Record) Record
		ok bool
	}{
		{func(r Record) Record { r.Lower = 22; return r }, true},
		{func(r Record) Record { r.Upper = 22; return r }, true},
		{func(r Record) Record { r.Undecided = 1; return r }, true},
		{func(r Record) Record { r.Lower = 21; return r }, false},
		{func(r Record) Record { r.Lower, r.Upper = 22, 23; return r }, false},
		{func(r Record) Record { r.Upper = 22; r.Solves = 2; return r }, false},
		{func(r Record) Record { r.PStar, r.Certified, r.Lower, r.Upper = 22, true, 22, 23; return r }, false},
		{func(r Record) Record { return r }, false}, // neither side, not counted undecided
	} {
		if err := checkRecord(c.r(base), g); (err == nil) != c.ok {
			t.Errorf("record %+v: err %v, want ok %v", c.r(base), err, c.ok)
		}
	}
	// An empty list of points is a p* grid, the same as none.
	g0, _ := Sweep{Ds: []int{8}, Models: models, Seeds: 2}.Grid()
	if ge, err := (Sweep{Ds: []int{8}, Models: models, Seeds: 2, At: []VerdictPoint{}}).Grid(); err != nil || !ge.Same(g0) || ge.IsVerdicts() {
		t.Errorf("an empty At: grid %+v (err %v), not the p* grid", ge, err)
	}
	// A directory of p* records is another grid.
	dir := t.TempDir()
	pg, _ := Sweep{Ds: []int{8}, Models: models, Seeds: 2}.Grid()
	st, err := OpenStore(dir, pg)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	_, err = OpenStore(dir, g)
	var de *DirError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "verdict_at") {
		t.Errorf("a p* directory opened as a verdict sweep: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, GridFile)); strings.Contains(string(b), "verdict_at") {
		t.Error("the p* grid names verdict points")
	}
}
