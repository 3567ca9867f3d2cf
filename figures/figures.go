// Package figures draws lamcap's figures from the results of package
// experiment, each as PNG and SVG written atomically.
package figures

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/internal/atomicfile"
)

// Sweep draws P(storable | p) per d and model (storable), p_c log p_c / d^2
// against d with its intervals and the 1/2 asymptote for the coupled and
// decoupled models (capacity), and bits per parameter against d for
// vocabulary models (bits), each as PNG and SVG (SweepFiles names them). The
// capacities are taken at mean p* + 1/2, the estimate compared with theory
// (experiment.EstimateThreshold).
func Sweep(dir string, sum []experiment.GroupSummary) error {
	models := map[string]bool{}
	for _, g := range sum {
		models[g.Model] = true
	}
	var names []string
	for m := range models {
		names = append(names, m)
	}
	sort.Strings(names)

	// P(storable | p), one line per (d, model).
	curve := plot.New()
	curve.Title.Text = "P(storable | p), exact LP (Wilson 95% bars)"
	curve.X.Label.Text = "p"
	curve.Y.Label.Text = "P(storable)"
	curve.Y.Min, curve.Y.Max = 0, 1
	curve.Legend.Top = true
	i := 0
	for _, g := range sum {
		if len(g.Curve) == 0 {
			continue
		}
		pts := make(plotter.XYs, len(g.Curve))
		errs := make(plotter.YErrors, len(g.Curve))
		for k, c := range g.Curve {
			pts[k] = plotter.XY{X: float64(c.P), Y: c.Fraction}
			errs[k] = struct{ Low, High float64 }{c.Fraction - c.CI.Lo, c.CI.Hi - c.Fraction}
		}
		line, glyphs, err := plotter.NewLinePoints(pts)
		if err != nil {
			return err
		}
		// A colour per (d, model): the two models of one d sit side by side
		// and must not share one; the dashes and crosses tell them apart again.
		k := 2*i + sort.SearchStrings(names, g.Model)
		line.Color = colour(k)
		glyphs.Color, glyphs.Shape = line.Color, shape(k)
		if g.Model == "decoupled" {
			line.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
			glyphs.Shape = draw.CrossGlyph{}
		}
		bars, err := errorBars(pts, errs, line.Color)
		if err != nil {
			return err
		}
		curve.Add(line, glyphs, bars)
		curve.Legend.Add(fmt.Sprintf("d=%d %s", g.D, g.Model), line, glyphs)
		if g.Model == names[len(names)-1] {
			if len(g.TheoryCurve) > 0 {
				tp := make(plotter.XYs, len(g.TheoryCurve))
				for k, c := range g.TheoryCurve {
					tp[k] = plotter.XY{X: float64(c.P), Y: c.Storable}
				}
				tl, err := plotter.NewLine(tp)
				if err != nil {
					return err
				}
				tl.Color = color.Gray{Y: 90}
				tl.Width = vg.Points(0.5)
				tl.Dashes = []vg.Length{vg.Points(1), vg.Points(2)}
				curve.Add(tl)
				if i == 0 {
					curve.Legend.Add("theory (dotted)", tl)
				}
			}
			i++
		}
	}
	pad(curve, true)
	if err := save(curve, dir, "storable"); err != nil {
		return err
	}

	if err := capacityPlot(dir, sum, names); err != nil {
		return err
	}
	return bitsPlot(dir, sum, names)
}

// SweepFiles names the figures Sweep draws from sum (each as .png and .svg):
// storable; capacity when a group is of the coupled or decoupled model; bits
// when one is of a vocabulary model.
func SweepFiles(sum []experiment.GroupSummary) []string {
	if len(sum) == 0 {
		return nil
	}
	files := []string{"storable"}
	paper, vocab := false, false
	for _, g := range sum {
		paper = paper || g.Vocab() == 0
		vocab = vocab || g.Vocab() > 0
	}
	if paper {
		files = append(files, "capacity")
	}
	if vocab {
		files = append(files, "bits")
	}
	return files
}

