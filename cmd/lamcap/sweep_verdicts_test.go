package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/feasibility"
)

// 'lamcap sweep --at' at d = 8: a verdict sweep interrupted once some
// verdicts are saved, then resumed, holds one verdict per (model, seed), and
// each is what the full p* of the same instance implies (storable iff
// p0 <= p*); the table counts them; 'lamcap validate --verdicts' refuses a
// p* directory, and 'sweep' refuses bad --at values with a usage error.
func TestSweepAtVerdicts(t *testing.T) {
	tmp := t.TempDir()
	grid := []string{"--d", "8", "--seeds", "1:10", "--model", "coupled,decoupled", "--quiet", "--workers", "1"}
	full := filepath.Join(tmp, "full")
	if code, _, errs := runCLI(append([]string{"sweep", "--out", full}, grid...)...); code != 0 {
		t.Fatalf("p* sweep exit %d: %s", code, errs)
	}
	pstar := map[experiment.Unit]int{}
	recs, _, _, err := experiment.ReadRecords(full)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		pstar[r.Unit] = r.PStar
	}
	dir := filepath.Join(tmp, "verdicts")
	at := []string{"--at", "coupled=22,decoupled=21"}
	ctx, cancel := context.WithCancel(context.Background())
	unitHook = func(done int) {
		if done >= 7 {
			cancel()
		}
	}
	var out, errb strings.Builder
	code := run(ctx, append(append([]string{"sweep", "--out", dir}, grid...), at...), &out, &errb)
	unitHook = nil
	cancel()
	if code != 130 {
		t.Fatalf("interrupted verdict sweep exit %d (%s)", code, errb.String())
	}
	if recs, _, _, _ := experiment.ReadRecords(dir); len(recs) == 0 || len(recs) == 20 {
		t.Fatalf("the interrupted sweep kept %d verdicts; the test wants a partial run", len(recs))
	}
	code, stdout, errs := runCLI(append(append([]string{"sweep", "--out", dir}, grid...), at...)...)
	if code != 0 {
		t.Fatalf("resumed verdict sweep exit %d: %s", code, errs)
	}
	recs, g, bad, err := experiment.ReadRecords(dir)
	if err != nil || len(bad) > 0 || len(recs) != 20 {
		t.Fatalf("%d verdicts, %d bad lines, err %v", len(recs), len(bad), err)
	}
	var storable [2]int
	for _, r := range recs {
		v, ok := experiment.VerdictOf(r, g)
		want := feasibility.NotStorable
		if v.P <= pstar[r.Unit] {
			want = feasibility.Storable
		}
		if !ok || v.Status != want {
			t.Errorf("%s: %s at p = %d, p* = %d", r.Unit.Name(), v.Status, v.P, pstar[r.Unit])
		}
		if v.Status == feasibility.Storable {
			storable[map[string]int{"coupled": 0, "decoupled": 1}[r.Model.String()]]++
		}
	}
	if storable[0]+storable[1] == 0 || storable[0]+storable[1] == 20 {
		t.Errorf("p0 does not split the seeds: %v storable", storable)
	}
	// The table: one row per model with its counts.
	for i, m := range []string{"coupled", "decoupled"} {
		if !strings.Contains(stdout, m) || !strings.Contains(stdout, " "+itoa(storable[i])+" ") {
			t.Errorf("the table lacks %s's %d storable:\n%s", m, storable[i], stdout)
		}
	}
	var gj map[string]json.RawMessage
	b, _ := os.ReadFile(filepath.Join(dir, experiment.GridFile))
	if json.Unmarshal(b, &gj) != nil || gj["verdict_at"] == nil {
		t.Errorf("grid.json lacks verdict_at: %s", b)
	}
	// Resuming with other points is refused, naming them as --at writes them
	// (it said "verdict_at,omitempty was [{8 coupled 22} ...]").
	if code, _, errs := runCLI(append(append([]string{"sweep", "--out", dir}, grid...), "--at", "coupled=23,decoupled=21")...); code != 2 ||
		!strings.Contains(errs, "(verdict_at was [8:coupled=22 8:decoupled=21], now [8:coupled=23 8:decoupled=21])") {
		t.Errorf("resume with other points: exit %d, stderr %q", code, errs)
	}
	// So is a bad --at.
	for _, bad := range [][]string{{"--at", "coupled=23,decoupled=21"}, {"--at", "coupled=22"}, {"--at", "coupled=x"}, {"--at", "nomodel=3,decoupled=21"}} {
		if code, _, errs := runCLI(append(append([]string{"sweep", "--out", dir}, grid...), bad...)...); code != 2 || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("--at %s: exit %d (%q), want a one-line usage error", bad[1], code, errs)
		}
	}
	if code, _, errs := runCLI("validate", "--records", dir, "--report", filepath.Join(tmp, "r.md")); code != 2 || !strings.Contains(errs, "is a verdict sweep") {
		t.Errorf("validate --records on a verdict directory: exit %d (%s)", code, errs)
	}
	if code, out, errs := runCLI("merge", "--out", filepath.Join(tmp, "merged"), dir); code != 0 || !strings.Contains(out, "merged 20 verdicts") {
		t.Errorf("merge of a verdict directory: exit %d (%s%s)", code, out, errs)
	}
	if code, _, errs := runCLI("validate", "--records", full, "--verdicts", full, "--report", filepath.Join(tmp, "r.md")); code != 2 || !strings.Contains(errs, "not a verdict sweep") {
		t.Errorf("validate --verdicts on a p* directory: exit %d (%s)", code, errs)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
