package main

import (
	"strings"
	"testing"
)

// An undecided verdict reached no optimum, and solve says so: it printed
// "optimal margin t* = 0", a borderline instance's line. A time limit of
// 0.1 ms stops every solver on d = 20, p = 88 before an answer.
func TestSolveUndecidedClaimsNoOptimum(t *testing.T) {
	code, out, errs := runCLI("solve", "--d", "20", "--p", "88", "--seed", "1", "--time-limit", "0.0001")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.HasPrefix(out, "undecided") || strings.Contains(out, "optimal margin t*") || !strings.Contains(out, "no optimal margin (undecided") {
		t.Errorf("undecided solve printed:\n%s", out)
	}
}
