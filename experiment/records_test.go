package experiment

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/model"
)

// Every record a sweep writes names its kappa and eps, and the scale eps is
// relative to, so that a line read out of its directory says what it is; its
// residual is within eps of that scale.
func TestRecordsDescribeThemselves(t *testing.T) {
	_, lines := undisturbed(t)
	for _, line := range lines {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"kappa", "eps"} {
			if _, ok := m[k]; !ok {
				t.Fatalf("record without %q: %s", k, line)
			}
		}
		var r Record
		json.Unmarshal(line, &r)
		if r.ForKappa != 0 || r.Eps != storeGrid.Eps {
			t.Errorf("record says kappa %g, eps %g; its sweep's are 0, %g", r.ForKappa, r.Eps, storeGrid.Eps)
		}
		if r.Upper > 0 && !(r.EpsScale > 0 && r.Residual <= r.Eps*r.EpsScale) {
			t.Errorf("%s: residual %g, eps %g, scale %g: want 0 <= residual <= eps x scale", r.Unit.Name(), r.Residual, r.Eps, r.EpsScale)
		}
	}
}

// A line that names another kappa or eps than its directory's grid is refused
// with a message naming both; a line of an older lamcap, without them, is read
// with the grid's.
func TestRecordKappaAndEpsAgainstGrid(t *testing.T) {
	line := []byte(`{"d":4,"model":"coupled","seed":1,"embedding":"gaussian","p_star":-1,"certified":false,"lower":0,"upper":0,` +
		`"margin_at_p_star":0,"residual_at_p_star_plus_1":0,"solves":1,"undecided_verdicts":1,"iterations":0,"seconds":0}`)
	g := storeGrid
	g.Kappa = 0.5
	r, err := ParseRecord(line, g)
	if err != nil {
		t.Fatal(err)
	}
	if r.ForKappa != 0.5 || r.Eps != g.Eps {
		t.Errorf("an older record read in a kappa = 0.5 grid says kappa %g, eps %g", r.ForKappa, r.Eps)
	}
	with := func(k, v string) []byte {
		return bytes.Replace(line, []byte(`"p_star"`), []byte(`"`+k+`":`+v+`,"p_star"`), 1)
	}
	for _, c := range []struct {
		line []byte
		want string
	}{
		{with("kappa", "1"), "is for kappa = 1, the sweep's is 0.5"},
		{with("kappa", "0"), "is for kappa = 0, the sweep's is 0.5"},
		{with("eps", "1e-9"), "was decided with eps = 1e-09, the sweep's is 1e-06"},
		{with("eps_scale", "-1"), "negative count"},
	} {
		if _, err := ParseRecord(c.line, g); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.line, err, c.want)
		}
	}
	if r, err := ParseRecord(with("kappa", "0.5"), g); err != nil || r.ForKappa != 0.5 {
		t.Errorf("a record of the grid's kappa: %v, kappa %g", err, r.ForKappa)
	}
	d := with("disagreements", `["p = 3: ipm certified not storable; simplex found a W, kept"]`)
	if r, err := ParseRecord(d, g); err != nil || len(r.Disagreements) != 1 {
		t.Errorf("a record with a disagreement: %v, %q", err, r.Disagreements)
	}
}

