package validation

import (
	"os"
	"regexp"
	"strconv"
	"testing"
)

// scripts/science-sweep.sh runs the verdict sweeps of
// validation.VerdictTargets: seeds 1..Pairs of both models in the part's
// directory, each at its p0.
func TestVerdictTargetsMatchScript(t *testing.T) {
	b, err := os.ReadFile("../scripts/science-sweep.sh")
	if err != nil {
		t.Fatal(err)
	}
	runs := map[int]Target{}
	for _, m := range regexp.MustCompile(`(?m)^(?:workers=\d+ )?runv (\S+) (\d+) (\d+) coupled=\d+,decoupled=\d+\b`).FindAllStringSubmatch(string(b), -1) {
		d, _ := strconv.Atoi(m[2])
		n, _ := strconv.Atoi(m[3])
		runs[d] = Target{D: d, Pairs: n, Part: m[1]}
	}
	if len(VerdictTargets) == 0 {
		t.Fatal("no verdict targets")
	}
	for _, want := range VerdictTargets {
		if got := runs[want.D]; got != want {
			t.Errorf("the script runs verdicts %+v for d = %d, validation.VerdictTargets says %+v", got, want.D, want)
		}
	}
}
