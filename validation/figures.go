package validation

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/figures"
	"github.com/lamcap/lamcap/internal/atomicfile"
)

// palette is lamcap's colour-blind-safe palette (package figures): 12
// colours, so that the nine dimensions of the collapse plot differ.
func palette(k int) color.Color { return figures.Colour(k) }

var shapes = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.PlusGlyph{},
	draw.CrossGlyph{}, draw.RingGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}}

// DefaultFigures is the base name of the figures of Markdown and
// WriteFigures: those of docs/validation.md.
const DefaultFigures = "validation"

// figureKinds are the figures a report may have (the last two only with a
// mechanism comparison), each written as BASE-KIND.png and BASE-KIND.svg.
var figureKinds = []string{"scale", "gap", "collapse", "tight", "scores"}

// FigureBase is the base name of the figures of the report at path: its file
// name without the extension (docs/validation.md: "validation", so its
// figures are validation-scale.png, ...; r.md: r-scale.png, ...), so that two
// reports in one folder never write over each other's figures.
func FigureBase(path string) string {
	base := filepath.Base(path)
	base = strings.TrimSuffix(base, filepath.Ext(base))
	if base == "" || base == "." || base == string(filepath.Separator) {
		return DefaultFigures
	}
	return base
}

// FigurePaths are every path the figures of the report at path may be
// written to (Write writes the first six always, the last four with a
// mechanism comparison): callers check them before computing anything.
func FigurePaths(path string) []string {
	dir, base := filepath.Dir(path), FigureBase(path)
	var out []string
	for _, k := range figureKinds {
		for _, ext := range []string{"png", "svg"} {
			out = append(out, filepath.Join(dir, base+"-"+k+"."+ext))
		}
	}
	return out
}

// Write writes the report to path (Markdown, atomically) and its figures
// beside it, named after it (FigureBase), creating the directory.
func (r Report) Write(path string, sources []string, command string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	base := FigureBase(path)
	if err := r.writeFigures(dir, base); err != nil {
		return err
	}
	return atomicfile.Write(path, []byte(r.markdown(base, sources, command)))
}

// WriteFigures writes validation-scale, validation-gap and validation-collapse
// (PNG and SVG) into dir, and validation-tight and validation-scores with a
// mechanism comparison. They depend on the report only.
func (r Report) WriteFigures(dir string) error { return r.writeFigures(dir, DefaultFigures) }

// writeFigures writes the figures named base-KIND.png and .svg into dir.
func (r Report) writeFigures(dir, base string) error {
	plots := map[string]*plot.Plot{
		"scale": r.scalePlot(), "gap": r.gapPlot(), "collapse": r.collapsePlot(),
	}
	if len(r.Tight) > 0 {
		plots["tight"], plots["scores"] = r.tightPlot(), r.scoresPlot()
	}
	for _, kind := range figureKinds {
		p, ok := plots[kind]
		if !ok {
			continue
		}
		for _, ext := range []string{"png", "svg"} {
			wt, err := p.WriterTo(7*vg.Inch, 4.5*vg.Inch, ext)
			if err != nil {
				return err
			}
			path := filepath.Join(dir, base+"-"+kind+"."+ext)
			if err := atomicfile.WriteWith(path, func(f io.Writer) error { _, err := wt.WriteTo(f); return err }); err != nil {
				return fmt.Errorf("writing %s: %w", path, err)
			}
		}
	}
	return nil
}

// newPlot is a plot with its title and axis labels, legend at the top right.
func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, x, y
	p.Legend.Top, p.Legend.Left = true, false
	return p
}

// hline draws y = level across [0, x1], with a legend entry unless name is "".
func hline(p *plot.Plot, level, x1 float64, c color.Color, name string) {
	l, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: level}, {X: x1, Y: level}})
	l.Color = c
	p.Add(l)
	if name != "" {
		p.Legend.Add(name, l)
	}
}

// withBars adds series i as points with vertical error bars in its colour.
func withBars(p *plot.Plot, i int, pts plotter.XYs, bars plotter.YErrors, name string) {
	s, _ := plotter.NewScatter(pts)
	styled(i, s)
	p.Add(s, &plotter.YErrorBars{XYs: pts, YErrors: bars, LineStyle: draw.LineStyle{Color: s.GlyphStyle.Color, Width: vg.Points(1)}})
	p.Legend.Add(name, s)
}

