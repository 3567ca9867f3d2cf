package main

import (
	"bytes"
	"context"
	"os"
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
