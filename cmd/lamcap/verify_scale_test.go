package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A not-storable certificate written before each row was checked at its own
// scale states the data's largest row norm (2.92 here) as its scale; verify
// never reads that note, so the file holds as it did, and the message says
// what the per-row tolerance proves.
func TestVerifyOldScaleNote(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.json")
	if code, _, errs := runCLI("solve", "--d", "10", "--p", "32", "--seed", "2", "--solver", "simplex", "--certificate", path); code != 0 {
		t.Fatalf("solve: exit %d: %s", code, errs)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	if s, _ := c["scale"].(float64); !(s > 5 && s < 10) {
		t.Fatalf("the certificate states scale %v, want that of lambda's rows (7.09)", c["scale"])
	}
	c["scale"] = 2.9216 // lp.Scale of this instance, what older lamcap wrote
	b, _ = json.MarshalIndent(c, "", " ")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI("verify", path)
	if code != 0 {
		t.Fatalf("verify of the old scale note: exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "of the rows lambda weighs") || !strings.Contains(out, "has every margin above eps times its largest value") {
		t.Errorf("verify's message does not say what the certificate proves: %s", out)
	}
}
