package validation

import (
	"fmt"
	"math"
	"sort"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/theory"
)

// Settings tune the analysis; the zero value means defaults.
type Settings struct {
	// Bootstrap is the number of resamples of the paired intervals (default 4000).
	Bootstrap int
	// Seed seeds the bootstrap (default 1): the same records give the same
	// report on every machine.
	Seed uint64
}

func (s Settings) withDefaults() Settings {
	if s.Bootstrap == 0 {
		s.Bootstrap = 4000
	}
	if s.Seed == 0 {
		s.Seed = 1
	}
	return s
}

// Group is what the records say about one (d, model): the three estimators of
// p_c side by side, and theory beside them.
type Group struct {
	D         int    `json:"d"`
	Model     string `json:"model"`
	N         int    `json:"instances"`
	Undecided int    `json:"undecided"`
	// Median p* with its 95% order-statistic interval.
	Median   float64  `json:"median"`
	MedianCI Interval `json:"median_ci95"`
	// Mean p* with its standard error.
	Mean   float64 `json:"mean"`
	MeanSE float64 `json:"mean_se"`
	// Probit is the P(storable | p) = 1/2 crossing with its 95% interval, and the
	// width of the transition.
	Crossing   float64  `json:"crossing"`
	CrossingCI Interval `json:"crossing_ci95"`
	Width      float64  `json:"width"`
	// Scale is p_c log p_c / d^2 at the mean, with its 95% interval.
	Scale   float64  `json:"pc_log_pc_over_d2"`
	ScaleCI Interval `json:"pc_log_pc_over_d2_ci95"`
	// Theory is the finite-size prediction p_c(d) (theory.CriticalP); Deviation
	// is (Mean - Theory) / Theory with its 95% interval.
	Theory      float64  `json:"theory"`
	Deviation   float64  `json:"deviation"`
	DeviationCI Interval `json:"deviation_ci95"`
	pstars      []int
	bySeed      map[int64]int
}

// Pair compares the two models at one d over the seeds both have certified: for
// a seed the models share X and Y, so the per-seed difference removes most of
// the instance-to-instance spread.
type Pair struct {
	D int `json:"d"`
	N int `json:"pairs"`
	// Diff is the mean of p*_coupled - p*_decoupled, with its standard error and
	// a bootstrap 95% interval over seeds.
	Diff   float64  `json:"mean_diff"`
	DiffSE float64  `json:"mean_diff_se"`
	DiffCI Interval `json:"mean_diff_ci95"`
	// Gap is Diff over the mean decoupled p* (the relative gap), with the
	// bootstrap standard error and 95% interval of that ratio.
	Gap   float64  `json:"relative_gap"`
	GapSE float64  `json:"relative_gap_se"`
	GapCI Interval `json:"relative_gap_ci95"`
}

// Report is the analysis of a set of sweep records.
type Report struct {
	Groups []Group `json:"groups"`
	Pairs  []Pair  `json:"pairs"`
	// GapFits are the fits of the relative gap against d (see FitGap).
	GapFits []Fit `json:"gap_fits"`
	// Asymptote says where the finite-size prediction comes within 5% of 1/2.
	Asymptote Asymptote `json:"asymptote"`
	// Mechanism, when set by the caller, is a comparison of the two models'
	// optimal memories (experiment.CompareModels, as lamcap compare-models
	// writes it to compare.json); Markdown then reports it.
	Mechanism []experiment.CompareRow `json:"mechanism,omitempty"`
}

// Analyze computes the report of records (any mix of d and models; undecided
// records are counted, never imputed).
func Analyze(recs []experiment.Record, set Settings) (Report, error) {
	set = set.withDefaults()
	type key struct {
		d int
		m string
	}
	groups := map[key]*Group{}
	for _, r := range recs {
		k := key{r.D, r.Model}
		g := groups[k]
		if g == nil {
			g = &Group{D: r.D, Model: r.Model, bySeed: map[int64]int{}}
			groups[k] = g
		}
		g.N++
		if !r.Certified {
			g.Undecided++
			continue
		}
		g.pstars = append(g.pstars, r.PStar)
		g.bySeed[r.Seed] = r.PStar
	}
	var keys []key
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].d < keys[j].d || keys[i].d == keys[j].d && keys[i].m < keys[j].m
	})
	var rep Report
	for _, k := range keys {
		g := groups[k]
		if err := g.estimate(); err != nil {
			return rep, fmt.Errorf("d=%d %s: %w", g.D, g.Model, err)
		}
		rep.Groups = append(rep.Groups, *g)
	}
	for _, g := range rep.Groups {
		if g.Model != "coupled" {
			continue
		}
		dec := groups[key{g.D, "decoupled"}]
		if dec == nil {
			continue
		}
		if p, ok := pair(g, *dec, set); ok {
			rep.Pairs = append(rep.Pairs, p)
		}
	}
	rep.GapFits = FitGap(rep.Pairs)
	a, err := FindAsymptote()
	if err != nil {
		return rep, err
	}
	rep.Asymptote = a
	return rep, nil
}

