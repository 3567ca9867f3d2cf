package validation

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/plot"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/model"
	"github.com/lamcap/lamcap/stats"
)

// synthetic makes records for two models at a few d: p* normal around a centre,
// the coupled one shifted by gap times the centre plus a shared per-seed part,
// as paired instances are.
func synthetic(ds []int, seeds int, gap float64) []experiment.Record {
	r := rand.New(rand.NewPCG(7, 7))
	var recs []experiment.Record
	for _, d := range ds {
		centre := float64(d*d) / math.Log(float64(d*d))
		for s := 1; s <= seeds; s++ {
			shared := r.NormFloat64() * 0.03 * centre
			dec := int(math.Round(centre + shared + r.NormFloat64()*0.01*centre))
			cou := int(math.Round(centre*(1+gap) + shared + r.NormFloat64()*0.01*centre))
			for m, p := range map[model.Model]int{model.Coupled: cou, model.Decoupled: dec} {
				recs = append(recs, experiment.Record{Unit: experiment.Unit{D: d, Model: m, Seed: int64(s)},
					Embedding: model.Gaussian, PStar: p, Certified: true, Lower: p, Upper: p + 1})
			}
		}
	}
	// One undecided record: counted, never used.
	recs = append(recs, experiment.Record{Unit: experiment.Unit{D: ds[0], Model: model.Coupled, Seed: int64(seeds + 1)},
		Embedding: model.Gaussian, PStar: -1})
	return recs
}

// paired150 is the report of synthetic([]int{8, 12, 16}, 150, 0.03) with
// default settings, analysed once for the tests that read it
// (TestPairedStatistics, TestFewPairsShownNotFitted): each Analyze costs
// seconds of theory.CriticalP. The tests only read it.
var paired150 struct {
	once sync.Once
	recs []experiment.Record
	rep  Report
	err  error
}

func pairedFixture(t *testing.T) ([]experiment.Record, Report) {
	t.Helper()
	paired150.once.Do(func() {
		paired150.recs = synthetic([]int{8, 12, 16}, 150, 0.03)
		paired150.rep, paired150.err = Analyze(paired150.recs, Settings{})
	})
	if paired150.err != nil {
		t.Fatal(paired150.err)
	}
	return slices.Clip(paired150.recs), paired150.rep
}

// The paired statistics agree with a direct computation: the mean difference
// over common seeds, its standard error, and a bootstrap interval whose width
// matches the normal one; undecided records are counted, not used.
func TestPairedStatistics(t *testing.T) {
	recs, rep := pairedFixture(t)
	if len(rep.Pairs) != 3 {
		t.Fatalf("want 3 pairs, got %d", len(rep.Pairs))
	}
	for _, p := range rep.Pairs {
		by := map[string]map[int64]int{"coupled": {}, "decoupled": {}}
		for _, r := range recs {
			if r.D == p.D && r.Certified {
				by[r.Model.String()][r.Seed] = r.PStar
			}
		}
		var diffs []float64
		var sumDec float64
		for s, c := range by["coupled"] {
			if d, ok := by["decoupled"][s]; ok {
				diffs = append(diffs, float64(c-d))
				sumDec += float64(d)
			}
		}
		var m, v float64
		for _, x := range diffs {
			m += x
		}
		m /= float64(len(diffs))
		for _, x := range diffs {
			v += (x - m) * (x - m)
		}
		se := math.Sqrt(v / float64(len(diffs)-1) / float64(len(diffs)))
		if p.N != len(diffs) || math.Abs(p.Diff-m) > 1e-12 || math.Abs(p.DiffSE-se) > 1e-12 {
			t.Errorf("d=%d: pairs %d mean %g se %g, direct %d %g %g", p.D, p.N, p.Diff, p.DiffSE, len(diffs), m, se)
		}
		if w, want := p.DiffCI.Hi-p.DiffCI.Lo, 2*stats.Z95*se; math.Abs(w-want) > 0.15*want {
			t.Errorf("d=%d: bootstrap interval width %g, normal %g", p.D, w, want)
		}
		if g := m / (sumDec / float64(len(diffs))); math.Abs(p.Gap-g) > 1e-12 {
			t.Errorf("d=%d: gap %g, direct %g", p.D, p.Gap, g)
		}
		if !(p.GapCI.Lo < 0.03 && 0.03 < p.GapCI.Hi) {
			t.Errorf("d=%d: gap interval %v misses the true 3%%", p.D, p.GapCI)
		}
	}
	if rep.Groups[0].Undecided != 1 || rep.Groups[0].N != 151 {
		t.Errorf("undecided record: group has n=%d undecided=%d", rep.Groups[0].N, rep.Groups[0].Undecided)
	}
	// A constant gap was put in: the constant fit must be acceptable.
	for _, f := range rep.GapFits {
		if f.Form == "constant c" && (f.PValue < 0.01 || math.Abs(f.Params[0]-0.03) > 4*f.SE[0]) {
			t.Errorf("constant fit %+v does not recover the 3%% gap", f)
		}
	}
}

