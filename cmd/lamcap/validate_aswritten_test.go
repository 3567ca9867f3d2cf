package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// validate --records warns of the records it takes as written and says so in
// the report's header (F3 of the red team: a grid.json edited to version 1 or
// digests_only turned every check off, silently), and counts a unit named
// twice once (F4: the same directory twice doubled n).
func TestValidateSaysWhatIsTakenAsWritten(t *testing.T) {
	dir := t.TempDir()
	sw := smallSweep(t, dir)
	var stdout, stderr bytes.Buffer
	report := func(records string) (string, string) {
		t.Helper()
		stdout.Reset()
		stderr.Reset()
		r := filepath.Join(dir, "r.md")
		if code := run(context.Background(), []string{"validate", "--records", records, "--report", r}, &stdout, &stderr); code != 0 {
			t.Fatalf("validate %s: exit %d: %s", records, code, stderr.String())
		}
		b, _ := os.ReadFile(r)
		return string(b), stderr.String()
	}
	md, errs := report(sw + "," + sw)
	if !strings.Contains(md, "Every one of the 3 records had its certificates re-checked") || !strings.Contains(errs, "3 records repeat a unit") {
		t.Errorf("the same directory twice: stderr %q, header without the 3 re-checked records", errs)
	}
	// digests only, certificates gone: all three taken as written.
	g, _ := os.ReadFile(filepath.Join(sw, "grid.json"))
	var m map[string]any
	json.Unmarshal(g, &m)
	m["digests_only"] = true
	g, _ = json.Marshal(m)
	os.WriteFile(filepath.Join(sw, "grid.json"), g, 0o644)
	os.Remove(filepath.Join(sw, "certificates.jsonl"))
	md, errs = report(sw)
	if !strings.Contains(md, "**3 of the 3 records are taken as written, not re-checked:**") || !strings.Contains(errs, "3 of 3 records are taken as written") {
		t.Errorf("digests only: stderr %q; the header does not count 3 records taken as written", errs)
	}
}
