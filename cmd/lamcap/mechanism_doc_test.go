package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/experiment"
)

// docs/mechanism.md's "Scores and margins" table is the committed output of the
// command above it (docs/figures/mechanism/mechanism.json), cell by cell at the
// printed precision, with the d and p its text names. With
// LAMCAP_CHECK_DOCS=1 the command is run again (about 2 minutes on 2 cores)
// and must write the same mechanism.json.
func TestMechanismDocMatchesItsCommand(t *testing.T) {
	committed := filepath.Join("..", "..", "docs", "figures", "mechanism", "mechanism.json")
	b, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	var doc experiment.Mechanism
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join("..", "..", "docs", "mechanism.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(md)
	if want := fmt.Sprintf("At d = %d and p = %d ", doc.D, doc.P); !strings.Contains(text, want) {
		t.Errorf("docs/mechanism.md does not say %q", want)
	}
	if want := fmt.Sprintf("lamcap mechanism --d %d --seeds %d:%d --out docs/figures/mechanism", doc.D, doc.Seeds[0], doc.Seeds[len(doc.Seeds)-1]); !strings.Contains(text, want) {
		t.Errorf("docs/mechanism.md does not show the command %q", want)
	}
	// The table's memory names, by rule.
	label := map[experiment.Rule]string{experiment.Optimal: "optimal", experiment.LPVertex: "LP vertex",
		experiment.Hebbian: "Hebbian", experiment.PseudoInverse: "pseudo-inverse"}
	var rows []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "| coupled |") || strings.HasPrefix(line, "| decoupled |") {
			rows = append(rows, line)
		}
	}
	var want []string
	for _, m := range doc.Models {
		for _, rule := range experiment.Rules {
			st := m.Rules[rule].Recall
			want = append(want, fmt.Sprintf("| %v | %s | %.3f (%.3f) | %.3f (%.3f) | %.3f (%.3f) | %.3f | %.4f |", m.Model, label[rule],
				st.Correct.Mean, st.Correct.SD, st.MaxCompetitor.Mean, st.MaxCompetitor.SD, st.Margin.Mean, st.Margin.SD,
				st.FractionRecalled, st.FractionOrdered))
		}
	}
	if len(rows) < len(want) {
		t.Fatalf("docs/mechanism.md has %d table rows, the study %d", len(rows), len(want))
	}
	for i, w := range want {
		// The first optimal row says "optimal (max margin)": compare with the
		// parenthesis taken out.
		got := strings.Replace(rows[i], "optimal (max margin)", "optimal", 1)
		if got != w {
			t.Errorf("docs/mechanism.md row %d:\n got %s\nwant %s", i+1, rows[i], w)
		}
	}
	// The spectra paragraph.
	heb := doc.Models[0].Rules[experiment.Hebbian].TopSingular.Mean
	opt := doc.Models[0].Rules[experiment.Optimal].TopSingular.Mean
	ks := doc.Spectra[experiment.Optimal]
	for _, want := range []string{
		fmt.Sprintf("(top singular value %.2f against %.2f, %v)", opt, heb, doc.Models[0].Model),
		fmt.Sprintf("values is %.3f (paired permutation p = %.2g, asymptotic p = %.2g:", ks.Distance, ks.Permutation, ks.PValue),
	} {
		if !strings.Contains(strings.Join(strings.Fields(text), " "), want) {
			t.Errorf("docs/mechanism.md does not say %q", want)
		}
	}
	if os.Getenv("LAMCAP_CHECK_DOCS") == "" {
		return
	}
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"mechanism", "--d", fmt.Sprint(doc.D), "--seeds", fmt.Sprintf("%d:%d", doc.Seeds[0], doc.Seeds[len(doc.Seeds)-1]), "--out", out}
	if rc := run(context.Background(), args, &stdout, &stderr); rc != 0 {
		t.Fatalf("lamcap %s: exit %d\n%s", strings.Join(args, " "), rc, stderr.String())
	}
	b2, err := os.ReadFile(filepath.Join(out, "mechanism.json"))
	if err != nil {
		t.Fatal(err)
	}
	var x, y any
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b2, &y); err != nil {
		t.Fatal(err)
	}
	for _, d := range jsonDiffs("", x, y) {
		t.Errorf("lamcap %s: mechanism.json differs from the committed one: %s", strings.Join(args, " "), d)
	}
}

