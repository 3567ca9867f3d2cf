package validation

import (
	"fmt"
	"math"
	"sort"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/stats"
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
	Median   float64        `json:"median"`
	MedianCI stats.Interval `json:"median_ci95"`
	// Mean p* with its standard error.
	Mean   float64 `json:"mean"`
	MeanSE float64 `json:"mean_se"`
	// Probit is the P(storable | p) = 1/2 crossing with its 95% interval, and the
	// width of the transition.
	Crossing   float64        `json:"crossing"`
	CrossingCI stats.Interval `json:"crossing_ci95"`
	Width      float64        `json:"width"`
	// Scale is p_c log p_c / d^2 at p_c = Threshold (mean p* + 1/2, the
	// estimate of p_c compared with theory), with its 95% interval.
	Scale   float64        `json:"pc_log_pc_over_d2"`
	ScaleCI stats.Interval `json:"pc_log_pc_over_d2_ci95"`
	// Threshold is Mean + HalfAssociation: the mean of the real-valued
	// threshold whose integer part p* is (see HalfAssociation), the number
	// compared with theory.
	Threshold float64 `json:"mean_plus_half"`
	// SD is the standard deviation of p* over instances.
	SD float64 `json:"sd"`
	// Theory is the finite-size prediction p_c(d) (theory.CriticalP); Deviation
	// is (Threshold - Theory) / Theory with its 95% interval.
	Theory      float64        `json:"theory"`
	Deviation   float64        `json:"deviation"`
	DeviationCI stats.Interval `json:"deviation_ci95"`
	// Seconds and Solves are the mean seconds (wall clock, as the records
	// time a search) and verdicts per certified p* (0 when the records
	// predate them).
	Seconds float64 `json:"mean_seconds"`
	Solves  float64 `json:"mean_verdicts"`
	pstars  []int
	bySeed  map[int64]int
}

// Pair compares the two models at one d over the seeds both have certified: for
// a seed the models share X and Y, so the per-seed difference removes most of
// the instance-to-instance spread.
type Pair struct {
	D int `json:"d"`
	N int `json:"pairs"`
	// Diff is the mean of p*_coupled - p*_decoupled, with its standard error and
	// a bootstrap 95% interval over seeds.
	Diff   float64        `json:"mean_diff"`
	DiffSE float64        `json:"mean_diff_se"`
	DiffCI stats.Interval `json:"mean_diff_ci95"`
	// Gap is Diff over the mean decoupled p* (the relative gap), with the
	// bootstrap standard error and 95% interval of that ratio.
	Gap   float64 `json:"relative_gap"`
	GapSE float64 `json:"relative_gap_se"`
	// DiffSD is the standard deviation of the per-seed difference, and GapSD
	// DiffSD over the mean decoupled p*: the spread of one pair's relative gap.
	DiffSD float64 `json:"diff_sd"`
	GapSD  float64 `json:"relative_gap_sd_per_pair"`
	// DecMean is the mean decoupled p* over the pairs.
	DecMean float64        `json:"decoupled_mean"`
	GapCI   stats.Interval `json:"relative_gap_ci95"`
}

// MinPairs is the fewest pairs at a d for its gap to enter the fits, the power
// extrapolation and the design comparison (Pair.Fitted). With fewer, the
// standard error of the gap is itself too uncertain for a chi-square that takes
// it as known (from 3 pairs the SD is off by more than a factor 2 one time in
// five), and a bootstrap over so few seeds under-covers: such a d is shown, with
// Student t intervals (n - 1 degrees of freedom), but fitted only once it has
// MinPairs pairs.
const MinPairs = 10

// Fitted says whether the pairs at this d are enough to enter the fits
// (MinPairs).
func (p Pair) Fitted() bool { return p.N >= MinPairs }

// MinGroup is the fewest certified instances a (d, model) group of the report
// may hold: its mean's interval takes Student t with n - 1 degrees of freedom.
// A group with fewer is left out of the tables, fits and figures, and counted
// in the progress paragraph (Progress).
const MinGroup = 2

