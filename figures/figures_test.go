package figures

import (
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

func TestMeasuredTicksNameEveryD(t *testing.T) {
	ticks := measuredTicks(map[int]bool{28: true, 8: true, 12: true})
	want := []string{"8", "12", "28"}
	if len(ticks) != len(want) {
		t.Fatalf("got %d ticks, want %d", len(ticks), len(want))
	}
	for i, tk := range ticks {
		if tk.Label != want[i] {
			t.Errorf("tick %d: label %q, want %q", i, tk.Label, want[i])
		}
	}
}

func TestTrimmedTicksHaveNoTrailingZeros(t *testing.T) {
	for _, r := range [][2]float64{{15, 78}, {0, 1}, {0, 5.3}, {0.02, 0.31}} {
		labelled := 0
		for _, tk := range (trimmedTicks{}).Ticks(r[0], r[1]) {
			if tk.Label == "" {
				continue
			}
			labelled++
			if strings.Contains(tk.Label, ".") && strings.HasSuffix(tk.Label, "0") {
				t.Errorf("range %v: label %q ends in a zero", r, tk.Label)
			}
		}
		if labelled < 2 {
			t.Errorf("range %v: %d labelled ticks", r, labelled)
		}
	}
}

func TestPadKeepsPointsOffTheAxes(t *testing.T) {
	p := plot.New()
	s, err := plotter.NewScatter(plotter.XYs{{X: 8, Y: 0}, {X: 28, Y: 1}})
	if err != nil {
		t.Fatal(err)
	}
	p.Add(s)
	pad(p, true)
	if !(p.X.Min < 8 && p.X.Max > 28 && p.Y.Min < 0 && p.Y.Max > 1) {
		t.Errorf("axes [%g, %g] x [%g, %g] do not strictly contain the data", p.X.Min, p.X.Max, p.Y.Min, p.Y.Max)
	}
	h := plot.New()
	h.Add(s)
	pad(h, false)
	if h.Y.Min != 0 {
		t.Errorf("a histogram's y axis moved off 0 to %g", h.Y.Min)
	}
}
