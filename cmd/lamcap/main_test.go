package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestBadInputIsOneLineExit2(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"solve", "--d", "1"}, "--d must be at least 2"},
		{[]string{"solve", "--p", "1"}, "--p must be at least 2"},
		{[]string{"solve", "--model", "vocabulary", "--vocab", "4", "--p", "0"}, "--p must be at least 1"},
		{[]string{"solve", "--seed", "-3"}, "--seed must be >= 0"},
		{[]string{"solve", "--model", "tangled"}, "unknown model"},
		{[]string{"solve", "--embedding", "cube"}, "unknown embedding"},
		{[]string{"threshold", "--embedding", "correlated:1"}, "want 0 < rho < 1"},
		{[]string{"capacity", "--embedding", "correlated:x"}, "--embedding"},
		{[]string{"solve", "--formulation", "magic"}, "unknown formulation"},
		{[]string{"solve", "--rows", "sparse"}, "unknown row form"},
		{[]string{"solve", "--d", "x"}, "invalid argument"},
		{[]string{"solve", "--nope"}, "unknown flag"},
		{[]string{"solve", "--d", "3000", "--p", "90000"}, "memory"},
		{[]string{"frobnicate"}, "unknown command"},
	}
	for _, c := range cases {
		code, out, errs := runCLI(c.args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2", c.args, code)
		}
		if out != "" {
			t.Errorf("%v: printed %q on stdout", c.args, out)
		}
		if strings.Count(strings.TrimRight(errs, "\n"), "\n") != 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: stderr %q, want one line containing %q", c.args, errs, c.want)
		}
	}
}