// capacityPlot draws p_c log p_c / d^2 against d, at p_c = mean p* + 1/2
// with its 95% interval, of the groups of the paper's models (V = p), with
// the theory and the 1/2 asymptote; nothing if there are none.
func capacityPlot(dir string, sum []experiment.GroupSummary, names []string) error {
	sc := plot.New()
	sc.Title.Text = "Capacity scale p_c log p_c / d^2 (p_c = mean p* + 1/2, 95% CI)"
	sc.X.Label.Text = "d"
	sc.Y.Label.Text = "p_c log p_c / d^2"
	sc.Legend.Top = false
	xmin, xmax := 1e9, 0.0
	measured := map[int]bool{}
	for k, m := range names {
		var pts plotter.XYs
		var errs plotter.YErrors
		for _, g := range sum {
			if g.Model != m || g.Vocab() > 0 || len(g.Curve) == 0 {
				continue
			}
			pts = append(pts, plotter.XY{X: float64(g.D), Y: g.Scale})
			errs = append(errs, struct{ Low, High float64 }{g.Scale - g.ScaleCI.Lo, g.ScaleCI.Hi - g.Scale})
			xmin, xmax = min(xmin, float64(g.D)), max(xmax, float64(g.D))
			measured[g.D] = true
		}
		if len(pts) == 0 {
			continue
		}
		if err := addErrorLine(sc, pts, errs, k, m+" (exact LP)"); err != nil {
			return err
		}
	}
	if len(measured) == 0 {
		return nil
	}
	var tp plotter.XYs
	seen := map[int]bool{}
	for _, g := range sum {
		if g.TheoryPC > 0 && g.Vocab() == 0 && !seen[g.D] {
			seen[g.D] = true
			tp = append(tp, plotter.XY{X: float64(g.D), Y: experiment.PLogPOverD2(g.TheoryPC, g.D)})
		}
	}
	if len(tp) > 0 {
		tl, err := plotter.NewLine(tp)
		if err != nil {
			return err
		}
		tl.Color = color.Black
		tl.Dashes = []vg.Length{vg.Points(1), vg.Points(2)}
		sc.Add(tl)
		sc.Legend.Add("finite-size theory", tl)
	}
	half, err := plotter.NewLine(plotter.XYs{{X: xmin, Y: 0.5}, {X: xmax, Y: 0.5}})
	if err != nil {
		return err
	}
	half.Color = color.Gray{Y: 100}
	half.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
	sc.Add(half)
	sc.Legend.Add("asymptote 1/2", half)
	sc.Y.Min = 0
	sc.X.Tick.Marker = measuredTicks(measured)
	pad(sc, true)
	return save(sc, dir, "capacity")
}