// The committed records (docs/data) read as their grids say: every record of
// a kappa = 0.5 directory is a kappa = 0.5 record, none is set aside, and
// resuming a copy rewrites nothing.
func TestCommittedRecordsReadWithTheirGrid(t *testing.T) {
	dirs, _ := filepath.Glob("../docs/data/*/*/grid.json")
	if len(dirs) < 10 {
		t.Fatalf("found %d committed sweep directories, want the kappa and science ones", len(dirs))
	}
	kappas := map[float64]bool{}
	for _, gp := range dirs {
		dir := filepath.Dir(gp)
		recs, g, bad, err := ReadRecords(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(bad) > 0 || len(recs) == 0 {
			t.Errorf("%s: %d records, %d bad (first: %+v)", dir, len(recs), len(bad), bad)
		}
		for _, r := range recs {
			if r.ForKappa != g.Kappa || r.Eps != g.Eps {
				t.Fatalf("%s: %s says kappa %g, eps %g; grid.json says %g, %g", dir, r.Unit.Name(), r.ForKappa, r.Eps, g.Kappa, g.Eps)
			}
		}
		kappas[g.Kappa] = true
	}
	if !kappas[0] || !kappas[0.5] || !kappas[1] {
		t.Errorf("kappas of the committed sweeps %v, want 0, 0.5 and 1", kappas)
	}

	// Resume and merge a kappa = 1 directory: the file is not rewritten, and
	// the merged records carry kappa = 1 themselves.
	src := "../docs/data/kappa/sphere-k1"
	b, err := os.ReadFile(filepath.Join(src, GridFile))
	if err != nil {
		t.Fatal(err)
	}
	g, err := parseGrid(GridFile, b)
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := os.ReadFile(filepath.Join(src, RecordsFile))
	dir := t.TempDir()
	writeLines(t, filepath.Join(dir, GridFile), b)
	writeLines(t, filepath.Join(dir, RecordsFile), recs)
	st, err := OpenStore(dir, g)
	if err != nil {
		t.Fatal(err)
	}
	n := len(st.Records())
	st.Close()
	if got, _ := os.ReadFile(filepath.Join(dir, RecordsFile)); !bytes.Equal(got, recs) || len(st.Rejected) > 0 || n != len(g.Units()) {
		t.Errorf("resuming %s: %d of %d records, %d rejected, file unchanged %v", src, n, len(g.Units()), len(st.Rejected), bytes.Equal(got, recs))
	}
	out := filepath.Join(t.TempDir(), "merged")
	res, err := Merge(out, []string{src}, nil)
	if err != nil {
		t.Fatal(err)
	}
	merged, _ := os.ReadFile(filepath.Join(out, RecordsFile))
	if k := bytes.Count(merged, []byte(`"kappa":1,"eps":0.000001,`)); k != len(res.Records) || k != n {
		t.Errorf("merged %s: %d of %d lines name kappa 1 and eps 1e-6", src, k, len(res.Records))
	}
}

// A summary counts the instances at which solvers disagreed.
func TestSummaryCountsDisagreements(t *testing.T) {
	u := func(seed int64) Unit { return Unit{D: 4, Model: model.Coupled, Seed: seed} }
	recs := []Record{
		{Unit: u(1), PStar: 5, Certified: true, Lower: 5, Upper: 6, Disagreements: []string{"p = 5: x", "p = 4: y"}},
		{Unit: u(2), PStar: 6, Certified: true, Lower: 6, Upper: 7},
		{Unit: u(3), PStar: -1, Disagreements: []string{"p = 6: z"}},
	}
	gs := Summarise(recs)
	if len(gs) != 1 || gs[0].Disagreements != 2 {
		t.Fatalf("summary %+v: want 2 instances with disagreements", gs)
	}
	csv := NewSummary(storeGrid, gs, "test").CSV()
	if !strings.HasPrefix(csv, "d,model,instances,undecided,disagreements,") || !strings.Contains(csv, "\n4,coupled,3,1,2,") {
		t.Errorf("summary.csv does not count the disagreements after the undecided:\n%s", csv)
	}
}

// A record names the revision of the build that computed it; records without
// one (an older lamcap's) still read, and reading keeps the field as written.
func TestRecordRevision(t *testing.T) {
	u := Unit{D: 4, Model: model.Coupled, Seed: 1}
	r := NewRecord(u, model.Gaussian, feasibility.Threshold{PStar: 5, Certified: true, Lower: 5, Upper: 6})
	r.Eps = storeGrid.Eps
	if r.Revision != engineRevision() {
		t.Errorf("NewRecord's revision %q, want the build's %q", r.Revision, engineRevision())
	}
	r.Revision = "0123abcd (modified)"
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"revision":"0123abcd (modified)"`) {
		t.Fatalf("record line %s names no revision", b)
	}
	old := strings.Replace(string(b), `,"revision":"0123abcd (modified)"`, "", 1)
	for _, c := range []struct{ line, want string }{{string(b), "0123abcd (modified)"}, {old, ""}} {
		got, err := ParseRecord([]byte(c.line), storeGrid)
		if err != nil {
			t.Fatalf("%s: %v", c.line, err)
		}
		if got.Revision != c.want {
			t.Errorf("revision read back %q, want %q", got.Revision, c.want)
		}
	}
}

// summary.json holds no estimate for a group with no certified instance (it
// wrote p_c 0 [0, 0]), and a group with one is written field for field.
func TestSummaryJSONNoEstimateWithoutCertified(t *testing.T) {
	u := func(m model.Model, seed int64) Unit { return Unit{D: 4, Model: m, Seed: seed} }
	recs := []Record{
		{Unit: u(model.Coupled, 1), PStar: 5, Certified: true, Lower: 5, Upper: 6},
		{Unit: u(model.Coupled, 2), PStar: 7, Certified: true, Lower: 7, Upper: 8},
		{Unit: u(model.Decoupled, 1), PStar: -1},
	}
	keys := []string{"p_c", "p_c_ci95", "mean_p_star", "mean_p_star_se", "mean_plus_half", "mean_plus_half_ci95"}
	for _, g := range Summarise(recs) {
		b, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		certified := g.Instances > g.Undecided
		for _, k := range keys {
			if _, ok := m[k]; ok != certified {
				t.Errorf("%s group (%d instances, %d undecided): field %s present %v", g.Model, g.Instances, g.Undecided, k, ok)
			}
		}
		if _, ok := m["instances"]; !ok {
			t.Errorf("%s group: no instances field in %s", g.Model, b)
		}
		if certified && (string(m["p_c"]) != "6" || string(m["mean_plus_half"]) != "6.5") {
			t.Errorf("coupled group: p_c %s, mean + 1/2 %s, want 6 and 6.5", m["p_c"], m["mean_plus_half"])
		}
	}
}