// The report and its figures regenerate byte for byte from the same records.
func TestRegenerationIsExact(t *testing.T) {
	recs := synthetic([]int{8, 12}, 40, 0.02)
	render := func(dir string) map[string][]byte {
		rep, err := Analyze(recs, Settings{})
		if err != nil {
			t.Fatal(err)
		}
		if err := rep.WriteFigures(dir); err != nil {
			t.Fatal(err)
		}
		out := map[string][]byte{"validation.md": []byte(rep.Markdown([]string{"x"}, "cmd"))}
		files, _ := filepath.Glob(filepath.Join(dir, "validation-*"))
		for _, f := range files {
			b, _ := os.ReadFile(f)
			out[filepath.Base(f)] = b
		}
		return out
	}
	a, b := render(t.TempDir()), render(t.TempDir())
	if len(a) != 7 {
		t.Fatalf("want the report and 6 figures, got %d files", len(a))
	}
	for name, x := range a {
		if string(x) != string(b[name]) {
			t.Errorf("%s differs between two regenerations", name)
		}
	}
}

// The mechanism section reports each compare-models row with its load, pairs
// kappa* seed by seed, corrects every test by Holm, and is left out when there
// are no rows.
func TestMechanismSection(t *testing.T) {
	var r Report
	if strings.Contains(r.Markdown(nil, "cmd"), "Mechanism at scale") {
		t.Fatal("a report without a comparison has a mechanism section")
	}
	seeds := []int64{1, 2, 3, 4, 5, 6}
	rows := []experiment.CompareRow{
		{D: 32, P: 145, Model: "coupled", Kappa: 0.41234, KappaCI: stats.Interval{Lo: 0.4, Hi: 0.42}, Correct: 1.5, MaxComp: 1.1, TopSV: 3.25, KS: 0.0412, KSp: 0.31, KSPerm: 0.001, Used: 6,
			Seeds: seeds, KappaStars: []float64{0.41, 0.42, 0.40, 0.43, 0.41, 0.42}},
		{D: 32, P: 145, Model: "decoupled", Kappa: 0.40111, KappaCI: stats.Interval{Lo: 0.39, Hi: 0.41}, Correct: 1.4, MaxComp: 1.05, KS: 0.0412, KSp: 0.31, KSPerm: 0.001, Used: 6,
			Seeds: seeds, KappaStars: []float64{0.40, 0.41, 0.40, 0.42, 0.40, 0.41}},
	}
	if err := r.SetMechanism(rows, Settings{}); err != nil {
		t.Fatal(err)
	}
	// Paired differences 0.01, 0.01, 0, 0.01, 0.01, 0.01: mean 0.05/6.
	if len(r.KappaPairs) != 1 || r.KappaPairs[0].N != 6 || math.Abs(r.KappaPairs[0].Diff-0.05/6) > 1e-12 {
		t.Fatalf("kappa pairs %+v", r.KappaPairs)
	}
	// Two tests: Holm multiplies the smaller p-value by 2.
	if len(r.Tests) != 2 {
		t.Fatalf("tests %+v", r.Tests)
	}
	for _, x := range r.Tests {
		if x.Name == "spectra (paired KS permutation)" && math.Abs(x.Holm-0.002) > 1e-12 && x.Holm < x.PValue {
			t.Errorf("Holm-adjusted %g from %g", x.Holm, x.PValue)
		}
	}
	md := r.Markdown(nil, "cmd")
	for _, want := range []string{"## Mechanism at scale", "| 32 | equal-p | 145 | coupled | 6 | 0.4123 [0.4000, 0.4200] | 1.500 | 1.100 | 3.250 | 0.041 | 0.001 | 0.31 |",
		"| 32 | equal-p | 6 | +0.0083 +- ", "| 32 | equal-p | spectra (paired KS permutation) | 0.001 |"} {
		if !strings.Contains(md, want) {
			t.Errorf("mechanism section lacks %q", want)
		}
	}
}