func TestSolveJSON(t *testing.T) {
	code, out, errs := runCLI("solve", "--d", "6", "--p", "5", "--seed", "3", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatalf("not JSON: %v: %s", err, out)
	}
	for _, k := range []string{"d", "p", "seed", "model", "embedding", "verdict", "margin", "certified", "certificate", "rows", "rounds", "iterations", "seconds"} {
		if _, ok := rec[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if rec["verdict"] != "storable" || rec["certified"] != true || rec["d"].(float64) != 6 {
		t.Errorf("p <= d should be certified storable: %v", rec)
	}
}

// A not-storable verdict's JSON states eps, the scale of lambda's rows it is
// relative to and the tolerance eps x scale (rounded down) the residual was
// held to, as the text does.
func TestSolveJSONNotStorableScale(t *testing.T) {
	args := []string{"solve", "--d", "10", "--p", "32", "--seed", "2", "--solver", "simplex"}
	code, out, errs := runCLI(append(args, "--json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rec struct {
		Verdict     string
		Certificate struct {
			Eps, Scale, Tolerance float64
			Residual              float64 `json:"lambda_residual_l1"`
		}
	}
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatal(err)
	}
	c := rec.Certificate
	if rec.Verdict != "not-storable" || c.Eps != 1e-6 || !(c.Scale > 1 && c.Scale < 20) || !(c.Tolerance <= c.Eps*c.Scale && c.Tolerance >= c.Eps*c.Scale*(1-1e-15)) || !(c.Residual <= c.Tolerance) {
		t.Fatalf("%s: want a not-storable verdict with eps 1e-6, scale near 7, tolerance eps x scale above the residual", out)
	}
	_, text, _ := runCLI(args...)
	if want := fmt.Sprintf("<= eps 1e-06 x scale %.3g of its rows; no W with |W_ij| <= 1 has every margin above eps x its largest value", c.Scale); !strings.Contains(text, want) {
		t.Errorf("text output %q lacks %q", text, want)
	}
}

func TestSolveTextAndHelp(t *testing.T) {
	code, out, _ := runCLI("solve", "--d", "5", "--p", "2", "--seed", "0", "--model", "decoupled", "--embedding", "sphere")
	if code != 0 || !strings.HasPrefix(out, "storable  (certified") {
		t.Errorf("exit %d, output %q", code, out)
	}
	code, out, _ = runCLI("solve", "--help")
	if code != 0 || !strings.Contains(out, "--formulation") || !strings.Contains(out, "not-storable") {
		t.Errorf("solve --help: exit %d, %q", code, out)
	}
	code, out, _ = runCLI("--help")
	if code != 0 || !strings.Contains(out, "solve") {
		t.Errorf("--help: exit %d, %q", code, out)
	}
}

// 'lamcap help CMD' prints that command's help; 'lamcap' alone prints the
// usage on stderr and fails; 'lamcap version' names HiGHS and the BLAS.
func TestHelpAndVersion(t *testing.T) {
	code, out, _ := runCLI("help", "merge")
	if code != 0 || !strings.HasPrefix(out, "Usage: lamcap merge") {
		t.Errorf("help merge: exit %d, %q", code, out)
	}
	code, out, errs := runCLI()
	if code != 2 || out != "" || !strings.Contains(errs, "Commands:") {
		t.Errorf("no arguments: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	code, out, _ = runCLI("version")
	if code != 0 || !strings.Contains(out, "HiGHS 1.") || !strings.Contains(out, "BLAS ") || !strings.HasPrefix(out, "lamcap ") {
		t.Errorf("version: exit %d, %q", code, out)
	}
}

// A parameterised embedding goes through --embedding: threshold names it in
// every record, and capacity in grid.json, which a second run resumes from.
func TestCorrelatedEmbeddingFlag(t *testing.T) {
	code, out, errs := runCLI("threshold", "--embedding", "correlated:0.2", "--d", "8", "--seeds", "1:3", "--json")
	if code != 0 {
		t.Fatalf("threshold: exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("threshold printed %d lines, want 3: %s", len(lines), out)
	}
	for _, l := range lines {
		var rec struct {
			Embedding string `json:"embedding"`
			Certified bool   `json:"certified"`
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil || rec.Embedding != "correlated:0.2" || !rec.Certified {
			t.Errorf("record %s: %+v (%v)", l, rec, err)
		}
	}
	dir := filepath.Join(t.TempDir(), "corr")
	for run := 0; run < 2; run++ {
		if code, _, errs := runCLI("capacity", "--d", "8", "--seeds", "1:2", "--model", "coupled", "--embedding", "correlated:0.2", "--out", dir, "--quiet", "--workers", "1"); code != 0 {
			t.Fatalf("capacity run %d: exit %d: %s", run, code, errs)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "grid.json"))
	if err != nil || !strings.Contains(string(b), `"embedding": "correlated:0.2"`) {
		t.Errorf("grid.json %s (%v) does not name correlated:0.2", b, err)
	}
}

// threshold --json names the eps its verdicts were decided with: the default
// when --eps is not given (it printed 0), the flag's value otherwise.
func TestThresholdRecordNamesEps(t *testing.T) {
	for _, c := range []struct {
		args []string
		want float64
	}{
		{nil, 1e-6},
		{[]string{"--eps", "1e-7"}, 1e-7},
	} {
		code, out, errs := runCLI(append([]string{"threshold", "--d", "6", "--seeds", "1", "--json"}, c.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errs)
		}
		var rec struct {
			Eps float64 `json:"eps"`
		}
		if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &rec); err != nil || rec.Eps != c.want {
			t.Errorf("%v: eps %g (%v), want %g", c.args, rec.Eps, err, c.want)
		}
	}
}

// 'lamcap help help' is the usage, as 'lamcap help' is.
func TestHelpHelp(t *testing.T) {
	code, out, errOut := runCLI("help", "help")
	_, usage, _ := runCLI("help")
	if code != 0 || out != usage || errOut != "" {
		t.Errorf("lamcap help help: exit %d, stderr %q, stdout equal to 'lamcap help': %v", code, errOut, out == usage)
	}
}
