package figures

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/lamcap/lamcap/experiment"
)

// Vocab draws the finite-vocabulary study into dir: capacity (p_c / d^2
// against V, measured per d and answer distribution, and the surrogate's
// prediction as a dashed line in the colour of its d) and bits (p_c log2 V /
// d^2 against V, the same way, with Allen-Zhu and Li's 2 bits per parameter
// and the asymptote 1 / (2 ln 2)), each as PNG and SVG. The measured p_c is
// the estimate compared with theory, mean p* + 1/2 with its 95% Student t
// bars (VocabGroup.Threshold, experiment.EstimateThreshold), not the median.
// The files are dir/PREFIXcapacity.* and dir/PREFIXbits.*.
func Vocab(dir, prefix string, groups []experiment.VocabGroup) error {
	type key struct {
		d int
		a string
	}
	series := map[key][]experiment.VocabGroup{}
	var keys []key
	for _, g := range groups {
		k := key{g.D, g.Answers}
		if _, ok := series[k]; !ok {
			keys = append(keys, k)
		}
		series[k] = append(series[k], g)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].a != keys[j].a {
			return keys[i].a < keys[j].a
		}
		return keys[i].d < keys[j].d
	})
	capacity, bits := plot.New(), plot.New()
	capacity.Title.Text = "p_c / d^2 against V (p_c = mean p* + 1/2, 95% bars; dashed: theory)"
	capacity.Y.Label.Text = "p_c / d^2"
	bits.Title.Text = "p_c log2 V / d^2 (p_c = mean p* + 1/2; dashed: theory)"
	bits.Y.Label.Text = "bits per parameter"
	bits.Y.Min, bits.Y.Max = 0, 2.2
	capacity.Y.Min = 0
	for _, p := range []*plot.Plot{capacity, bits} {
		p.X.Label.Text = "V (log scale)"
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	dIndex := map[int]int{}
	for _, k := range keys {
		if _, ok := dIndex[k.d]; !ok {
			dIndex[k.d] = len(dIndex)
		}
	}
	for _, k := range keys {
		gs := series[k]
		c := dIndex[k.d]
		if k.a != "uniform" {
			c += len(dIndex)
		}
		d2 := float64(k.d * k.d)
		pts, theory, bp := make(plotter.XYs, len(gs)), make(plotter.XYs, len(gs)), make(plotter.XYs, len(gs))
		errs, berrs := make(plotter.YErrors, len(gs)), make(plotter.YErrors, len(gs))
		for i, g := range gs {
			v := float64(g.V)
			x, lo, hi := g.Threshold, g.ThresholdCI.Lo, g.ThresholdCI.Hi
			pts[i] = plotter.XY{X: v, Y: x / d2}
			errs[i] = struct{ Low, High float64 }{(x - lo) / d2, (hi - x) / d2}
			theory[i] = plotter.XY{X: v, Y: g.Theory / d2}
			scale := math.Log2(v) / d2
			bp[i] = plotter.XY{X: v, Y: x * scale}
			berrs[i] = struct{ Low, High float64 }{(x - lo) * scale, (hi - x) * scale}
		}
		label := fmt.Sprintf("d=%d %s", k.d, k.a)
		if err := addErrorLine(capacity, pts, errs, c, label); err != nil {
			return err
		}
		if err := addErrorLine(bits, bp, berrs, c, label); err != nil {
			return err
		}
		if k.a == "uniform" {
			tb := make(plotter.XYs, len(theory))
			for i, xy := range theory {
				tb[i] = plotter.XY{X: xy.X, Y: xy.Y * math.Log2(xy.X)}
			}
			for _, pl := range []struct {
				p   *plot.Plot
				xys plotter.XYs
			}{{capacity, theory}, {bits, tb}} {
				l, err := plotter.NewLine(pl.xys)
				if err != nil {
					return err
				}
				l.Color, l.Dashes = colour(c), []vg.Length{vg.Points(4), vg.Points(3)}
				pl.p.Add(l)
			}
		}
	}
	for _, ref := range []struct {
		y     float64
		label string
	}{{2, "2 bits/param (Allen-Zhu and Li; Cover)"}, {1 / (2 * math.Ln2), "1/(2 ln 2): paper's asymptote"}} {
		y := ref.y
		f := plotter.NewFunction(func(float64) float64 { return y })
		f.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
		bits.Add(f)
		bits.Legend.Add(ref.label, f)
	}
	if err := save(capacity, dir, prefix+"capacity"); err != nil {
		return err
	}
	return save(bits, dir, prefix+"bits")
}