// jsonRelTol is how far two runs' numbers may differ in jsonDiffs: the
// max-margin solves sum in an order that OpenBLAS's threads may change, which
// moves results in their last bits (measured: relative 4e-15 at most).
const jsonRelTol = 1e-9

// jsonDiffs lists where two decoded JSON documents differ: keys on one side
// only, lengths, and numbers further apart than jsonRelTol.
func jsonDiffs(path string, x, y any) []string {
	switch a := x.(type) {
	case map[string]any:
		b, ok := y.(map[string]any)
		if !ok {
			return []string{path + ": object against another type"}
		}
		var ds []string
		for k, v := range a {
			w, ok := b[k]
			if !ok {
				ds = append(ds, path+"/"+k+": only in the first")
				continue
			}
			ds = append(ds, jsonDiffs(path+"/"+k, v, w)...)
		}
		for k := range b {
			if _, ok := a[k]; !ok {
				ds = append(ds, path+"/"+k+": only in the second")
			}
		}
		return ds
	case []any:
		b, ok := y.([]any)
		if !ok || len(a) != len(b) {
			return []string{path + ": arrays of different lengths or types"}
		}
		var ds []string
		for i := range a {
			ds = append(ds, jsonDiffs(fmt.Sprintf("%s[%d]", path, i), a[i], b[i])...)
		}
		return ds
	case float64:
		b, ok := y.(float64)
		if !ok || math.Abs(a-b) > jsonRelTol*math.Max(math.Abs(a), math.Abs(b)) {
			return []string{fmt.Sprintf("%s: %v against %v", path, x, y)}
		}
		return nil
	}
	if !reflect.DeepEqual(x, y) {
		return []string{fmt.Sprintf("%s: %v against %v", path, x, y)}
	}
	return nil
}

// docDeviation is how the docs print a deviation from theory with its 95%
// interval, in percent.
type docDeviation struct {
	Dev float64                  `json:"deviation"`
	CI  struct{ Lo, Hi float64 } `json:"deviation_ci95"`
}

func (d docDeviation) String() string {
	return fmt.Sprintf("%+.1f%% [%+.1f, %+.1f]", 100*d.Dev, 100*d.CI.Lo, 100*d.CI.Hi)
}