// bitsPlot draws the capacity of the vocabulary models' groups, bits per
// parameter p_c log2 V / d^2 at p_c = mean p* + 1/2 with its 95% interval,
// against d, one line per model with its theory (the vocabulary surrogate's
// p_c) dotted in its colour, beside the paper's asymptote 1 / (2 ln 2);
// nothing if there are none.
func bitsPlot(dir string, sum []experiment.GroupSummary, names []string) error {
	bp := plot.New()
	bp.Title.Text = "Bits per parameter (p_c = mean p* + 1/2, 95% CI)"
	bp.X.Label.Text = "d"
	bp.Y.Label.Text = "p_c log2 V / d^2"
	bp.Legend.Top = false
	measured := map[int]bool{}
	var theory *plotter.Line // the first model's, for the legend
	for k, m := range names {
		var pts, tp plotter.XYs
		var errs plotter.YErrors
		for _, g := range sum {
			v := g.Vocab()
			if g.Model != m || v == 0 || len(g.Curve) == 0 {
				continue
			}
			pts = append(pts, plotter.XY{X: float64(g.D), Y: g.Bits})
			errs = append(errs, struct{ Low, High float64 }{g.Bits - g.BitsCI.Lo, g.BitsCI.Hi - g.Bits})
			measured[g.D] = true
			if g.TheoryPC > 0 {
				tp = append(tp, plotter.XY{X: float64(g.D), Y: g.TheoryPC * math.Log2(float64(v)) / float64(g.D*g.D)})
			}
		}
		if len(pts) == 0 {
			continue
		}
		if err := addErrorLine(bp, pts, errs, k, m+" (exact LP)"); err != nil {
			return err
		}
		if len(tp) > 0 {
			tl, err := plotter.NewLine(tp)
			if err != nil {
				return err
			}
			tl.Color = colour(k)
			tl.Dashes = []vg.Length{vg.Points(1), vg.Points(2)}
			bp.Add(tl)
			if theory == nil {
				theory = tl
			}
		}
	}
	if len(measured) == 0 {
		return nil
	}
	if theory != nil {
		bp.Legend.Add("theory (dotted, in each model's colour)", theory)
	}
	asym := plotter.NewFunction(func(float64) float64 { return 1 / (2 * math.Ln2) })
	asym.Color = color.Gray{Y: 100}
	asym.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
	bp.Add(asym)
	bp.Legend.Add("1/(2 ln 2): paper's asymptote", asym)
	bp.Y.Min = 0
	bp.X.Tick.Marker = measuredTicks(measured)
	pad(bp, true)
	return save(bp, dir, "bits")
}

// axisPad is the fraction of each axis's data range added at both ends, so
// that no marker or error bar sits on an axis or is cut at its limit.
const axisPad = 0.04

// legendGap is the space left and right of the legend beside the data: text
// metrics differ between the PNG and SVG fonts, so the legend never ends
// flush with the canvas.
const legendGap = 12

// pad widens the axes by axisPad at both ends; histograms, whose bars stand
// on y = 0, pad only x.
func pad(p *plot.Plot, y bool) {
	axes := []*plot.Axis{&p.X}
	if y {
		axes = append(axes, &p.Y)
	}
	for _, ax := range axes {
		if r := ax.Max - ax.Min; r > 0 && !math.IsInf(r, 0) {
			ax.Min -= axisPad * r
			ax.Max += axisPad * r
		}
	}
}