// estimate fills the estimators of a group from its certified p*.
func (g *Group) estimate() error {
	if len(g.pstars) == 0 {
		return nil
	}
	x := make([]float64, len(g.pstars))
	for i, k := range g.pstars {
		x[i] = float64(k)
	}
	g.Median = experiment.Median(x)
	ci := experiment.MedianCI(x, 0.95)
	g.MedianCI = Interval{ci.Lo, ci.Hi}
	g.Mean, g.MeanSE = MeanSE(x)
	if pr, err := FitProbit(g.pstars); err == nil {
		g.Crossing, g.CrossingCI, g.Width = pr.Mu, pr.MuCI, pr.Sigma
	}
	g.Scale = experiment.PLogPOverD2(g.Mean, g.D)
	lo, hi := g.Mean-z95*g.MeanSE, g.Mean+z95*g.MeanSE
	g.ScaleCI = Interval{experiment.PLogPOverD2(lo, g.D), experiment.PLogPOverD2(hi, g.D)}
	pc, err := theory.CriticalP(float64(g.D*g.D), 0)
	if err != nil {
		return err
	}
	g.Theory = pc
	g.Deviation = (g.Mean - pc) / pc
	g.DeviationCI = Interval{(lo - pc) / pc, (hi - pc) / pc}
	return nil
}

// pair computes the paired statistics of the seeds certified in both models.
func pair(c, d Group, set Settings) (Pair, bool) {
	var seeds []int64
	for s := range c.bySeed {
		if _, ok := d.bySeed[s]; ok {
			seeds = append(seeds, s)
		}
	}
	if len(seeds) < 3 {
		return Pair{}, false
	}
	sort.Slice(seeds, func(i, j int) bool { return seeds[i] < seeds[j] })
	n := len(seeds)
	diff, dec := make([]float64, n), make([]float64, n)
	for i, s := range seeds {
		diff[i] = float64(c.bySeed[s] - d.bySeed[s])
		dec[i] = float64(d.bySeed[s])
	}
	p := Pair{D: c.D, N: n}
	p.Diff, p.DiffSE = MeanSE(diff)
	seed := set.Seed + uint64(c.D)
	mean := func(v []float64, idx []int) float64 {
		var s float64
		for _, i := range idx {
			s += v[i]
		}
		return s / float64(len(idx))
	}
	p.DiffCI = Bootstrap(n, set.Bootstrap, seed, 0.95, func(idx []int) float64 { return mean(diff, idx) })
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	gap := func(idx []int) float64 { return mean(diff, idx) / mean(dec, idx) }
	p.Gap = gap(all)
	p.GapCI = Bootstrap(n, set.Bootstrap, seed, 0.95, gap)
	// The bootstrap standard error of the ratio, from its 68% interval.
	se := Bootstrap(n, set.Bootstrap, seed, 0.6827, gap)
	p.GapSE = (se.Hi - se.Lo) / 2
	return p, true
}

// FitGap fits the relative gap g(d) (weights 1/SE^2) with three forms: a
// constant (the gap saturates), c / log d (it vanishes logarithmically), and a
// power c d^-b (b by profile likelihood over a grid, its SE from chi2 + 1).
func FitGap(pairs []Pair) []Fit {
	var d, y, se []float64
	for _, p := range pairs {
		if p.GapSE > 0 {
			d, y, se = append(d, float64(p.D)), append(y, p.Gap), append(se, p.GapSE)
		}
	}
	var fits []Fit
	if f, err := FitLinear("constant c", d, y, se, func(float64) float64 { return 1 }); err == nil {
		fits = append(fits, f)
	}
	if f, err := FitLinear("c / log d", d, y, se, func(x float64) float64 { return 1 / math.Log(x) }); err == nil {
		fits = append(fits, f)
	}
	// Power law: profile chi2 over the exponent.
	best := Fit{Chi2: math.Inf(1)}
	var prof []struct{ b, chi2 float64 }
	for b := 0.0; b <= 3.0001; b += 0.01 {
		bb := b
		f, err := FitLinear("c d^-b", d, y, se, func(x float64) float64 { return math.Pow(x, -bb) })
		if err != nil {
			continue
		}
		prof = append(prof, struct{ b, chi2 float64 }{b, f.Chi2})
		if f.Chi2 < best.Chi2 {
			best = f
			best.Params = append(best.Params, b)
		}
	}
	if !math.IsInf(best.Chi2, 1) && len(d) > 2 {
		b := best.Params[1]
		lo, hi := b, b
		for _, pt := range prof {
			if pt.chi2 <= best.Chi2+1 {
				lo, hi = math.Min(lo, pt.b), math.Max(hi, pt.b)
			}
		}
		best.SE = append(best.SE, (hi-lo)/2)
		best.DoF = len(d) - 2
		best.PValue = 1 - chiCDF(best.Chi2, best.DoF)
		fits = append(fits, best)
	}
	return fits
}