// docs/mechanism.md's "Learning rules against p" paragraph, and the rules
// line of docs/commands.md, are the output of the command they show (1.6 s of
// CPU: no LP is solved), number by number: theory is compared with the mean +
// 1/2 of the largest p, the median shown beside it.
func TestRulesDocMatchesItsCommand(t *testing.T) {
	md, err := os.ReadFile(filepath.Join("..", "..", "docs", "mechanism.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(md)), " ")
	cmdsMD, err := os.ReadFile(filepath.Join("..", "..", "docs", "commands.md"))
	if err != nil {
		t.Fatal(err)
	}
	cmds := strings.Join(strings.Fields(string(cmdsMD)), " ")
	const cmd = "lamcap rules --d 16 --seeds 1:20"
	if !strings.Contains(text, cmd) || !strings.Contains(cmds, cmd) {
		t.Fatalf("docs/mechanism.md or docs/commands.md no longer shows %q", cmd)
	}
	var stdout, stderr bytes.Buffer
	if rc := run(context.Background(), append(strings.Fields(cmd)[1:], "--json"), &stdout, &stderr); rc != 0 {
		t.Fatalf("%s: exit %d\n%s", cmd, rc, stderr.String())
	}
	var r struct {
		Curve []struct {
			P               int     `json:"p"`
			HebbianRecalled float64 `json:"hebbian_recalled"`
			HebbianOrdered  float64 `json:"hebbian_pairs_ordered"`
		} `json:"curve"`
		All []struct {
			Rule        string                   `json:"rule"`
			Median      float64                  `json:"median"`
			CI          struct{ Lo, Hi float64 } `json:"ci95"`
			Threshold   float64                  `json:"mean_plus_half"`
			ThresholdCI struct{ Lo, Hi float64 } `json:"mean_plus_half_ci95"`
			Theory      *docDeviation            `json:"theory"`
		} `json:"all_pairs_recalled"`
		HebbianTheory    float64 `json:"hebbian_p_c_theory"`
		HebbianAsymptote float64 `json:"hebbian_p_c_asymptote"`
		OptimalTheory    float64 `json:"optimal_p_c_theory"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.All) != 2 || len(r.Curve) == 0 || r.All[0].Theory == nil {
		t.Fatalf("%s: %d rules, %d curve points, Hebbian theory %v", cmd, len(r.All), len(r.Curve), r.All[0].Theory)
	}
	heb, pinv := r.All[0], r.All[1]
	last := r.Curve[len(r.Curve)-1]
	for _, want := range []string{
		fmt.Sprintf("Hebbian median %.1f [%g, %g], pseudo-inverse %.1f [%g, %g]", heb.Median, heb.CI.Lo, heb.CI.Hi, pinv.Median, pinv.CI.Lo, pinv.CI.Hi),
		fmt.Sprintf("Hebbian prediction %.2f", r.HebbianTheory),
		fmt.Sprintf("Hebbian mean + 1/2 %.2f [%.2f, %.2f], %s from the prediction", heb.Threshold, heb.ThresholdCI.Lo, heb.ThresholdCI.Hi, heb.Theory),
		fmt.Sprintf("would give %.1f at this d", r.HebbianAsymptote),
		fmt.Sprintf("stores about %.0f (p_c)", r.OptimalTheory),
		fmt.Sprintf("At p = %d the Hebbian rule still orders %.0f%% of the pairs but recalls only %.0f%%", last.P, 100*last.HebbianOrdered, 100*last.HebbianRecalled),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("docs/mechanism.md does not say %q", want)
		}
	}
	// "The prediction lies below the interval" is what the numbers say.
	if below := r.HebbianTheory < heb.ThresholdCI.Lo; below != strings.Contains(text, "The prediction lies below the interval") {
		t.Errorf("docs/mechanism.md: the prediction %.2f below [%.2f, %.2f] is %v, the text says otherwise", r.HebbianTheory, heb.ThresholdCI.Lo, heb.ThresholdCI.Hi, below)
	}
	for _, want := range []string{
		fmt.Sprintf("the Hebbian mean + 1/2 is %.2f [%.2f, %.2f] (median %.1f [%g, %g]) against a prediction of %.2f, %s", heb.Threshold, heb.ThresholdCI.Lo, heb.ThresholdCI.Hi,
			heb.Median, heb.CI.Lo, heb.CI.Hi, r.HebbianTheory, heb.Theory),
		fmt.Sprintf("the 1/8 asymptote would say %.1f", r.HebbianAsymptote),
		fmt.Sprintf("the pseudo-inverse %.1f [%g, %g] (mean + 1/2 %.2f)", pinv.Median, pinv.CI.Lo, pinv.CI.Hi, pinv.Threshold),
		fmt.Sprintf("the optimal memory about %.0f", r.OptimalTheory),
	} {
		if !strings.Contains(cmds, want) {
			t.Errorf("docs/commands.md does not say %q", want)
		}
	}
	if testing.Short() {
		return
	}
	// The second size the paragraph names (6.5 CPU-s): the gap grows with d.
	const cmd32 = "lamcap rules --d 32 --seeds 1:20"
	stdout.Reset()
	if rc := run(context.Background(), append(strings.Fields(cmd32)[1:], "--json"), &stdout, &stderr); rc != 0 {
		t.Fatalf("%s: exit %d\n%s", cmd32, rc, stderr.String())
	}
	var r32 struct {
		All []struct {
			Threshold   float64                  `json:"mean_plus_half"`
			ThresholdCI struct{ Lo, Hi float64 } `json:"mean_plus_half_ci95"`
			Theory      *docDeviation            `json:"theory"`
		} `json:"all_pairs_recalled"`
		HebbianTheory float64 `json:"hebbian_p_c_theory"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &r32); err != nil {
		t.Fatal(err)
	}
	if h := r32.All[0]; h.Theory == nil || !(h.Theory.Dev > heb.Theory.Dev) ||
		!strings.Contains(text, fmt.Sprintf("at d = 32 (`%s`) the Hebbian mean + 1/2 is %.2f [%.2f, %.2f] against a prediction of %.2f, %s", cmd32,
			h.Threshold, h.ThresholdCI.Lo, h.ThresholdCI.Hi, r32.HebbianTheory, h.Theory)) {
		t.Errorf("docs/mechanism.md does not give %s's numbers, or the gap no longer grows: %+v against %+v", cmd32, h.Theory, heb.Theory)
	}
}

// docs/mechanism.md's coupled-vs-decoupled table is the committed output of
// its command (docs/figures/compare/compare.json), row by row.
func TestCompareDocMatchesItsOutput(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "figures", "compare", "compare.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		D, P     int
		Model    string
		Load     string
		Kappa    float64                  `json:"kappa_star_median"`
		CI       struct{ Lo, Hi float64 } `json:"kappa_star_ci95"`
		Correct  float64                  `json:"correct_score_mean"`
		MaxComp  float64                  `json:"max_competitor_score_mean"`
		TopSV    float64                  `json:"top_singular_value_mean"`
		KS       float64                  `json:"spectra_ks_distance"`
		KSApprox float64                  `json:"spectra_ks_p_value_approx"`
		KSPerm   float64                  `json:"spectra_ks_p_value_permutation"`
	}
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join("..", "..", "docs", "mechanism.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(md)
	n := 0
	for _, r := range rows {
		if r.Load != "equal-p" {
			continue
		}
		n++
		want := fmt.Sprintf("| %d | %d | %s | %.4f [%.4f, %.4f] | %.3f | %.3f | %.3f | %.3f (%.2g, %.2g) |",
			r.D, r.P, r.Model, r.Kappa, r.CI.Lo, r.CI.Hi, r.Correct, r.MaxComp, r.TopSV, r.KS, r.KSPerm, r.KSApprox)
		if !strings.Contains(text, want) {
			t.Errorf("docs/mechanism.md has no row %s", want)
		}
	}
	if n == 0 {
		t.Fatal("compare.json holds no equal-p rows")
	}
}

// docs/mechanism.md's two-layer table is the output of its two commands
// (36 s of CPU, so only with LAMCAP_CHECK_DOCS=1; `make check-docs`).
func TestTwoLayerDocMatchesItsCommands(t *testing.T) {
	if os.Getenv("LAMCAP_CHECK_DOCS") == "" {
		t.Skip("LAMCAP_CHECK_DOCS=1 runs the doc's two-layer commands (36 s of CPU)")
	}
	md, err := os.ReadFile(filepath.Join("..", "..", "docs", "mechanism.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(md)
	type row struct {
		H      int     `json:"h"`
		Median float64 `json:"p_star_median"`
		CI     struct {
			Lo, Hi float64
		} `json:"p_star_ci95"`
		Threshold float64 `json:"p_star_mean_plus_half"`
		ThCI      struct {
			Lo, Hi float64
		} `json:"p_star_mean_plus_half_ci95"`
		Min   float64      `json:"p_c_theory_n_d_min_h_d"`
		Eff   float64      `json:"p_c_theory_n_h_2d_minus_h"`
		VsMin docDeviation `json:"vs_theory_n_d_min_h_d"`
		VsEff docDeviation `json:"vs_theory_n_h_2d_minus_h"`
	}
	runRows := func(cmd string) []row {
		if !strings.Contains(text, cmd) {
			t.Fatalf("docs/mechanism.md no longer shows %q", cmd)
		}
		var stdout, stderr bytes.Buffer
		if rc := run(context.Background(), append(strings.Fields(cmd)[1:], "--json"), &stdout, &stderr); rc != 0 {
			t.Fatalf("%s: exit %d\n%s", cmd, rc, stderr.String())
		}
		var rs []row
		if err := json.Unmarshal(stdout.Bytes(), &rs); err != nil {
			t.Fatal(err)
		}
		return rs
	}
	first := runRows("lamcap two-layer --d 8 --seeds 1:20 --train first")
	both := runRows("lamcap two-layer --d 8 --seeds 1:10 --train both")
	if len(first) != len(both) || len(first) == 0 {
		t.Fatalf("%d and %d rows", len(first), len(both))
	}
	for i, f := range first {
		b := both[i]
		want := fmt.Sprintf("| %d | %.2f | %.1f [%g, %g] | %.2f [%.2f, %.2f] | %.1f | %s | %.1f [%g, %g] | %.2f [%.2f, %.2f] | %.1f | %s |",
			f.H, float64(f.H)/8, f.Median, f.CI.Lo, f.CI.Hi, f.Threshold, f.ThCI.Lo, f.ThCI.Hi, f.Min, f.VsMin,
			b.Median, b.CI.Lo, b.CI.Hi, b.Threshold, b.ThCI.Lo, b.ThCI.Hi, b.Eff, b.VsEff)
		if !strings.Contains(text, want) {
			t.Errorf("docs/mechanism.md has no row %s", want)
		}
	}
	// The text's numbers, at h = 2, 4 and 6 (rows 0, 1, 2 of --hidden's default).
	if len(first) != 4 {
		t.Fatalf("%d rows, want the default widths 2, 4, 6, 8", len(first))
	}
	flat := strings.Join(strings.Fields(text), " ")
	pct := func(d docDeviation) string { return fmt.Sprintf("%+.1f%%", 100*d.Dev) }
	for _, want := range []string{
		fmt.Sprintf("at h = 2 mean p* + 1/2 is %.2f against a prediction of %.1f (%s), at h = 4 it is %.2f against %.1f (%s)",
			first[0].Threshold, first[0].Min, pct(first[0].VsMin), first[1].Threshold, first[1].Min, pct(first[1].VsMin)),
		fmt.Sprintf("(%.2f against %.1f, %s)", first[2].Threshold, first[2].Min, first[2].VsMin),
		fmt.Sprintf("(mean + 1/2 %.2f against %.1f at h = 2)", both[0].Threshold, both[0].Min),
		fmt.Sprintf("predicts (%.1f, %s)", both[0].Eff, pct(both[0].VsEff)),
		fmt.Sprintf("the %s there is the coupled model's excess", pct(first[3].VsMin)),
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("docs/mechanism.md does not say %q", want)
		}
	}
}

// kappaDocSweeps are the sweeps behind docs/mechanism.md's "Capacity at margin
// kappa > 0" tables: the command the doc shows, and the directory under
// docs/figures/kappa whose committed summary.json holds its output.
var kappaDocSweeps = []struct{ cmd, dir string }{
	{"lamcap sweep --kappa 0.5 --d 6:14:2 --seeds 12", "k0.5"},
	{"lamcap sweep --kappa 1 --d 6:14:2 --seeds 12", "k1"},
	{"lamcap sweep --kappa 0.5 --embedding sphere --d 6:12:2 --seeds 12", "sphere-k0.5"},
}

// docs/mechanism.md's kappa > 0 tables are the committed summaries of the
// sweeps they name (docs/figures/kappa/*/summary.json), row by row: theory is
// compared with mean p* + 1/2, the median shown beside it, and the text's
// ranges of deviation are those of the rows. With LAMCAP_CHECK_DOCS=1 the
// sweeps are run again (about 2 CPU-minutes) and must give the same numbers.
func TestKappaDocMatchesItsSweeps(t *testing.T) {
	md, err := os.ReadFile(filepath.Join("..", "..", "docs", "mechanism.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(md)
	flat := strings.Join(strings.Fields(text), " ")
	devRange := map[string][2]float64{}
	for _, s := range kappaDocSweeps {
		if !strings.Contains(flat, s.cmd) {
			t.Errorf("docs/mechanism.md does not show %q", s.cmd)
		}
		b, err := os.ReadFile(filepath.Join("..", "..", "docs", "figures", "kappa", s.dir, "summary.json"))
		if err != nil {
			t.Fatal(err)
		}
		var sum struct {
			Groups []experiment.GroupSummary `json:"groups"`
		}
		if err := json.Unmarshal(b, &sum); err != nil {
			t.Fatal(err)
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, g := range sum.Groups {
			dev := g.Deviation()
			lo, hi = math.Min(lo, dev), math.Max(hi, dev)
			f := func(x float64) float64 { return 100 * (x - g.TheoryPC) / g.TheoryPC }
			want := fmt.Sprintf("| %d | %s | %d | %.1f [%g, %g] | %.2f [%.2f, %.2f] | %.1f | %+.1f%% [%+.1f, %+.1f] |", g.D, g.Model, g.Instances,
				g.PC, g.PCCI.Lo, g.PCCI.Hi, g.Threshold, g.ThresholdCI.Lo, g.ThresholdCI.Hi, g.TheoryPC, 100*dev, f(g.ThresholdCI.Lo), f(g.ThresholdCI.Hi))
			if !strings.Contains(text, want) {
				t.Errorf("docs/mechanism.md has no row %s (%s)", want, s.dir)
			}
			if g.Undecided != 0 || g.TheoryPC == 0 {
				t.Errorf("%s d=%d %s: %d undecided, theory %v", s.dir, g.D, g.Model, g.Undecided, g.TheoryPC)
			}
			// "it lies above every measured 95% interval" (Gaussian embeddings).
			if !strings.HasPrefix(s.dir, "sphere") && !(g.TheoryPC > g.ThresholdCI.Hi) {
				t.Errorf("%s d=%d %s: theory %.2f inside or below [%.2f, %.2f], the text says above", s.dir, g.D, g.Model, g.TheoryPC, g.ThresholdCI.Lo, g.ThresholdCI.Hi)
			}
		}
		devRange[s.dir] = [2]float64{lo, hi}
		if os.Getenv("LAMCAP_CHECK_DOCS") == "" {
			continue
		}
		out := filepath.Join(t.TempDir(), s.dir)
		args := append(strings.Fields(s.cmd)[1:], "--out", out)
		var stdout, stderr bytes.Buffer
		if rc := run(context.Background(), args, &stdout, &stderr); rc != 0 {
			t.Fatalf("lamcap %s: exit %d\n%s", strings.Join(args, " "), rc, stderr.String())
		}
		b2, err := os.ReadFile(filepath.Join(out, "summary.json"))
		if err != nil {
			t.Fatal(err)
		}
		var x, y map[string]any
		if err := json.Unmarshal(b, &x); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b2, &y); err != nil {
			t.Fatal(err)
		}
		// The version and the timings are the run's, not the result's.
		for _, m := range []map[string]any{x, y} {
			delete(m, "lamcap_version")
			for _, g := range m["groups"].([]any) {
				delete(g.(map[string]any), "mean_seconds")
			}
		}
		for _, d := range jsonDiffs("", x, y) {
			t.Errorf("lamcap %s: summary.json differs from the committed one: %s", strings.Join(args, " "), d)
		}
	}
	// The text's ranges: "by A-B% at kappa = 0.5 and C-D% at kappa = 1",
	// the absolute deviations rounded to whole percent.
	r05, r1 := devRange["k0.5"], devRange["k1"]
	if !(r05[1] < 0 && r1[1] < 0) {
		t.Fatalf("the theory is no longer above every mean p* + 1/2: %v, %v", r05, r1)
	}
	want := fmt.Sprintf("by %.0f-%.0f%% at kappa = 0.5 and %.0f-%.0f%% at kappa = 1", -100*r05[1], -100*r05[0], -100*r1[1], -100*r1[0])
	if !strings.Contains(flat, want) {
		t.Errorf("docs/mechanism.md does not say %q", want)
	}
}
