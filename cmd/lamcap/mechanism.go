package main

import (
	"context"
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/model"
)

func init() {
	register(command{"mechanism", "scores, margins and weight spectra of optimal vs Hebbian memories", runMechanism})
	register(command{"compare-models", "coupled vs decoupled: kappa*, scores and spectra side by side", runCompareModels})
}

const mechanismSynopsis = `For storable instances of p associations in dimension d, builds four memories on the
same instance: the optimal (max-margin QP), an LP vertex, the Hebbian rule and the
pseudo-inverse rule, each scaled to |W|_F = d (unit-variance scores). Writes to --out:
  mechanism.json          per model and rule: correct score, largest competitor
                          score and margin (mean, sd, quantiles), fraction of
                          associations recalled and of pairs ordered; singular values;
                          the extreme-value level sqrt(2 log p); KS distance between
                          the coupled and decoupled spectra
  scores-MODEL.png/svg    histograms of the correct scores, with sqrt(2 log p) marked
  margins-MODEL.png/svg   histograms of the margins
  spectra.png/svg         mean singular values by rank
The paper's claim: the optimal W puts correct scores just above the competitors'
extreme-value level; Hebbian correct scores spread broadly.`

func runMechanism(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("mechanism --d D [--p P] --seeds A:B --out DIR", mechanismSynopsis)
	var inst instanceFlags
	var p int
	var seeds, models, out string
	var solver methodFlag
	var asJSON bool
	inst.register(fs)
	fs.IntVarP(&p, "p", "p", 0, "associations per instance (0: 80% of the finite-size p_c, so most instances are storable)")
	fs.StringVar(&seeds, "seeds", "1:20", "seeds A:B")
	fs.StringVar(&models, "models", "coupled,decoupled", "models, comma separated")
	fs.StringVar(&out, "out", "lamcap-out/mechanism", "output directory")
	solver.register(fs)
	fs.BoolVar(&asJSON, "json", false, "print mechanism.json on stdout instead of the table (the files are written too)")
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if err := solver.validate(); err != nil {
		return err
	}
	if err := inst.validateAll(ctx); err != nil {
		return err
	}
	a, b, err := parseRange(seeds, "--seeds")
	if err != nil {
		return err
	}
	if p == 0 {
		p = max(2, int(0.8*experiment.TheoryPC(inst.d, 0)))
	}
	if err := inst.checkP(p); err != nil {
		return err
	}
	var ms []model.Model
	for _, m := range strings.Split(models, ",") {
		mm, err := model.ParseModel(strings.TrimSpace(m))
		if err != nil {
			return usagef("--models: %v", err)
		}
		ms = append(ms, mm)
	}
	fam := experiment.Family{D: inst.d, Embedding: inst.embed, FirstSeed: a, Seeds: int(b - a + 1)}
	doc, err := experiment.StudyMechanism(ctx, fam, ms, p, solver.method)
	if err != nil {
		return err
	}
	results := doc.Models
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	b2, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	if err := experiment.WriteFileAtomic(filepath.Join(out, "mechanism.json"), append(b2, '\n')); err != nil {
		return err
	}
	for _, r := range results {
		if r.Used == 0 {
			continue
		}
		if err := histogramPlot(filepath.Join(out, "scores-"+r.Model), fmt.Sprintf("Correct scores, %s, d=%d p=%d (|W|_F = d)", r.Model, inst.d, p),
			"y_mu^T W x_mu", r, func(s *experiment.ScoreSample) []float64 { return s.Correct }, r.EVLevel); err != nil {
			return err
		}
		if err := histogramPlot(filepath.Join(out, "margins-"+r.Model), fmt.Sprintf("Margins, %s, d=%d p=%d", r.Model, inst.d, p),
			"correct - largest competitor", r, func(s *experiment.ScoreSample) []float64 { return s.Margin }, 0); err != nil {
			return err
		}
	}
	if err := spectraPlot(filepath.Join(out, "spectra"), results, inst.d, p); err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(doc)
	}
	fmt.Fprintf(stdout, "d=%d p=%d, extreme-value level sqrt(2 log p) = %.3f\n", inst.d, p, math.Sqrt(2*math.Log(float64(p))))
	fmt.Fprintf(stdout, "%-10s %-15s %5s  %-16s  %-16s  %-16s  %8s  %8s  %7s\n", "model", "rule", "n", "correct mean(sd)", "max comp mean(sd)", "margin mean(sd)", "recalled", "ordered", "top sv")
	for _, r := range results {
		for _, rule := range experiment.Rules {
			rr := r.Rules[rule]
			st := rr.Recall
			fmt.Fprintf(stdout, "%-10s %-15s %5d  %6.3f (%6.3f)  %6.3f (%6.3f)   %6.3f (%6.3f)  %8.3f  %8.4f  %7.3f\n", r.Model, rule, r.Used,
				st.Correct.Mean, st.Correct.SD, st.MaxCompetitor.Mean, st.MaxCompetitor.SD, st.Margin.Mean, st.Margin.SD,
				st.FractionRecalled, st.FractionOrdered, rr.TopSingular.Mean)
		}
		if r.Skipped > 0 {
			fmt.Fprintf(stdout, "%-10s %d instances were not storable and are left out\n", r.Model, r.Skipped)
		}
	}
	if doc.Spectra != nil {
		fmt.Fprintf(stdout, "spectra coupled vs decoupled (KS): optimal %.3f (p %.2g), hebbian %.3f (p %.2g)\n",
			doc.Spectra[experiment.Optimal].Distance, doc.Spectra[experiment.Optimal].PValue, doc.Spectra[experiment.Hebbian].Distance, doc.Spectra[experiment.Hebbian].PValue)
	}
	fmt.Fprintf(stdout, "written to %s: mechanism.json, scores-*.png/svg, margins-*.png/svg, spectra.png/svg\n", out)
	return nil
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
		c := plotutil.Color(k)
		h.LineStyle.Color = c
		h.FillColor = color.NRGBA{R: c.(color.RGBA).R, G: c.(color.RGBA).G, B: c.(color.RGBA).B, A: 70}
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
	return savePlot(pl, filepath.Dir(base), filepath.Base(base))
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
			l.Color = plotutil.Color(k)
			if r.Model == "decoupled" {
				l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
			}
			pl.Add(l)
			pl.Legend.Add(r.Model+" "+string(rule), l)
			k++
		}
	}
	return savePlot(pl, filepath.Dir(base), filepath.Base(base))
}