// SpliceClaims replaces exactly the text between the markers, and refuses a
// document without them.
func TestSpliceClaims(t *testing.T) {
	doc := []byte("intro\n" + ClaimsBegin + "\nold\n" + ClaimsEnd + "\noutro\n")
	out, err := SpliceClaims(doc, ClaimsBegin+"\nnew\n"+ClaimsEnd+"\n")
	if err != nil || string(out) != "intro\n"+ClaimsBegin+"\nnew\n"+ClaimsEnd+"\noutro\n" {
		t.Errorf("spliced %q, %v", out, err)
	}
	if _, err := SpliceClaims([]byte("no markers"), "x"); err == nil {
		t.Error("a document without markers was spliced")
	}
}

// Records at d = 96 and 128, when present, enter every table, the power
// statement ("measured so far") and the figures' d axis.
func TestLargeDimensionsReported(t *testing.T) {
	recs := synthetic([]int{8, 16, 32, 96, 128}, 12, 0.02)
	rep, err := Analyze(recs, Settings{Bootstrap: 200})
	if err != nil {
		t.Fatal(err)
	}
	md := rep.Markdown([]string{"x"}, "cmd")
	for _, want := range []string{"| 96 | coupled | 12 |", "| 128 | decoupled | 12 |", "| 128 | 12 |", "d = 96 has 12, d = 128 has 12"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, p := range []*plot.Plot{rep.scalePlot(), rep.gapPlot()} {
		if p.X.Max < 128 {
			t.Errorf("%q: d axis ends at %g", p.Title.Text, p.X.Max)
		}
	}
}

// A d with fewer than MinPairs pairs is shown with Student t intervals and left
// out of the fits: adding 4 pairs at d = 20 whose gap is far from the others
// leaves every fit as it was, and the interval is mean +- t(3) SE, not the
// bootstrap's (which over 4 seeds is about the range of the data).
func TestFewPairsShownNotFitted(t *testing.T) {
	base, rep0 := pairedFixture(t)
	few := synthetic([]int{20}, 4, 0.10)
	rep, err := Analyze(append(base, few...), Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Pairs) != 4 {
		t.Fatalf("%d pairs, want 4", len(rep.Pairs))
	}
	p := rep.Pairs[3]
	if p.D != 20 || p.N != 4 || p.Fitted() {
		t.Fatalf("d = 20: %+v, want 4 pairs not fitted", p)
	}
	t3 := 3.182446305284263 // Student t, 3 d.o.f., 0.975 quantile (tables)
	if math.Abs(p.DiffCI.Hi-p.Diff-t3*p.DiffSE) > 1e-9 || math.Abs(p.Diff-p.DiffCI.Lo-t3*p.DiffSE) > 1e-9 {
		t.Errorf("d = 20: interval %v around %g, want +- %g x SE %g", p.DiffCI, p.Diff, t3, p.DiffSE)
	}
	if len(rep.GapFits) != len(rep0.GapFits) {
		t.Fatalf("%d fits, want %d", len(rep.GapFits), len(rep0.GapFits))
	}
	for i, f := range rep.GapFits {
		if f.Chi2 != rep0.GapFits[i].Chi2 || f.DoF != rep0.GapFits[i].DoF {
			t.Errorf("%s: chi2 %g on %d with the few pairs, %g on %d without", f.Form, f.Chi2, f.DoF, rep0.GapFits[i].Chi2, rep0.GapFits[i].DoF)
		}
	}
	md := rep.Markdown(nil, "lamcap validate")
	if !strings.Contains(md, "| 20 | 4 |") || !strings.Contains(md, "(t): fewer than 10 pairs") {
		t.Errorf("the report does not show d = 20's 4 pairs marked (t)")
	}
}

// scriptTargets reads the pair targets scripts/science-sweep.sh states: its
// run lines (part, d, seeds) and its comment ("d = 96: 40 pairs (seeds 1..40,
// docs/data/science/d96)").
func scriptTargets(t *testing.T) (runs, comment map[int]Target) {
	t.Helper()
	b, err := os.ReadFile("../scripts/science-sweep.sh")
	if err != nil {
		t.Fatal(err)
	}
	runs, comment = map[int]Target{}, map[int]Target{}
	for _, m := range regexp.MustCompile(`(?m)^(?:workers=\d+ )?run (\S+) (\d+) (\d+)\b`).FindAllStringSubmatch(string(b), -1) {
		d, _ := strconv.Atoi(m[2])
		n, _ := strconv.Atoi(m[3])
		runs[d] = Target{D: d, Pairs: n, Part: m[1]}
	}
	text := strings.ReplaceAll(string(b), "\n#  ", "")
	for _, m := range regexp.MustCompile(`d = (\d+): (\d+) pairs\s+\(seeds 1\.\.(\d+), docs/data/science/(\S+)\)`).FindAllStringSubmatch(text, -1) {
		d, _ := strconv.Atoi(m[1])
		n, _ := strconv.Atoi(m[2])
		if m[3] != m[2] {
			t.Errorf("the script's comment: d = %d: %s pairs but seeds 1..%s", d, m[2], m[3])
		}
		comment[d] = Target{D: d, Pairs: n, Part: m[4]}
	}
	return runs, comment
}

// scripts/science-sweep.sh runs, and its comment states, the pair targets
// of validation.Targets: seeds 1..Pairs of both models in the part's
// directory.
func TestTargetsMatchScript(t *testing.T) {
	runs, comment := scriptTargets(t)
	if len(Targets) == 0 {
		t.Fatal("no targets")
	}
	for _, want := range Targets {
		if got, ok := runs[want.D]; !ok || got != want {
			t.Errorf("the script runs %+v for d = %d, validation.Targets says %+v", got, want.D, want)
		}
		if got, ok := comment[want.D]; !ok || got != want {
			t.Errorf("the script's comment says %+v for d = %d, validation.Targets says %+v", got, want.D, want)
		}
	}
}

// withD128 is base with n records at d = 128 added, seeds 1, 1, 2, 2, ...
// alternating coupled and decoupled (so n records hold n/2 pairs), p* near
// theory's, the coupled one 1.5% higher, each with seconds and iterations.
func withD128(base []experiment.Record, n int) []experiment.Record {
	recs := slices.Clip(base)
	for i := 0; i < n; i++ {
		seed := int64(i/2 + 1)
		m, p := model.Coupled, 1840+3*i
		if i%2 == 1 {
			m, p = model.Decoupled, 1812+5*i
		}
		recs = append(recs, experiment.Record{Unit: experiment.Unit{D: 128, Model: m, Seed: seed}, Embedding: model.Gaussian,
			PStar: p, Certified: true, Lower: p, Upper: p + 1, Solves: 6, Iterations: 100 + 10*i, Seconds: 7000 + 100*float64(i)})
	}
	return recs
}

// A d with fewer records than the tables need, even one, is analysed without
// error: it is in the progress paragraph (pairs, records without a partner,
// the searches left against its target and their cost at the median of its
// records), from MinSoFar pairs in the "so far" line of the claims, in the
// capacity table from MinGroup certified instances of a model, and in no
// table or fit before that; the rest of the report is as without it.
func TestFewRecordsAtD128(t *testing.T) {
	base := synthetic([]int{8, 12, 16}, 12, 0.03)
	set := Settings{Bootstrap: 200}
	rep0, err := Analyze(base, set)
	if err != nil {
		t.Fatal(err)
	}
	var d128 Target
	for _, tg := range Targets {
		if tg.D == 128 {
			d128 = tg
		}
	}
	if d128.Pairs == 0 {
		t.Fatal("no target at d = 128")
	}
	for _, n := range []int{1, 3, 4} {
		rep, err := Analyze(withD128(base, n), set)
		if err != nil {
			t.Fatalf("%d records at d = 128: %v", n, err)
		}
		var pr *Progress
		for i := range rep.Progress {
			if rep.Progress[i].D == 128 {
				pr = &rep.Progress[i]
			}
		}
		pairs, lone := n/2, n%2
		if pr == nil || pr.Records != n || pr.Pairs != pairs || len(pr.Unpaired) != lone || pr.Target != d128.Pairs || pr.Left != 2*d128.Pairs-n {
			t.Fatalf("%d records: progress %+v, want %d pairs, %d unpaired, %d searches left", n, pr, pairs, lone, 2*d128.Pairs-n)
		}
		// Medians (= means, the steps being even) of the seconds 7000, 7100, ... and iterations 100, 110, ...
		wantSec, wantIt := 7000+100*float64(n-1)/2, 100+10*float64(n-1)/2
		if pr.MedianSeconds != wantSec || pr.MedianIterations != wantIt || pr.MeanSeconds != wantSec || pr.LeftSeconds != float64(pr.Left)*wantSec || pr.Timed != n {
			t.Errorf("%d records: median %g s, %g iterations (%d timed), %g s left; want %g, %g, %d, %g", n, pr.MedianSeconds, pr.MedianIterations, pr.Timed, pr.LeftSeconds, wantSec, wantIt, n, float64(pr.Left)*wantSec)
		}
		groups := 0
		for _, g := range rep.Groups {
			if g.D == 128 {
				groups++
			}
		}
		// 1 record: no model with MinGroup; 3: the coupled one; 4: both.
		if want := map[int]int{1: 0, 3: 1, 4: 2}[n]; groups != want {
			t.Errorf("%d records: %d groups at d = 128 in the capacity table, want %d", n, groups, want)
		}
		for _, p := range rep.Pairs {
			if p.D == 128 {
				t.Errorf("%d records: d = 128 in the table of pairs with %d", n, p.N)
			}
		}
		if len(rep.GapFits) != len(rep0.GapFits) {
			t.Fatalf("%d records: %d fits, want %d", n, len(rep.GapFits), len(rep0.GapFits))
		}
		for i, f := range rep.GapFits {
			if f.Chi2 != rep0.GapFits[i].Chi2 {
				t.Errorf("%d records: fit %s changed", n, f.Form)
			}
		}
		md := rep.Markdown([]string{"x"}, "cmd")
		claims := rep.Claims("cmd")
		soFar := strings.Contains(claims, "At d = 128, 2 pairs so far: ")
		if soFar != (pairs >= MinSoFar) || (pairs >= MinSoFar) != (pr.SoFar != nil) {
			t.Errorf("%d records: so-far line %v, SoFar %v", n, soFar, pr.SoFar)
		}
		want := fmt.Sprintf("At d = 128, %d of %d pairs", pairs, d128.Pairs)
		if !strings.Contains(md, want) || !strings.Contains(md, fmt.Sprintf("%d p* searches left", 2*d128.Pairs-n)) ||
			!strings.Contains(md, `PARTS="d128 report" scripts/science-sweep.sh`) {
			t.Errorf("%d records: the progress paragraph lacks %q, the searches left or the command:\n%s", n, want, rep.progressStatement())
		}
		if err := rep.WriteFigures(t.TempDir()); err != nil {
			t.Errorf("%d records: figures: %v", n, err)
		}
	}
	// Only d = 128, one record: a report still, with its progress.
	rep, err := Analyze(withD128(nil, 1), set)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Groups) != 0 || len(rep.Pairs) != 0 || len(rep.Progress) != len(Targets) {
		t.Errorf("one record: %d groups, %d pairs, %d progress rows", len(rep.Groups), len(rep.Pairs), len(rep.Progress))
	}
	if md := rep.Markdown([]string{"x"}, "cmd"); !strings.Contains(md, "At d = 128, 0 of") {
		t.Errorf("one record: no progress in the report")
	}
	if err := rep.WriteFigures(t.TempDir()); err != nil {
		t.Errorf("one record: figures: %v", err)
	}
}
