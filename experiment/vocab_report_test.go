package experiment

import (
	"strings"
	"testing"

	"github.com/lamcap/lamcap/model"
)

// The report's sentences on where the theory fails are computed from the
// records: a row far off the theory is named as off after the Holm
// correction, rows on it are not, and V = 2 (Cover, exact) is on it.
func TestVocabReportSaysWhereTheTheoryIsOff(t *testing.T) {
	ans, err := model.ParseAnswers("uniform")
	if err != nil {
		t.Fatal(err)
	}
	var recs []VocabThreshold
	add := func(v int, ps ...int) {
		m, err := model.Vocabulary(v, ans)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range ps {
			recs = append(recs, VocabThreshold{D: 8, Model: m, V: v, Answers: "uniform", Seed: int64(i + 1), PStar: p, Certified: true})
		}
	}
	add(2, 14, 15, 16, 17, 14, 15, 16, 17, 15, 16)  // mean + 1/2 = 16.0 = Cover's 2d
	add(9, 25, 26, 25, 26, 25, 26, 25, 26, 25, 26)  // 26.0 against 34.02: z about -48
	add(22, 21, 22, 21, 22, 21, 22, 21, 22, 21, 22) // 22.0 against 22.26: z about -1.6
	groups, err := SummariseVocab(recs)
	if err != nil {
		t.Fatal(err)
	}
	paper, err := PaperPC(groups)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	writeVocabAnswers(&b, map[string][]VocabGroup{"uniform": groups}, paper, nil)
	out := b.String()
	for _, want := range []string{
		"The theory is off in 1 of the 3 rows tested (the measurement below it in 1, above in 0",
		": d = 8, V = 9 (-23.6% [",
		"the 1 rows with V = 2 have\n|z| <= 0.0, and 0 of them are off",
		"1 of the 1 rows at V = d or d + 1 have the measurement\nbelow the theory",
		"| uniform | 8 | ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "-0.0%") {
		t.Errorf("a -0.0%% in\n%s", out)
	}
}
