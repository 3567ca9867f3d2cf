package main

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/theory"
)

// rules prints, per rule, the median and the mean + 1/2 of the largest p with
// every pair recalled, and for the Hebbian rule the deviation of mean + 1/2
// from the finite-d prediction, the numbers of --json; --json keeps the fields
// it had (median, ci95) beside the new ones; the help says which value is
// compared and points to the report's paragraph.
func TestRulesPrintsMeanPlusHalf(t *testing.T) {
	args := []string{"rules", "--d", "8", "--seeds", "1:8", "--pmax", "14"}
	code, out, errs := runCLI(append(args, "--json")...)
	if code != 0 {
		t.Fatalf("exit %d %s", code, errs)
	}
	var st struct {
		All []map[string]json.RawMessage `json:"all_pairs_recalled"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	type interval struct{ Lo, Hi float64 }
	var lines []string
	for _, c := range st.All {
		for _, k := range []string{"rule", "median", "ci95", "mean", "mean_se", "mean_plus_half", "mean_plus_half_ci95", "largest_p"} {
			if _, ok := c[k]; !ok {
				t.Errorf("--json: no %q in %s", k, mustJSON(c))
			}
		}
		var rule string
		var med, v float64
		var ci, vci interval
		for k, dst := range map[string]any{"rule": &rule, "median": &med, "ci95": &ci, "mean_plus_half": &v, "mean_plus_half_ci95": &vci} {
			if err := json.Unmarshal(c[k], dst); err != nil {
				t.Fatal(err)
			}
		}
		line := fmt.Sprintf("%-15s largest p with all pairs recalled: median %.1f [%g, %g], mean + 1/2 %.2f [%.2f, %.2f]", rule, med, ci.Lo, ci.Hi, v, vci.Lo, vci.Hi)
		th, ok := c["theory"]
		if ok != (rule == "hebbian") {
			t.Errorf("%s: theory given %v", rule, ok)
		}
		if ok {
			var cmp struct {
				Theory float64  `json:"p_c_theory"`
				Dev    float64  `json:"deviation"`
				CI     interval `json:"deviation_ci95"`
			}
			if err := json.Unmarshal(th, &cmp); err != nil {
				t.Fatal(err)
			}
			if want := (v - cmp.Theory) / cmp.Theory; absDiff(cmp.Dev, want) > 1e-12 {
				t.Errorf("deviation %v, want (mean + 1/2 - theory) / theory = %v", cmp.Dev, want)
			}
			line += fmt.Sprintf(", dev %+.1f%% [%+.1f, %+.1f] from theory", 100*cmp.Dev, 100*cmp.CI.Lo, 100*cmp.CI.Hi)
		}
		lines = append(lines, line+"\n")
	}
	code, text, errs := runCLI(args...)
	if code != 0 {
		t.Fatalf("exit %d %s", code, errs)
	}
	for _, l := range append(lines, "dev = (mean + 1/2 - theory) / theory") {
		if !strings.Contains(text, l) {
			t.Errorf("rules output has no line %q:\n%s", l, text)
		}
	}
	if _, help, _ := runCLI("help", "rules"); !strings.Contains(strings.Join(strings.Fields(help), " "), `compared with mean + 1/2`) ||
		!strings.Contains(strings.Join(strings.Fields(help), " "), `"Theory is compared with mean p* + 1/2"`) {
		t.Errorf("help rules does not say what is compared with theory, and why:\n%s", help)
	}
}

// two-layer prints per hidden width the median and mean p* + 1/2 and the
// deviation of mean p* + 1/2 from both theories, the numbers of --json, which
// keeps its fields (p_star_median, p_star_ci95, the two theories).
func TestTwoLayerPrintsMeanPlusHalf(t *testing.T) {
	args := []string{"two-layer", "--d", "5", "--seeds", "1:3", "--hidden", "2,5"}
	code, out, errs := runCLI(append(args, "--json")...)
	if code != 0 {
		t.Fatalf("exit %d %s", code, errs)
	}
	var raw []map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	for _, r := range raw {
		for _, k := range []string{"h", "instances", "p_star_median", "p_star_ci95", "lower_bound", "undecided", "p_c_theory_n_d_min_h_d", "p_c_theory_n_h_2d_minus_h",
			"p_star_mean", "p_star_mean_se", "p_star_mean_plus_half", "p_star_mean_plus_half_ci95", "vs_theory_n_d_min_h_d", "vs_theory_n_h_2d_minus_h", "p_stars"} {
			if _, ok := r[k]; !ok {
				t.Errorf("--json row has no %q: %v", k, r)
			}
		}
	}
	type interval struct{ Lo, Hi float64 }
	type cmp struct {
		Dev float64  `json:"deviation"`
		CI  interval `json:"deviation_ci95"`
	}
	var rows []struct {
		H      int      `json:"h"`
		N      int      `json:"instances"`
		Undec  int      `json:"undecided"`
		Med    float64  `json:"p_star_median"`
		CI     interval `json:"p_star_ci95"`
		V      float64  `json:"p_star_mean_plus_half"`
		VCI    interval `json:"p_star_mean_plus_half_ci95"`
		Min    float64  `json:"p_c_theory_n_d_min_h_d"`
		Eff    float64  `json:"p_c_theory_n_h_2d_minus_h"`
		VsMin  cmp      `json:"vs_theory_n_d_min_h_d"`
		VsEff  cmp      `json:"vs_theory_n_h_2d_minus_h"`
		PStars []int    `json:"p_stars"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	code, text, errs := runCLI(args...)
	if code != 0 {
		t.Fatalf("exit %d %s", code, errs)
	}
	dev := func(c cmp) string { return fmt.Sprintf("%+.1f%% [%+.1f, %+.1f]", 100*c.Dev, 100*c.CI.Lo, 100*c.CI.Hi) }
	for _, r := range rows {
		var sum float64
		for _, p := range r.PStars {
			sum += float64(p)
		}
		if v := sum/float64(len(r.PStars)) + 0.5; absDiff(r.V, v) > 1e-12 || absDiff(r.VsMin.Dev, (v-r.Min)/r.Min) > 1e-12 || absDiff(r.VsEff.Dev, (v-r.Eff)/r.Eff) > 1e-12 {
			t.Errorf("h=%d: mean + 1/2 %v, deviations %v %v; from p* %v: %v", r.H, r.V, r.VsMin.Dev, r.VsEff.Dev, r.PStars, v)
		}
		fields := strings.Fields(fmt.Sprintf("%d %.2f %d %d %.1f [%g, %g] %.2f [%.2f, %.2f] %.1f %s %.1f %s", r.H, float64(r.H)/5, r.N, r.Undec,
			r.Med, r.CI.Lo, r.CI.Hi, r.V, r.VCI.Lo, r.VCI.Hi, r.Min, dev(r.VsMin), r.Eff, dev(r.VsEff)))
		found := false
		for _, l := range strings.Split(text, "\n") {
			if strings.Join(strings.Fields(l), " ") == strings.Join(fields, " ") {
				found = true
			}
		}
		if !found {
			t.Errorf("two-layer output has no row %q:\n%s", strings.Join(fields, " "), text)
		}
	}
	if !strings.Contains(text, "dev = (mean p* + 1/2 - theory) / theory") {
		t.Errorf("two-layer output does not say what dev is:\n%s", text)
	}
	if _, help, _ := runCLI("help", "two-layer"); !strings.Contains(strings.Join(strings.Fields(help), " "), `compared with mean p* + 1/2, not with the median`) {
		t.Errorf("help two-layer does not say what is compared with theory:\n%s", help)
	}
}

func absDiff(a, b float64) float64 {
	if a > b {
		return a - b
	}
	return b - a
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Beyond h = d, W = A B is any d x d matrix: both theories are the one-layer
// p_c of d^2 unknowns (the conjecture's h (2d - h) gave 0 unknowns at h = 2d,
// a prediction of 2 and a deviation of +1100%).
func TestTwoLayerTheoryBeyondD(t *testing.T) {
	code, out, errs := runCLI("two-layer", "--d", "4", "--seeds", "1:2", "--hidden", "4,8", "--json")
	if code != 0 {
		t.Fatalf("exit %d %s", code, errs)
	}
	var rows []struct {
		H   int     `json:"h"`
		Min float64 `json:"p_c_theory_n_d_min_h_d"`
		Eff float64 `json:"p_c_theory_n_h_2d_minus_h"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	one, err := theory.CriticalP(16, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2", len(rows))
	}
	for _, r := range rows {
		if math.Abs(r.Min-one) > 1e-9*one || math.Abs(r.Eff-one) > 1e-9*one {
			t.Errorf("h = %d: theories %g and %g, want the one-layer p_c %g of 16 unknowns", r.H, r.Min, r.Eff, one)
		}
	}
}
