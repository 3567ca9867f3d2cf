package figures

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/model"
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

// Sweep draws the capacity of the paper's models (capacity) and of
// vocabulary models (bits) apart, each only when the sweep has such groups,
// and SweepFiles names what it drew.
func TestSweepDrawsEachModelsCapacity(t *testing.T) {
	v4, err := model.Vocabulary(4, model.Answers{Kind: model.Uniform})
	if err != nil {
		t.Fatal(err)
	}
	recs := func(models ...model.Model) []experiment.Record {
		var rs []experiment.Record
		for _, m := range models {
			for _, d := range []int{6, 8} {
				for s, p := range []int{2*d - 1, 2 * d, 2*d + 2} {
					rs = append(rs, experiment.Record{Unit: experiment.Unit{D: d, Model: m, Seed: int64(s + 1)}, PStar: p, Certified: true, Lower: p, Upper: p + 1})
				}
			}
		}
		return rs
	}
	for _, c := range []struct {
		models []model.Model
		want   []string
	}{
		{[]model.Model{model.Coupled, model.Decoupled}, []string{"storable", "capacity"}},
		{[]model.Model{model.Coupled, v4}, []string{"storable", "capacity", "bits"}},
		{[]model.Model{v4}, []string{"storable", "bits"}},
	} {
		dir := t.TempDir()
		sum, err := experiment.SummariseWithTheory(recs(c.models...), 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := Sweep(dir, sum); err != nil {
			t.Fatal(err)
		}
		if got := SweepFiles(sum); !slices.Equal(got, c.want) {
			t.Errorf("%v: SweepFiles %v, want %v", c.models, got, c.want)
		}
		for _, name := range []string{"storable", "capacity", "bits"} {
			for _, ext := range []string{".png", ".svg"} {
				_, err := os.Stat(filepath.Join(dir, name+ext))
				if want := slices.Contains(c.want, name); (err == nil) != want {
					t.Errorf("%v: %s%s written: %v, want %v", c.models, name, ext, err == nil, want)
				}
			}
		}
	}
	if SweepFiles(nil) != nil {
		t.Error("SweepFiles names plots for no group")
	}
}