func styled(i int, s *plotter.Scatter) {
	s.GlyphStyle.Color = palette(i)
	s.GlyphStyle.Shape = shapes[i%len(shapes)]
	s.GlyphStyle.Radius = vg.Points(3)
}

func (r Report) scalePlot() *plot.Plot {
	p := newPlot("p_c log p_c / d^2 at mean p* + 1/2 (95% bars)", "d", "p_c log p_c / d^2")
	var maxD float64
	for i, m := range []string{"coupled", "decoupled"} {
		var pts plotter.XYs
		var bars plotter.YErrors
		for _, g := range r.Groups {
			if g.Model != m || g.Mean == 0 {
				continue
			}
			x := float64(g.D) + float64(i)*0.4 // side by side
			pts = append(pts, plotter.XY{X: x, Y: g.Scale})
			bars = append(bars, struct{ Low, High float64 }{g.Scale - g.ScaleCI.Lo, g.ScaleCI.Hi - g.Scale})
			maxD = math.Max(maxD, float64(g.D))
		}
		if len(pts) == 0 {
			continue
		}
		withBars(p, i, pts, bars, "exact, "+m)
	}
	var th plotter.XYs
	for _, g := range r.Groups {
		if g.Model == "decoupled" {
			th = append(th, plotter.XY{X: float64(g.D), Y: g.Theory * math.Log(g.Theory) / float64(g.D*g.D)})
		}
	}
	if len(th) > 1 {
		l, _ := plotter.NewLine(th)
		l.Color = palette(2)
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(l)
		p.Legend.Add("finite-size theory", l)
	}
	hline(p, 0.5, maxD+4, palette(6), "asymptote 1/2")
	p.Y.Min, p.Y.Max = 0.4, 1.35 // room above the data for the legend
	p.X.Min, p.X.Max = 0, maxD+4
	dTicks(p)
	return p
}

func (r Report) gapPlot() *plot.Plot {
	p := newPlot("Relative gap, coupled - decoupled, paired by seed (95% bars); fits with 1-SE bands", "d", "(p*_coupled - p*_decoupled) / p*_decoupled")
	var pts, fewPts plotter.XYs
	var bars, fewBars plotter.YErrors
	var maxD, top float64
	for _, q := range r.Pairs {
		pt, bar := plotter.XY{X: float64(q.D), Y: q.Gap}, struct{ Low, High float64 }{q.Gap - q.GapCI.Lo, q.GapCI.Hi - q.Gap}
		if q.Fitted() {
			pts, bars = append(pts, pt), append(bars, bar)
		} else {
			fewPts, fewBars = append(fewPts, pt), append(fewBars, bar)
		}
		maxD, top = math.Max(maxD, float64(q.D)), math.Max(top, q.GapCI.Hi)
	}
	vPts, vBars := r.verdictGapPoints()
	for i, pt := range vPts {
		maxD, top = math.Max(maxD, pt.X), math.Max(top, pt.Y+vBars[i].High)
	}
	for _, d := range PowerDims {
		maxD = math.Max(maxD, float64(d))
	}
	for i, f := range r.GapFits {
		var xy, band plotter.XYs
		var lower plotter.XYs
		for d := 6.0; d <= maxD+4; d += 1 {
			v, se := f.At(d), f.SEAt(d)
			xy = append(xy, plotter.XY{X: d, Y: v})
			band = append(band, plotter.XY{X: d, Y: v + se})
			lower = append(lower, plotter.XY{X: d, Y: v - se})
		}
		for k := len(lower) - 1; k >= 0; k-- {
			band = append(band, lower[k])
		}
		c := palette(i + 1)
		if poly, err := plotter.NewPolygon(band); err == nil {
			rr, gg, bb, _ := c.RGBA()
			poly.Color = color.NRGBA{R: uint8(rr >> 8), G: uint8(gg >> 8), B: uint8(bb >> 8), A: 40}
			poly.LineStyle.Width = 0
			p.Add(poly)
		}
		l, _ := plotter.NewLine(xy)
		l.Color = c
		l.Width = vg.Points(1.2)
		l.Dashes = [][]vg.Length{nil, {vg.Points(4), vg.Points(3)}, {vg.Points(1), vg.Points(2)}, {vg.Points(6), vg.Points(2), vg.Points(1), vg.Points(2)}}[i%4]
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("%s (p = %.2g)", f.Form, f.PValue), l)
	}
	if len(pts) > 0 {
		withBars(p, 0, pts, bars, "measured")
	}
	if len(fewPts) > 0 {
		// Open markers: shown, not fitted (fewer than MinPairs pairs; t intervals).
		s, _ := plotter.NewScatter(fewPts)
		styled(0, s)
		s.GlyphStyle.Shape = draw.RingGlyph{}
		p.Add(s, &plotter.YErrorBars{XYs: fewPts, YErrors: fewBars, LineStyle: draw.LineStyle{Color: s.GlyphStyle.Color, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}})
		p.Legend.Add(fmt.Sprintf("fewer than %d pairs (t bars, not fitted)", MinPairs), s)
	}
	if len(vPts) > 0 {
		withBars(p, 5, vPts, vBars, "one verdict per instance (probit shift, 95% bars)")
	}
	hline(p, 0, maxD+4, color.Gray{Y: 150}, "")
	p.X.Min, p.X.Max = 0, maxD+4
	p.Y.Min, p.Y.Max = math.Min(-0.005, -top/4), 1.8*top // room above for the legend
	dTicks(p)
	return p
}

