package experiment

import (
	"strings"
	"testing"

	"github.com/lamcap/lamcap/stats"
)

// SummaryTable: a vocabulary model's row gives bits per parameter p_c log2 V /
// d^2 (here 16 x 2 / 64 = 0.5 at V = 4, d = 8) and no p log p scale; the
// paper's models keep their scale; an interval of fewer than 6 instances is
// marked with its coverage (1 - 2^(1-n): 50% at n = 2), one of 40 is not.
func TestSummaryTableVocabulary(t *testing.T) {
	gs := []GroupSummary{
		{D: 8, Model: "coupled", Instances: 40, PC: 23, PCCI: stats.Interval{Lo: 21, Hi: 23}, Scale: 1.127, ScaleCI: stats.Interval{Lo: 0.999, Hi: 1.127}},
		{D: 8, Model: "vocabulary-4-uniform", Instances: 3, Undecided: 1, PC: 16, PCCI: stats.Interval{Lo: 12, Hi: 20}, Scale: 0.693},
	}
	lines := strings.Split(SummaryTable(gs), "\n")
	if len(lines) < 5 {
		t.Fatalf("table:\n%s", strings.Join(lines, "\n"))
	}
	if !strings.Contains(lines[0], "bits/param") {
		t.Errorf("header %q: no bits/param column", lines[0])
	}
	if f := strings.Fields(lines[1]); strings.Contains(lines[1], "*") || f[7] != "1.127" || f[10] != "-" {
		t.Errorf("coupled row %q: want its scale 1.127, no bits, no mark", lines[1])
	}
	if f := strings.Fields(lines[2]); f[5] != "[12," || f[6] != "20]*" || f[7] != "-" || f[8] != "0.500" || f[9] != "[0.375," || f[10] != "0.625]*" {
		t.Errorf("vocabulary row %q: want [12, 20]*, no p log p scale, bits 0.500 [0.375, 0.625]*", lines[2])
	}
	if !strings.Contains(lines[4], "with 2 certified instances") || !strings.Contains(lines[4], "probability 50%") {
		t.Errorf("coverage note %q", lines[4])
	}
	// The paper's models alone: the table is as it was (the README shows it).
	one := SummaryTable(gs[:1])
	if strings.Contains(one, "bits/param") || strings.Contains(one, "*") ||
		!strings.HasPrefix(one, "   d  model          n  undec      p_c  95% CI        p_c log p_c / d^2         theory      dev   s/inst\n") {
		t.Errorf("coupled table changed:\n%s", one)
	}
}
