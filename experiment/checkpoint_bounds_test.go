package experiment

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestCheckpointImpossibleCounts: a checkpoint whose counts or end fields no
// search of the unit can have written is set aside with a warning, and the
// unit is computed from scratch (the record is an uninterrupted run's). F5 of
// the red team: "solves": 40 beside a lone storable end made every resume
// step to p ~ 3e9 and die of Go's out-of-memory error.
func TestCheckpointImpossibleCounts(t *testing.T) {
	s, verdicts := checkpointSweep(t)
	err, ref, _ := runCheckpointed(t, t.TempDir(), s, nil)
	if err != nil || ref == nil {
		t.Fatal(err)
	}
	tampers := map[string]func(f map[string]any){
		"40 solves on the storable side": func(f map[string]any) { delete(f, "upper"); f["solves"], f["streak"] = 40, 0 },
		"a streak of 40":                 func(f map[string]any) { delete(f, "upper"); f["solves"], f["streak"] = 40, 40 },
		"a million solves":               func(f map[string]any) { f["solves"] = 1000000 },
		"an unknown solver":              func(f map[string]any) { f["lower"].(map[string]any)["solver"] = "oracle" },
		"negative end seconds":           func(f map[string]any) { f["lower"].(map[string]any)["seconds"] = -1 },
	}
	for name, tamper := range tampers {
		dir := t.TempDir()
		cp := checkpointPath(t, dir, s)
		// Stop at the first checkpoint that holds a storable end.
		if _, rec, _ := runCheckpointed(t, dir, s, func(n, p int, cancel func()) {
			b, _ := os.ReadFile(cp)
			var f map[string]any
			if json.Unmarshal(b, &f) == nil && f["lower"] != nil {
				cancel()
			}
		}); rec != nil {
			t.Fatalf("%s: the run was not stopped at a storable end", name)
		}
		b, err := os.ReadFile(cp)
		if err != nil {
			t.Fatal(err)
		}
		var f map[string]any
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		tamper(f)
		if err := os.WriteFile(cp, mustJSON(f), 0o644); err != nil {
			t.Fatal(err)
		}
		n := 0
		err, rec, warnings := runCheckpointed(t, dir, s, func(k, p int, cancel func()) { n = k })
		if err != nil {
			t.Fatalf("%s: resume: %v", name, err)
		}
		rejected := strings.TrimSuffix(cp, ".json") + ".rejected.json"
		if len(warnings) != 1 || !strings.Contains(warnings[0], "moved to") || !exists(rejected) || exists(cp) {
			t.Errorf("%s: warnings %q, set aside: %v, checkpoint left: %v", name, warnings, exists(rejected), exists(cp))
		}
		sameRecord(t, name+": recomputed", rec, ref)
		if n != verdicts {
			t.Errorf("%s: the unit made %d verdicts, want all %d from scratch", name, n, verdicts)
		}
	}
}