// verdictGapPoints are the relative gaps of the single-verdict runs (the
// report's verdict rows) with their 95% bars (1.96 SE, the normal
// approximation the section's z uses), for the rows whose shift is finite and
// rests on MinPairs pairs or more: the rows the section holds the gap forms
// against.
func (r Report) verdictGapPoints() (plotter.XYs, plotter.YErrors) {
	var pts plotter.XYs
	var bars plotter.YErrors
	for _, row := range r.Verdicts {
		if !row.Estimable || row.Pairs < MinPairs {
			continue
		}
		pts = append(pts, plotter.XY{X: float64(row.D), Y: row.Gap})
		bars = append(bars, struct{ Low, High float64 }{1.96 * row.GapSE, 1.96 * row.GapSE})
	}
	return pts, bars
}

// tightPlot: per d and model, the measured fraction of associations with k
// tight competitors (points) beside P(|S| = k | kappa*) (lines).
func (r Report) tightPlot() *plot.Plot {
	p := newPlot("Tight competitors per association at W*: measured (points), P(|S| = k | kappa*) (lines)", "k", "fraction of associations")
	colour := map[int]int{}
	glyph := map[string]draw.GlyphDrawer{"coupled": draw.CircleGlyph{}, "decoupled": draw.RingGlyph{}}
	var maxK float64
	for _, t := range r.Tight {
		if t.Load == experiment.LoadEqualRelative {
			continue
		}
		if _, ok := colour[t.D]; !ok {
			colour[t.D] = len(colour)
		}
		var m, q plotter.XYs
		for k, v := range t.Measured {
			m = append(m, plotter.XY{X: float64(k), Y: v})
		}
		for k, v := range t.Predicted {
			if k <= len(t.Measured)+4 {
				q = append(q, plotter.XY{X: float64(k), Y: v})
			}
		}
		maxK = math.Max(maxK, float64(len(t.Measured)))
		sc, _ := plotter.NewScatter(m)
		sc.GlyphStyle.Color, sc.GlyphStyle.Shape, sc.GlyphStyle.Radius = palette(colour[t.D]), glyph[t.Model], vg.Points(2.5)
		l, _ := plotter.NewLine(q)
		l.Color = palette(colour[t.D])
		p.Add(l, sc)
		if t.Model == "coupled" {
			p.Legend.Add(fmt.Sprintf("d = %d (%s)", t.D, t.Load), l)
		}
	}
	for _, m := range []string{"coupled", "decoupled"} {
		key, _ := plotter.NewScatter(plotter.XYs{{}})
		key.GlyphStyle.Shape, key.GlyphStyle.Radius = glyph[m], vg.Points(3)
		p.Legend.Add(m, key)
	}
	p.X.Min, p.X.Max = 0, maxK+8 // the legend sits right of the data
	p.Y.Min = 0
	return p
}

