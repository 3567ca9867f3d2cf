package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/validation"
)

// claimsBlock returns the generated claims section of a document, markers
// included.
func claimsBlock(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i, j := strings.Index(s, validation.ClaimsBegin), strings.Index(s, validation.ClaimsEnd)
	if i < 0 || j < i {
		t.Fatalf("%s has no claims section between the markers", path)
	}
	return s[i : j+len(validation.ClaimsEnd)]
}

// The README's claims are the validation report's, word for word and number
// for number (TestValidationReportRegenerates holds the report to the records).
func TestREADMEClaimsAreTheReport(t *testing.T) {
	readme, report := claimsBlock(t, "../../README.md"), claimsBlock(t, "../../docs/validation.md")
	if readme != report {
		t.Errorf("README.md's claims differ from docs/validation.md's Summary: copy the section between the markers from the report.\nREADME:\n%s\nreport:\n%s", readme, report)
	}
}

// The README's theory table is what 'lamcap theory' prints.
func TestREADMETheoryTable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const cmd = "$ lamcap theory\n"
	i := bytes.Index(b, []byte(cmd))
	if i < 0 {
		t.Fatal("README.md shows no 'lamcap theory' output")
	}
	rest := b[i+len(cmd):]
	table := string(rest[:bytes.Index(rest, []byte("```"))])
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"theory"}, &stdout, &stderr); code != 0 {
		t.Fatalf("theory exit %d: %s", code, stderr.String())
	}
	if table != stdout.String() {
		t.Errorf("README.md's theory table is stale; 'lamcap theory' prints:\n%s", stdout.String())
	}
}

// docBlock returns the output the document at path shows after
// "$ lamcap ARGS\n", up to the next line starting with "$ " or the end of the
// code block.
func docBlock(t *testing.T, path, args string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cmd := "$ lamcap " + args + "\n"
	i := bytes.Index(b, []byte(cmd))
	if i < 0 {
		t.Fatalf("%s shows no 'lamcap %s' output", path, args)
	}
	rest := string(b[i+len(cmd):])
	rest = rest[:strings.Index(rest, "```")]
	if j := strings.Index(rest, "\n$ "); j >= 0 {
		rest = rest[:j+1]
	}
	return rest
}

// runOutput runs lamcap with args and returns its stdout.
func runOutput(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("lamcap %s: exit %d: %s", strings.Join(args, " "), code, stderr.String())
	}
	return stdout.String()
}

// withoutTimes drops what depends on the machine's speed: a trailing
// ", 0.014 s" on a line, or the last column (seconds) of a table.
func withoutTimes(s string, lastColumn bool) string {
	var out []string
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if lastColumn {
			if f := strings.Fields(line); len(f) > 1 {
				line = strings.Join(f[:len(f)-1], " ")
			}
		} else if i := strings.LastIndex(line, ", "); i >= 0 && strings.HasSuffix(line, " s") {
			line = line[:i]
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// roundingLevel matches numbers below 1e-9 as printed (a not-storable
// certificate's residual, t* = 3e-13): rounding noise, which the order of
// floating-point sums (BLAS threads, alignment) changes from run to run.
var roundingLevel = regexp.MustCompile(`[0-9.]+e-(1[0-9]|[2-9][0-9]|[1-9][0-9][0-9])\b`)

// The README's solve and threshold examples, docs/solvers.md's storable,
// not-storable and threshold ones, and docs/commands.md's margin one are what
// the commands print, but for the times.
func TestREADMEExamples(t *testing.T) {
	for _, c := range []struct {
		doc        string
		args       string
		lastColumn bool
	}{
		{"README.md", "solve --d 10 --p 32 --seed 1", false},
		{"README.md", "threshold --d 10 --seeds 1:4", true},
		{"docs/solvers.md", "solve --d 10 --p 32 --seed 1", false},
		{"docs/solvers.md", "solve --d 10 --p 32 --seed 2", false},
		{"docs/solvers.md", "threshold --d 10 --seeds 1:4", true},
		{"docs/commands.md", "margin --d 10 --p 24 --seeds 1:4", true},
	} {
		want := roundingLevel.ReplaceAllString(withoutTimes(docBlock(t, "../../"+c.doc, c.args), c.lastColumn), "(rounding)")
		got := roundingLevel.ReplaceAllString(withoutTimes(runOutput(t, strings.Fields(c.args)...), c.lastColumn), "(rounding)")
		if got != want {
			t.Errorf("%s's 'lamcap %s' is stale; the command prints (times aside):\n%s\n%s:\n%s", c.doc, c.args, got, c.doc, want)
		}
	}
}

// docs/commands.md's export example prints what the command prints, file
// size included (the file is written with full double precision, so its size
// is fixed by the instance).
func TestCommandsDocExportExample(t *testing.T) {
	const args = "export --d 8 --p 20 --seed 3 --formulation margin -o inst.mps"
	want := docBlock(t, "../../docs/commands.md", args)
	t.Chdir(t.TempDir())
	if got := runOutput(t, strings.Fields(args)...); got != want {
		t.Errorf("docs/commands.md's 'lamcap %s' is stale; the command prints:\n%s\ndocs/commands.md:\n%s", args, got, want)
	}
}

// The README's main-job table is what 'lamcap capacity' prints, but for the
// s/inst column. It runs the main job (2-3 minutes on 2 cores), so only with
// LAMCAP_CHECK_README_CAPACITY=1.
func TestREADMECapacityTable(t *testing.T) {
	if os.Getenv("LAMCAP_CHECK_README_CAPACITY") == "" {
		t.Skip("set LAMCAP_CHECK_README_CAPACITY=1 to run the main job and compare its table with the README's")
	}
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "\n   d  model")
	if i < 0 {
		t.Fatal("README.md shows no capacity table")
	}
	want := s[i+1:]
	want = want[:strings.Index(want, "```")]
	got := runOutput(t, "capacity", "--quiet", "--out", t.TempDir())
	if i := strings.Index(got, "\ntheory:"); i >= 0 { // the notes under the table
		got = got[:i+1]
	}
	if withoutTimes(got, true) != withoutTimes(want, true) {
		t.Errorf("README.md's capacity table is stale; 'lamcap capacity' prints:\n%s", got)
	}
}

// Each row of the README's speed table is a row of docs/benchmarks.md: the
// same first cell, and the measured figure in it (timings cannot be
// regenerated by a test, but they can be kept to one measured source).
func TestREADMESpeedRowsAreMeasured(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	bench, err := os.ReadFile("../../docs/benchmarks.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i := strings.Index(s, "## Speed\n")
	if i < 0 {
		t.Fatal("README.md has no Speed section")
	}
	s = s[i:]
	if j := strings.Index(s[1:], "\n## "); j >= 0 {
		s = s[:j+1]
	}
	cells := func(line string) []string {
		var out []string
		for _, c := range strings.Split(strings.Trim(line, "|"), "|") {
			out = append(out, strings.TrimSpace(strings.ReplaceAll(c, "**", "")))
		}
		return out
	}
	rows := 0
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| what ") {
			continue
		}
		rows++
		want := cells(line)
		found := false
		for _, b := range strings.Split(string(bench), "\n") {
			if !strings.HasPrefix(b, "| ") {
				continue
			}
			got := cells(b)
			if got[0] == want[0] && strings.Contains(strings.Join(got[1:], " | "), want[1]) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("README speed row %q: docs/benchmarks.md has no row %q containing %q", line, want[0], want[1])
		}
	}
	if rows == 0 {
		t.Error("README's Speed section has no table rows")
	}
}
