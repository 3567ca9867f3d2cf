package validation

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/lamcap/lamcap/figures"
	"github.com/lamcap/lamcap/internal/atomicfile"
)

// palette is lamcap's colour-blind-safe palette (package figures): 12
// colours, so that the nine dimensions of the collapse plot differ.
func palette(k int) color.Color { return figures.Colour(k) }

var shapes = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.PlusGlyph{},
	draw.CrossGlyph{}, draw.RingGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}}

// Write writes the report to path (Markdown, atomically) and its figures
// beside it (WriteFigures), creating the directory.
func (r Report) Write(path string, sources []string, command string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := r.WriteFigures(dir); err != nil {
		return err
	}
	return atomicfile.Write(path, []byte(r.Markdown(sources, command)))
}

// WriteFigures writes validation-scale, validation-gap and validation-collapse
// (PNG and SVG) into dir. They depend on the report only.
func (r Report) WriteFigures(dir string) error {
	for name, p := range map[string]*plot.Plot{
		"validation-scale": r.scalePlot(), "validation-gap": r.gapPlot(), "validation-collapse": r.collapsePlot(),
	} {
		for _, ext := range []string{"png", "svg"} {
			wt, err := p.WriterTo(7*vg.Inch, 4.5*vg.Inch, ext)
			if err != nil {
				return err
			}
			path := filepath.Join(dir, name+"."+ext)
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
	p := newPlot("p_c log p_c / d^2 at the mean p* (95% bars)", "d", "p_c log p_c / d^2")
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
	p := newPlot("Relative gap, coupled - decoupled, paired by seed (95% bars)", "d", "(p*_coupled - p*_decoupled) / p*_decoupled")
	var pts plotter.XYs
	var bars plotter.YErrors
	var maxD, top float64
	for _, q := range r.Pairs {
		pts = append(pts, plotter.XY{X: float64(q.D), Y: q.Gap})
		bars = append(bars, struct{ Low, High float64 }{q.Gap - q.GapCI.Lo, q.GapCI.Hi - q.Gap})
		maxD, top = math.Max(maxD, float64(q.D)), math.Max(top, q.GapCI.Hi)
	}
	if len(pts) > 0 {
		withBars(p, 0, pts, bars, "measured")
	}
	for i, f := range r.GapFits {
		var xy plotter.XYs
		for d := 4.0; d <= maxD+4; d += 0.5 {
			xy = append(xy, plotter.XY{X: d, Y: f.At(d)})
		}
		l, _ := plotter.NewLine(xy)
		l.Color = palette(i + 1)
		l.Dashes = [][]vg.Length{nil, {vg.Points(4), vg.Points(3)}, {vg.Points(1), vg.Points(2)}}[i%3]
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("fit %s (p = %.2g)", f.Form, f.PValue), l)
	}
	hline(p, 0, maxD+4, color.Gray{Y: 150}, "")
	p.X.Min, p.X.Max = 0, maxD+4
	p.Y.Min, p.Y.Max = math.Min(-0.01, -top/2), 2.2*top // room above for the legend
	dTicks(p)
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

// dTicks labels the d axis with whole numbers every 8.
func dTicks(p *plot.Plot) {
	p.X.Tick.Marker = plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		var ts []plot.Tick
		for v := math.Ceil(lo/8) * 8; v <= hi; v += 8 {
			ts = append(ts, plot.Tick{Value: v, Label: fmt.Sprintf("%.0f", v)})
		}
		return ts
	})
}