// scoresPlot: the upper part of the competitor-score law at W*, measured
// (points) and the clipped Gaussian of the surrogate (lines), decoupled model.
func (r Report) scoresPlot() *plot.Plot {
	p := newPlot("Competitor scores at W* (decoupled): measured (points), clipped Gaussian (lines)", "score s(mu, v), |W|_F = d", "density")
	colour := map[int]int{}
	for _, t := range r.Tight {
		if t.Model != "decoupled" || t.Load == experiment.LoadEqualRelative {
			continue
		}
		if _, ok := colour[t.D]; !ok {
			colour[t.D] = len(colour)
		}
		density := func(counts []int) plotter.XYs {
			var n float64
			for _, c := range counts {
				n += float64(c)
			}
			var xy plotter.XYs
			for k, c := range counts {
				x := t.Competitor.Min + (float64(k)+0.5)*t.Competitor.Width
				if x >= -3.5 && x <= 3.5 {
					xy = append(xy, plotter.XY{X: x, Y: float64(c) / n / t.Competitor.Width})
				}
			}
			return xy
		}
		sc, _ := plotter.NewScatter(density(t.Competitor.Counts))
		sc.GlyphStyle.Color, sc.GlyphStyle.Shape, sc.GlyphStyle.Radius = palette(colour[t.D]), draw.CircleGlyph{}, vg.Points(1.8)
		l, _ := plotter.NewLine(density(t.CompetitorPred))
		l.Color = palette(colour[t.D])
		p.Add(l, sc)
		p.Legend.Add(fmt.Sprintf("d = %d, p = %d", t.D, t.P), l)
	}
	p.X.Min, p.X.Max = -3.5, 5 // the legend sits right of the data
	p.Y.Min = 0
	return p
}

func (r Report) collapsePlot() *plot.Plot {
	p := newPlot("P(storable | p) collapsed, every (d, model)", "(p - crossing) / width", "fraction storable")
	// Colour tells d apart, the glyph the model (filled coupled, open decoupled),
	// so that 16 series stay readable with 8 colour-blind-safe colours.
	colour := map[int]int{}
	for _, g := range r.Groups {
		if _, ok := colour[g.D]; !ok {
			colour[g.D] = len(colour)
		}
	}
	glyph := map[string]draw.GlyphDrawer{"coupled": draw.CircleGlyph{}, "decoupled": draw.RingGlyph{}}
	seen := map[int]bool{}
	for _, g := range r.Groups {
		if g.Width <= 0 || len(g.pstars) == 0 {
			continue
		}
		ps := append([]int(nil), g.pstars...)
		sort.Ints(ps)
		var pts plotter.XYs
		for q := ps[0]; q <= ps[len(ps)-1]+1; q++ {
			storable := 0
			for _, k := range ps {
				if k >= q {
					storable++
				}
			}
			pts = append(pts, plotter.XY{X: (float64(q) - g.Crossing) / g.Width, Y: float64(storable) / float64(len(ps))})
		}
		s, _ := plotter.NewScatter(pts)
		s.GlyphStyle.Color = palette(colour[g.D])
		s.GlyphStyle.Shape = glyph[g.Model]
		if s.GlyphStyle.Shape == nil {
			s.GlyphStyle.Shape = draw.SquareGlyph{}
		}
		s.GlyphStyle.Radius = vg.Points(2)
		p.Add(s)
		if !seen[g.D] {
			seen[g.D] = true
			key, _ := plotter.NewScatter(plotter.XYs{{}})
			key.GlyphStyle = s.GlyphStyle
			key.GlyphStyle.Shape = draw.BoxGlyph{}
			key.GlyphStyle.Radius = vg.Points(3)
			p.Legend.Add(fmt.Sprintf("d = %d", g.D), key)
		}
	}
	for _, m := range []string{"coupled", "decoupled"} {
		key, _ := plotter.NewScatter(plotter.XYs{{}})
		key.GlyphStyle.Shape, key.GlyphStyle.Radius = glyph[m], vg.Points(3)
		p.Legend.Add(m, key)
	}
	var xy plotter.XYs
	for x := -4.0; x <= 4; x += 0.05 {
		xy = append(xy, plotter.XY{X: x, Y: distuv.UnitNormal.CDF(-x)})
	}
	l, _ := plotter.NewLine(xy)
	l.Width = vg.Points(1.5)
	p.Add(l)
	p.Legend.Add("Phi(-x)", l)
	p.X.Min, p.X.Max = -4, 7 // the legend sits right of the data
	p.Y.Min, p.Y.Max = -0.02, 1.02
	return p
}

// dTicks labels the d axis with whole numbers every 8 (every 16 past d = 72).
func dTicks(p *plot.Plot) {
	p.X.Tick.Marker = plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		var ts []plot.Tick
		step := 8.0
		if hi > 72 {
			step = 16
		}
		for v := math.Ceil(lo/step) * step; v <= hi; v += step {
			ts = append(ts, plot.Tick{Value: v, Label: fmt.Sprintf("%.0f", v)})
		}
		return ts
	})
}
