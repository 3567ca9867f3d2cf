package validation

import (
	"math"
	"sort"
	"testing"

	"github.com/lamcap/lamcap/theory"
)

// An independent recomputation, on a small grid, of what the report states:
// the paired statistics, the half-association convention, and the marginal
// errors of two gap fits. It shares no code with the report: means and
// variances by hand, the a + b/d covariance by the closed-form inverse of its
// 2 x 2 normal matrix, and the power law's by the inverse of a finite-difference
// Hessian of chi2 (Cov = 2 H^-1 for chi2 = -2 log L).
func TestIndependentRecomputation(t *testing.T) {
	recs := synthetic([]int{8, 12, 16, 20, 24}, 60, 0.03)
	rep, err := Analyze(recs, Settings{Bootstrap: 2000})
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		d int
		m string
	}
	by := map[key]map[int64]int{}
	for _, r := range recs {
		if r.Certified {
			k := key{r.D, r.Model.String()}
			if by[k] == nil {
				by[k] = map[int64]int{}
			}
			by[k][r.Seed] = r.PStar
		}
	}
	// The half-association convention (theory's p_c once per d: both models
	// share it).
	pcs := map[int]float64{}
	for _, g := range rep.Groups {
		var sum float64
		for _, p := range by[key{g.D, g.Model}] {
			sum += float64(p)
		}
		mean := sum / float64(len(by[key{g.D, g.Model}]))
		pc, ok := pcs[g.D]
		if !ok {
			if pc, err = theory.CriticalP(float64(g.D*g.D), 0); err != nil {
				t.Fatal(err)
			}
			pcs[g.D] = pc
		}
		if math.Abs(g.Threshold-(mean+0.5)) > 1e-12 || math.Abs(g.Deviation-(mean+0.5-pc)/pc) > 1e-12 {
			t.Errorf("d=%d %s: threshold %g deviation %g, by hand %g %g", g.D, g.Model, g.Threshold, g.Deviation, mean+0.5, (mean+0.5-pc)/pc)
		}
		if math.Abs(g.Crossing-(mean+0.5)) > 3*(g.CrossingCI.Hi-g.CrossingCI.Lo)/3.92+0.05 {
			t.Errorf("d=%d %s: probit crossing %g far from mean + 1/2 = %g", g.D, g.Model, g.Crossing, mean+0.5)
		}
	}
	// The paired statistics.
	for _, p := range rep.Pairs {
		c, d := by[key{p.D, "coupled"}], by[key{p.D, "decoupled"}]
		var seeds []int64
		for s := range c {
			if _, ok := d[s]; ok {
				seeds = append(seeds, s)
			}
		}
		sort.Slice(seeds, func(i, j int) bool { return seeds[i] < seeds[j] })
		n := float64(len(seeds))
		var m, md float64
		for _, s := range seeds {
			m += float64(c[s]-d[s]) / n
			md += float64(d[s]) / n
		}
		var v float64
		for _, s := range seeds {
			v += (float64(c[s]-d[s]) - m) * (float64(c[s]-d[s]) - m) / (n - 1)
		}
		if math.Abs(p.Diff-m) > 1e-12 || math.Abs(p.DiffSD-math.Sqrt(v)) > 1e-9 || math.Abs(p.DiffSE-math.Sqrt(v/n)) > 1e-9 ||
			math.Abs(p.Gap-m/md) > 1e-12 || math.Abs(p.GapSD-math.Sqrt(v)/md) > 1e-9 {
			t.Errorf("d=%d: %+v; by hand diff %g sd %g gap %g", p.D, p, m, math.Sqrt(v), m/md)
		}
	}
	// a + b/d: closed-form covariance of weighted least squares with two
	// parameters.
	var x, y, w []float64
	for _, p := range rep.Pairs {
		x, y, w = append(x, float64(p.D)), append(y, p.Gap), append(w, 1/(p.GapSE*p.GapSE))
	}
	var s0, s1, s2, t0, t1 float64
	for i := range x {
		s0, s1, s2 = s0+w[i], s1+w[i]/x[i], s2+w[i]/(x[i]*x[i])
		t0, t1 = t0+w[i]*y[i], t1+w[i]*y[i]/x[i]
	}
	det := s0*s2 - s1*s1
	a, b := (s2*t0-s1*t1)/det, (s0*t1-s1*t0)/det
	lim := rep.fit(FormLimit)
	if lim == nil {
		t.Fatal("no a + b/d fit")
	}
	if math.Abs(lim.Params[0]-a) > 1e-9 || math.Abs(lim.Params[1]-b) > 1e-7 ||
		math.Abs(lim.SE[0]-math.Sqrt(s2/det)) > 1e-9 || math.Abs(lim.SE[1]-math.Sqrt(s0/det)) > 1e-7 {
		t.Errorf("a + b/d: %v +- %v, by hand %g %g +- %g %g", lim.Params, lim.SE, a, b, math.Sqrt(s2/det), math.Sqrt(s0/det))
	}
	// Power law: marginal errors from the Hessian of chi2 by central differences.
	pw := rep.fit(FormPower)
	chi2 := func(c, b float64) float64 {
		var s float64
		for i := range x {
			r := y[i] - c*math.Pow(x[i], -b)
			s += w[i] * r * r
		}
		return s
	}
	c0, b0 := pw.Params[0], pw.Params[1]
	hc, hb := 1e-4*math.Abs(c0), 1e-4
	hcc := (chi2(c0+hc, b0) - 2*chi2(c0, b0) + chi2(c0-hc, b0)) / (hc * hc)
	hbb := (chi2(c0, b0+hb) - 2*chi2(c0, b0) + chi2(c0, b0-hb)) / (hb * hb)
	hcb := (chi2(c0+hc, b0+hb) - chi2(c0+hc, b0-hb) - chi2(c0-hc, b0+hb) + chi2(c0-hc, b0-hb)) / (4 * hc * hb)
	dh := hcc*hbb - hcb*hcb
	seC, seB := math.Sqrt(2*hbb/dh), math.Sqrt(2*hcc/dh)
	// The Hessian includes the residuals' curvature, which Gauss-Newton drops:
	// they agree to a few percent at a good fit.
	if math.Abs(pw.SE[0]/seC-1) > 0.05 || math.Abs(pw.SE[1]/seB-1) > 0.05 {
		t.Errorf("power law marginal SE %v, from the Hessian %g %g", pw.SE, seC, seB)
	}
}