// Report is the analysis of a set of sweep records.
type Report struct {
	// Groups are the (d, model) with MinGroup certified instances or more;
	// Pairs the d with MinTablePairs pairs or more (the table of paired
	// differences). Fewer are in Progress.
	Groups []Group `json:"groups"`
	Pairs  []Pair  `json:"pairs"`
	// GapFits are the fits of the relative gap against d (see FitGap).
	GapFits []stats.Fit `json:"gap_fits"`
	// Agreement holds, per model, the chi-square of the thresholds against
	// theory over every d.
	Agreement []Agreement `json:"theory_agreement"`
	// GapTests compare nested gap forms by likelihood ratio.
	GapTests []GapTest `json:"gap_tests"`
	// Power says how many pairs would separate the acceptable gap forms.
	Power []PowerRow `json:"power"`
	// Design compares, per d, a full p* per instance with one verdict near
	// the threshold per instance (the probit design), per CPU second.
	Design []DesignRow `json:"design"`
	// Verdicts, VerdictCount and VerdictProgress, when set by the caller
	// (SetVerdicts), are the single-verdict runs: a row per d with verdicts
	// of both models, the number of verdicts read, and where each run of
	// VerdictTargets stands.
	Verdicts        []VerdictRow      `json:"verdicts,omitempty"`
	VerdictCount    int               `json:"verdict_records,omitempty"`
	VerdictProgress []VerdictProgress `json:"verdict_progress,omitempty"`
	// Asymptote says where the finite-size prediction comes within 5% of 1/2.
	Asymptote Asymptote `json:"asymptote"`
	// Mechanism, when set by the caller (SetMechanism), is a comparison of the two models'
	// optimal memories (experiment.CompareModels, as lamcap compare-models
	// writes it to compare.json); Markdown then reports it.
	Mechanism []experiment.CompareRow `json:"mechanism,omitempty"`
	// KappaPairs, Tests and Tight are derived from Mechanism by SetMechanism.
	KappaPairs []KappaPair     `json:"kappa_pairs,omitempty"`
	Tests      []MechanismTest `json:"mechanism_tests,omitempty"`
	Tight      []TightRow      `json:"tightness,omitempty"`
	// Progress says where each d with a Target stands, and each d not yet
	// fully in the tables and fits, with the cost of the rest.
	Progress []Progress `json:"progress"`
	// Records and AsWritten, when set by the caller, are the number of
	// records read and how many of them no certificate re-checked
	// (experiment.RecordDirs.AsWritten); Markdown states them in its header.
	Records   int `json:"records,omitempty"`
	AsWritten int `json:"as_written,omitempty"`
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
		k := key{r.D, r.Model.String()}
		g := groups[k]
		if g == nil {
			g = &Group{D: r.D, Model: k.m, bySeed: map[int64]int{}}
			groups[k] = g
		}
		g.N++
		if !r.Certified {
			g.Undecided++
			continue
		}
		g.pstars = append(g.pstars, r.PStar)
		g.Seconds += r.Seconds
		g.Solves += float64(r.Solves)
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
		if len(g.pstars) < MinGroup {
			continue // too few for an interval: counted in Progress only
		}
		if err := g.estimate(); err != nil {
			return rep, fmt.Errorf("d=%d %s: %w", g.D, g.Model, err)
		}
		rep.Groups = append(rep.Groups, *g)
	}
	var soFar []Pair
	for _, g := range rep.Groups {
		if g.Model != "coupled" {
			continue
		}
		dec := groups[key{g.D, "decoupled"}]
		if dec == nil {
			continue
		}
		if p, ok := pair(g, *dec, set); ok {
			soFar = append(soFar, p)
			if p.N >= MinTablePairs {
				rep.Pairs = append(rep.Pairs, p)
			}
		}
	}
	rep.Progress = progress(recs, soFar)
	rep.GapFits = FitGap(rep.Pairs)
	rep.Agreement = agreement(rep.Groups)
	rep.GapTests = gapTests(rep.GapFits)
	rep.Power = power(rep.Pairs, rep.GapFits, PowerDims)
	rep.Design = design(rep.Groups, rep.Pairs, set)
	a, err := FindAsymptote()
	if err != nil {
		return rep, err
	}
	rep.Asymptote = a
	return rep, nil
}

// HalfAssociation is what the mean p* is shifted by before it is compared with
// theory (experiment.HalfAssociation says why; experiment.EstimateThreshold,
// the estimate behind every comparison with theory, adds it). The probit
// crossing estimates the real threshold directly (Probit); the report shows
// both and compares mean p* + 1/2, which needs no assumption on the shape of
// the threshold's law.
const HalfAssociation = experiment.HalfAssociation