const compareSynopsis = `The paper's equivalence claim, tested: for each d, coupled and decoupled instances
side by side at p = 80% of the finite-size p_c: kappa* (median with 95% interval),
correct and largest-competitor scores of the optimal memory, its top singular value,
and the KS distance between the two models' spectra. One table on stdout, the
figure kappa.png/svg (kappa* against d) and compare.json in --out. For capacities
of both models use 'lamcap capacity' or 'lamcap sweep'.`

func runCompareModels(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("compare-models --d 6,8,10 --seeds A:B [--out DIR]", compareSynopsis)
	var ds, seeds, out string
	var solver methodFlag
	var asJSON bool
	fs.StringVar(&ds, "d", "6,8,10,12", "dimensions")
	fs.StringVar(&seeds, "seeds", "1:20", "seeds A:B")
	fs.StringVar(&out, "out", "lamcap-out/compare", "output directory")
	solver.register(fs)
	fs.BoolVar(&asJSON, "json", false, "print the table as one JSON array (the files are written too)")
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if err := solver.validate(); err != nil {
		return err
	}
	dims, err := parseDims(ds)
	if err != nil {
		return err
	}
	a, b, err := parseRange(seeds, "--seeds")
	if err != nil {
		return err
	}
	rows, err := experiment.CompareModels(ctx, dims, experiment.Family{FirstSeed: a, Seeds: int(b - a + 1)}, solver.method)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	bj, _ := json.MarshalIndent(rows, "", "  ")
	if err := experiment.WriteFileAtomic(filepath.Join(out, "compare.json"), append(bj, '\n')); err != nil {
		return err
	}
	pl := plot.New()
	pl.Title.Text = "kappa* at p = 0.8 p_c (median, 95% CI)"
	pl.X.Label.Text = "d"
	pl.Y.Label.Text = "kappa*"
	pl.Legend.Top = true
	for k, m := range []string{"coupled", "decoupled"} {
		var pts plotter.XYs
		var errs plotter.YErrors
		for _, r := range rows {
			if r.Model == m && !math.IsNaN(r.Kappa) {
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
	if err := savePlot(pl, out, "kappa"); err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(rows)
	}
	fmt.Fprintf(stdout, "%4s  %4s  %-9s  %-28s  %8s  %9s  %7s  %-16s\n", "d", "p", "model", "kappa* median [95% CI]", "correct", "max comp", "top sv", "spectra KS (p)")
	for _, r := range rows {
		fmt.Fprintf(stdout, "%4d  %4d  %-9s  %-28s  %8.3f  %9.3f  %7.3f  %.3f (%.2g)\n", r.D, r.P, r.Model,
			fmt.Sprintf("%.4f [%.4f, %.4f]", r.Kappa, r.KappaCI.Lo, r.KappaCI.Hi), r.Correct, r.MaxComp, r.TopSV, r.KS, r.KSp)
	}
	fmt.Fprintf(stdout, "written to %s: compare.json, kappa.png/svg\n", out)
	return nil
}