func save(p *plot.Plot, dir, name string) error {
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		if _, ok := ax.Tick.Marker.(plot.DefaultTicks); ok {
			ax.Tick.Marker = trimmedTicks{}
		}
	}
	leg := p.Legend
	p.Legend = plot.NewLegend() // drawn beside the data, never over it
	for _, ext := range []string{"png", "svg"} {
		path := filepath.Join(dir, name+"."+ext)
		w, h := 7*vg.Inch, 4.5*vg.Inch
		c, err := draw.NewFormattedCanvas(w, h, ext)
		if err != nil {
			return fmt.Errorf("plot %s: %w", path, err)
		}
		dc := draw.New(c)
		var lw vg.Length
		if leg.Rectangle(dc).Size().Y > 0 {
			lw = leg.Rectangle(dc).Size().X + 2*vg.Points(legendGap)
		}
		p.Draw(draw.Crop(dc, 0, -lw, 0, 0))
		if lw > 0 {
			leg.Top, leg.Left, leg.XOffs, leg.YOffs = true, true, vg.Points(legendGap/2), -vg.Points(8)
			leg.Draw(draw.Crop(dc, w-lw, 0, 0, 0))
		}
		var buf bytes.Buffer
		if _, err := c.WriteTo(&buf); err != nil {
			return fmt.Errorf("plot %s: %w", path, err)
		}
		if err := atomicfile.Write(path, buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// palette tells up to 12 series apart for colour-blind readers: the
// Okabe-Ito colours, then four of Paul Tol's muted ones; style adds a marker
// shape, so that series differ in two ways.
var palette = []color.Color{
	color.RGBA{0, 0, 0, 255}, color.RGBA{230, 159, 0, 255}, color.RGBA{86, 180, 233, 255}, color.RGBA{0, 158, 115, 255},
	color.RGBA{0, 114, 178, 255}, color.RGBA{213, 94, 0, 255}, color.RGBA{204, 121, 167, 255}, color.RGBA{240, 228, 66, 255},
	color.RGBA{51, 34, 136, 255}, color.RGBA{17, 119, 51, 255}, color.RGBA{136, 34, 85, 255}, color.RGBA{204, 102, 119, 255},
}

// colour is the k-th colour of the palette.
func colour(k int) color.RGBA { return palette[k%len(palette)].(color.RGBA) }

// Colour is the k-th colour of lamcap's palette (k modulo its 12 colours), for
// the plots of other packages.
func Colour(k int) color.Color { return colour(k) }

// shape is the k-th marker.
func shape(k int) draw.GlyphDrawer { return plotutil.Shape(k) }

// addErrorLine adds a line with point glyphs and vertical error bars in the k-th
// plotutil colour and shape, with a legend entry.
func addErrorLine(pl *plot.Plot, pts plotter.XYs, errs plotter.YErrors, k int, label string) error {
	line, glyphs, err := plotter.NewLinePoints(pts)
	if err != nil {
		return err
	}
	line.Color = colour(k)
	glyphs.Color = line.Color
	glyphs.Shape = shape(k)
	bars, err := errorBars(pts, errs, line.Color)
	if err != nil {
		return err
	}
	pl.Add(line, glyphs, bars)
	pl.Legend.Add(label, line, glyphs)
	return nil
}

// Mechanism draws the figures of the mechanism study into dir: per model the
// histograms of correct scores (scores-MODEL) and of margins (margins-MODEL),
// and the mean singular values by rank (spectra).
func Mechanism(dir string, m *experiment.Mechanism) error {
	results := m.Models
	for _, r := range results {
		if r.Used == 0 {
			continue
		}
		if err := histogramPlot(filepath.Join(dir, "scores-"+r.Model), fmt.Sprintf("Correct scores, %s, d=%d p=%d (|W|_F = d)", r.Model, m.D, m.P),
			"y_mu^T W x_mu", r, func(s *experiment.ScoreSample) []float64 { return s.Correct }, r.EVLevel); err != nil {
			return err
		}
		if err := histogramPlot(filepath.Join(dir, "margins-"+r.Model), fmt.Sprintf("Margins, %s, d=%d p=%d", r.Model, m.D, m.P),
			"correct - largest competitor", r, func(s *experiment.ScoreSample) []float64 { return s.Margin }, 0); err != nil {
			return err
		}
	}
	return spectraPlot(filepath.Join(dir, "spectra"), results, m.D, m.P)
}

// CompareKappa draws kappa* against d for both models (kappa.png/svg in dir).
func CompareKappa(dir string, rows []experiment.CompareRow) error {
	pl := plot.New()
	pl.Title.Text = "kappa* at p = 0.8 p_c (median, 95% CI)"
	pl.X.Label.Text = "d"
	pl.Y.Label.Text = "kappa*"
	pl.Legend.Top = true
	ds := map[int]bool{}
	for k, m := range []string{"coupled", "decoupled"} {
		var pts plotter.XYs
		var errs plotter.YErrors
		for _, r := range rows {
			if r.Model == m && !math.IsNaN(r.Kappa) {
				ds[r.D] = true
				pts = append(pts, plotter.XY{X: float64(r.D) + 0.1*float64(k), Y: r.Kappa})
				errs = append(errs, struct{ Low, High float64 }{r.Kappa - r.KappaCI.Lo, r.KappaCI.Hi - r.Kappa})
			}
		}
		if len(pts) == 0 {
			continue
		}
		if err := addErrorLine(pl, pts, errs, k, m); err != nil {
			return err
		}
	}
	pl.X.Tick.Marker = measuredTicks(ds)
	pad(pl, true)
	return save(pl, dir, "kappa")
}

func histogramPlot(base, title, xlabel string, r *experiment.ModelStudy, pick func(*experiment.ScoreSample) []float64, mark float64) error {
	pl := plot.New()
	pl.Title.Text = title
	pl.X.Label.Text = xlabel
	pl.Y.Label.Text = "density"
	pl.Legend.Top = true
	for k, rule := range []experiment.Rule{experiment.Optimal, experiment.LPVertex, experiment.Hebbian} {
		vals := pick(&r.Rules[rule].Sample)
		if len(vals) < 2 {
			continue
		}
		h, err := plotter.NewHist(plotter.Values(vals), 40)
		if err != nil {
			return err
		}
		h.Normalize(1)
		c := colour(k)
		h.LineStyle.Color = c
		h.FillColor = color.NRGBA{R: c.R, G: c.G, B: c.B, A: 70}
		pl.Add(h)
		pl.Legend.Add(string(rule), h)
	}
	if mark > 0 {
		ymax := pl.Y.Max
		l, err := plotter.NewLine(plotter.XYs{{X: mark, Y: 0}, {X: mark, Y: ymax}})
		if err != nil {
			return err
		}
		l.Dashes = []vg.Length{vg.Points(3), vg.Points(2)}
		pl.Add(l)
		pl.Legend.Add("sqrt(2 log p)", l)
	}
	pad(pl, false)
	return save(pl, filepath.Dir(base), filepath.Base(base))
}

func spectraPlot(base string, results []*experiment.ModelStudy, d, p int) error {
	pl := plot.New()
	pl.Title.Text = fmt.Sprintf("Singular values of W (|W|_F = d), mean by rank, d=%d p=%d", d, p)
	pl.X.Label.Text = "rank"
	pl.Y.Label.Text = "singular value"
	pl.Legend.Top = true
	k := 0
	for _, r := range results {
		for _, rule := range []experiment.Rule{experiment.Optimal, experiment.Hebbian} {
			mr := r.Rules[rule].MeanByRank
			if len(mr) == 0 {
				continue
			}
			pts := make(plotter.XYs, len(mr))
			for i, v := range mr {
				pts[i] = plotter.XY{X: float64(i + 1), Y: v}
			}
			l, err := plotter.NewLine(pts)
			if err != nil {
				return err
			}
			l.Color = colour(k)
			if r.Model == "decoupled" {
				l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
			}
			pl.Add(l)
			pl.Legend.Add(r.Model+" "+string(rule), l)
			k++
		}
	}
	pad(pl, true)
	return save(pl, filepath.Dir(base), filepath.Base(base))
}

// errorBars are vertical error bars errs at pts in colour c.
func errorBars(pts plotter.XYs, errs plotter.YErrors, c color.Color) (*plotter.YErrorBars, error) {
	bars, err := plotter.NewYErrorBars(struct {
		plotter.XYer
		plotter.YErrorer
	}{pts, errs})
	if err != nil {
		return nil, err
	}
	bars.Color = c
	return bars, nil
}

// measuredTicks puts a labelled tick at each measured value (the dimensions d
// of a sweep), so that the axis names exactly what was measured.
func measuredTicks(ds map[int]bool) plot.ConstantTicks {
	var ticks plot.ConstantTicks
	for d := range ds {
		ticks = append(ticks, plot.Tick{Value: float64(d), Label: strconv.Itoa(d)})
	}
	sort.Slice(ticks, func(a, b int) bool { return ticks[a].Value < ticks[b].Value })
	return ticks
}

// trimmedTicks are gonum's default ticks with their labels' trailing zeros
// dropped ("25", not "25.00"; "2.5", not "2.50"): every axis's default.
type trimmedTicks struct{}

// Ticks implements plot.Ticker.
func (trimmedTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i, t := range ticks {
		if strings.Contains(t.Label, ".") && !strings.ContainsAny(t.Label, "eE") {
			ticks[i].Label = strings.TrimSuffix(strings.TrimRight(t.Label, "0"), ".")
		}
	}
	return ticks
}
