package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// validate names its figures after the report, so that two reports in one
// folder keep their own figures, and checks every figure path before it
// computes anything (F7 of the red team: fixed names, so a second report
// replaced the first's figures; a named pipe at a figure path failed with
// exit 1 after five of six figures were written).
func TestValidateFigureNames(t *testing.T) {
	dir := t.TempDir()
	sw := smallSweep(t, dir)
	var stdout, stderr bytes.Buffer
	out := filepath.Join(dir, "out")
	for _, name := range []string{"v1", "v2"} {
		if code := run(context.Background(), []string{"validate", "--records", sw, "--report", filepath.Join(out, name+".md")}, &stdout, &stderr); code != 0 {
			t.Fatalf("validate exit %d: %s", code, stderr.String())
		}
		md, _ := os.ReadFile(filepath.Join(out, name+".md"))
		for _, kind := range []string{"scale", "gap", "collapse"} {
			fig := name + "-" + kind
			if !strings.Contains(string(md), "]("+fig+".png)") {
				t.Errorf("%s.md does not show %s.png", name, fig)
			}
			for _, ext := range []string{".png", ".svg"} {
				if _, err := os.Stat(filepath.Join(out, fig+ext)); err != nil {
					t.Errorf("%s: %v", fig+ext, err)
				}
			}
		}
	}
	if m, _ := filepath.Glob(filepath.Join(out, "validation-*")); len(m) > 0 {
		t.Errorf("reports not named validation.md wrote %v", m)
	}

	bad := filepath.Join(dir, "bad")
	os.Mkdir(bad, 0o755)
	if err := syscall.Mkfifo(filepath.Join(bad, "r-collapse.svg"), 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	stderr.Reset()
	if code := run(context.Background(), []string{"validate", "--records", sw, "--report", filepath.Join(bad, "r.md")}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "r-collapse.svg is a named pipe") {
		t.Errorf("a FIFO at a figure path: exit %d, %q; want 2 naming it", code, stderr.String())
	}
	if ents, _ := os.ReadDir(bad); len(ents) != 1 {
		t.Errorf("refusing left files: %v", ents)
	}
}

// smallSweep writes the sweep the validate tests read (d = 6, seeds 1..3,
// coupled) to dir/sw and returns its path.
func smallSweep(t *testing.T, dir string) string {
	t.Helper()
	sw := filepath.Join(dir, "sw")
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"sweep", "--d", "6", "--seeds", "1:3", "--model", "coupled", "--quiet", "--out", sw}, &stdout, &stderr); code != 0 {
		t.Fatalf("sweep exit %d: %s", code, stderr.String())
	}
	return sw
}
