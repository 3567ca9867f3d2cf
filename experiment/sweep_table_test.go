package experiment

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/model"
)

// summaryRecords are four certified coupled instances at d = 8 (p* 20, 21,
// 22, 25: median 21.5, mean 22) and three of the vocabulary model with V = 4
// (p* 12 and 20, one undecided: median and mean 16).
func summaryRecords(t *testing.T) []Record {
	t.Helper()
	v4, err := model.Vocabulary(4, model.Answers{Kind: model.Uniform})
	if err != nil {
		t.Fatal(err)
	}
	var recs []Record
	for i, p := range []int{20, 21, 22, 25} {
		recs = append(recs, Record{Unit: Unit{D: 8, Model: model.Coupled, Seed: int64(i + 1)}, PStar: p, Certified: true, Lower: p, Upper: p + 1})
	}
	for i, p := range []int{12, 20, -1} {
		recs = append(recs, Record{Unit: Unit{D: 8, Model: v4, Seed: int64(i + 1)}, PStar: p, Certified: p > 0, Lower: max(p, 0), Upper: p + 1})
	}
	return recs
}

// Summarise takes the capacity at mean p* + 1/2 and compares that with the
// theory: the coupled group's scale is p_c log p_c / d^2 at 22.5 (not at the
// median 21.5), and its deviation from a theory of 22 is +0.5/22, where the
// median would give -0.5/22. The vocabulary group's capacity is bits per
// parameter, 16.5 log2 4 / 64, and it has no p log p scale: summary.json
// has no pc_log_pc_over_d2 key for it, and the coupled group no bits.
func TestSummariseAtMeanPlusHalf(t *testing.T) {
	gs := Summarise(summaryRecords(t))
	if len(gs) != 2 || gs[0].Model != "coupled" || gs[1].Model != "vocabulary-4-uniform" {
		t.Fatalf("groups %+v", gs)
	}
	c, v := gs[0], gs[1]
	if c.PC != 21.5 || c.Mean != 22 || c.Threshold != 22.5 || !(c.ThresholdCI.Lo < 22.5 && c.ThresholdCI.Hi > 22.5) {
		t.Errorf("coupled: median %g, mean %g, mean + 1/2 %g %v; want 21.5, 22, 22.5 inside its interval", c.PC, c.Mean, c.Threshold, c.ThresholdCI)
	}
	if want := 22.5 * math.Log(22.5) / 64; math.Abs(c.Scale-want) > 1e-12 || c.Bits != 0 || c.Vocab() != 0 {
		t.Errorf("coupled: scale %g, bits %g, V %d; want scale %g, no bits", c.Scale, c.Bits, c.Vocab(), want)
	}
	c.TheoryPC = 22
	if got, want := c.Deviation(), 0.5/22; math.Abs(got-want) > 1e-12 {
		t.Errorf("coupled: deviation %g, want %g (mean + 1/2 against theory)", got, want)
	}
	if v.PC != 16 || v.Threshold != 16.5 || v.Scale != 0 || v.ScaleCI.Lo != 0 || v.Vocab() != 4 {
		t.Errorf("vocabulary: median %g, mean + 1/2 %g, scale %g %v, V %d", v.PC, v.Threshold, v.Scale, v.ScaleCI, v.Vocab())
	}
	if want := 16.5 * 2 / 64; math.Abs(v.Bits-want) > 1e-12 || !(v.BitsCI.Lo < want && v.BitsCI.Hi > want) {
		t.Errorf("vocabulary: bits %g %v, want %g inside its interval", v.Bits, v.BitsCI, want)
	}
	// n = 2: the t interval reaches below p_c = 1, where the capacity is cut.
	if want := 2.0 / 64; v.BitsCI.Lo != want {
		t.Errorf("vocabulary: bits interval starts at %g, want %g (cut at p_c = 1)", v.BitsCI.Lo, want)
	}
	for i, g := range gs {
		b, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		scale, bits := strings.Contains(s, `"pc_log_pc_over_d2"`), strings.Contains(s, `"bits_per_parameter"`)
		if scale != (i == 0) || bits != (i == 1) || !strings.Contains(s, `"mean_plus_half"`) {
			t.Errorf("%s summary.json group: %s", g.Model, s)
		}
	}
	csv := NewSummary(storeGrid, gs, "test").CSV()
	lines := strings.Split(csv, "\n")
	if !strings.Contains(lines[0], ",mean_plus_half,") || !strings.HasPrefix(lines[1], "8,coupled,4,0,0,21.5,") ||
		!strings.Contains(lines[1], ",22,") || !strings.Contains(lines[2], ",16.5,") || !strings.Contains(lines[2], ",,,0.515625,") {
		t.Errorf("summary.csv:\n%s", csv)
	}
}

// SummaryTable: the median with its order-statistic interval, mean p* + 1/2
// with its t interval, the capacity there, and dev from mean p* + 1/2. A
// vocabulary model's row gives bits per parameter and no p log p scale; a
// median's interval of fewer than 6 instances is marked with its coverage
// (1 - 2^(1-n): 50% at n = 2).
func TestSummaryTableVocabulary(t *testing.T) {
	gs := Summarise(summaryRecords(t))
	gs[0].TheoryPC = 22
	lines := strings.Split(SummaryTable(gs), "\n")
	if len(lines) < 5 {
		t.Fatalf("table:\n%s", strings.Join(lines, "\n"))
	}
	if !strings.Contains(lines[0], "bits/param") || !strings.Contains(lines[0], "mean + 1/2") {
		t.Errorf("header %q: no bits/param or mean + 1/2 column", lines[0])
	}
	// d model n undec median [lo, hi]* mean [lo, hi] scale [lo, hi] bits theory dev s/inst
	f := strings.Fields(lines[1])
	if len(f) != 17 || f[4] != "21.5" || f[7] != "22.5" || f[10] != "1.095" || f[13] != "-" || f[14] != "22.0" || f[15] != "+2.3%" {
		t.Errorf("coupled row %q: want median 21.5, mean + 1/2 22.5, its scale 1.095, no bits, dev +2.3%%", lines[1])
	}
	f = strings.Fields(lines[2])
	if len(f) != 17 || f[5] != "[12," || f[6] != "20]*" || f[7] != "16.5" || f[10] != "-" || f[11] != "0.516" || f[12] != "[0.031," || f[14] != "-" {
		t.Errorf("vocabulary row %q: want [12, 20]*, mean + 1/2 16.5, no p log p scale, bits 0.516 [0.031, ...]", lines[2])
	}
	if !strings.Contains(lines[4], "with 2 certified instances") || !strings.Contains(lines[4], "probability 50%") {
		t.Errorf("coverage note %q", lines[4])
	}
	// The paper's models alone: no bits column (the README shows this table).
	one := SummaryTable(gs[:1])
	if strings.Contains(one, "bits/param") ||
		!strings.HasPrefix(one, "   d  model          n  undec   median  95% CI        mean + 1/2 [95% CI]     p_c log p_c / d^2         theory      dev   s/inst\n") {
		t.Errorf("coupled table:\n%s", one)
	}
}