// estimate fills the estimators of a group from its certified p*, at least
// MinGroup of them (a mean's interval needs a spread: Student t with 0
// degrees of freedom has none).
func (g *Group) estimate() error {
	if len(g.pstars) < MinGroup {
		return fmt.Errorf("%d certified instances; an interval needs at least %d", len(g.pstars), MinGroup)
	}
	g.Seconds /= float64(len(g.pstars))
	g.Solves /= float64(len(g.pstars))
	x := make([]float64, len(g.pstars))
	for i, k := range g.pstars {
		x[i] = float64(k)
	}
	g.Median = stats.Median(x)
	ci := stats.MedianCI(x, 0.95)
	g.MedianCI = ci
	e := experiment.EstimateThreshold(x)
	g.Mean, g.MeanSE, g.Threshold = e.Mean, e.MeanSE, e.Value
	g.SD = g.MeanSE * math.Sqrt(float64(len(x)))
	if pr, err := stats.FitProbit(g.pstars); err == nil {
		g.Crossing, g.CrossingCI, g.Width = pr.Mu, pr.MuCI, pr.Sigma
	}
	g.Scale = experiment.PLogPOverD2(g.Threshold, g.D)
	g.ScaleCI = stats.Interval{Lo: experiment.PLogPOverD2(e.CI.Lo, g.D), Hi: experiment.PLogPOverD2(e.CI.Hi, g.D)}
	pc, err := theory.CriticalP(float64(g.D*g.D), 0) // memoised: the two models of a d share it
	if err != nil {
		return err
	}
	g.Theory = pc
	g.Deviation, g.DeviationCI = e.Deviation(pc)
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
	if len(seeds) < MinSoFar {
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
	p.Diff, p.DiffSE = stats.MeanSE(diff)
	p.DiffSD = p.DiffSE * math.Sqrt(float64(n))
	seed := set.Seed + uint64(c.D)
	mean := func(v []float64, idx []int) float64 {
		var s float64
		for _, i := range idx {
			s += v[i]
		}
		return s / float64(len(idx))
	}
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	gap := func(idx []int) float64 { return mean(diff, idx) / mean(dec, idx) }
	p.Gap = gap(all)
	p.DecMean = mean(dec, all)
	p.GapSD = p.DiffSD / p.DecMean
	if !p.Fitted() {
		// Too few seeds to resample: Student t intervals, the decoupled mean
		// taken as known in the ratio (its error is 1/100 of the gap's).
		t := stats.TQuantile95(n)
		p.DiffCI = stats.Interval{Lo: p.Diff - t*p.DiffSE, Hi: p.Diff + t*p.DiffSE}
		p.GapSE = p.DiffSE / p.DecMean
		p.GapCI = stats.Interval{Lo: p.Gap - t*p.GapSE, Hi: p.Gap + t*p.GapSE}
		return p, true
	}
	p.DiffCI = stats.Bootstrap(n, set.Bootstrap, seed, 0.95, func(idx []int) float64 { return mean(diff, idx) })
	p.GapCI = stats.Bootstrap(n, set.Bootstrap, seed, 0.95, gap)
	// The bootstrap standard error of the ratio, from its 68% interval.
	se := stats.Bootstrap(n, set.Bootstrap, seed, 0.6827, gap)
	p.GapSE = (se.Hi - se.Lo) / 2
	return p, true
}

// The forms of the relative gap g(d) that FitGap fits.
const (
	FormConstant = "constant c"
	FormLog      = "c / log d"
	FormPower    = "c d^-b"
	FormLimit    = "a + b / d"
)

// FitGap fits the relative gap g(d) (weights 1/SE^2) at the d with MinPairs
// pairs or more (Pair.Fitted) with four forms, each with
// the full covariance of its parameters: a constant (the gap saturates at once),
// c / log d and c d^-b (it vanishes, logarithmically or as a power), and
// a + b / d (it tends to a nonzero limit a).
func FitGap(pairs []Pair) []stats.Fit {
	var d, y, se []float64
	for _, p := range pairs {
		if p.GapSE > 0 && p.Fitted() {
			d, y, se = append(d, float64(p.D)), append(y, p.Gap), append(se, p.GapSE)
		}
	}
	one := func(float64) float64 { return 1 }
	var fits []stats.Fit
	add := func(f stats.Fit, err error) {
		if err == nil {
			fits = append(fits, f)
		}
	}
	add(stats.FitLinear(FormConstant, []string{"c"}, d, y, se, one))
	add(stats.FitLinear(FormLog, []string{"c"}, d, y, se, func(x float64) float64 { return 1 / math.Log(x) }))
	add(stats.FitPower(FormPower, d, y, se))
	add(stats.FitLinear(FormLimit, []string{"a", "b"}, d, y, se, one, func(x float64) float64 { return 1 / x }))
	return fits
}
