package validation

import (
	"fmt"
	"math"
	"sort"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/stats"
	"github.com/lamcap/lamcap/theory"
)

// KappaPair is kappa* compared seed by seed at one (d, load): the mean of
// kappa*_coupled - kappa*_decoupled over the seeds both certified, its standard
// error, a bootstrap 95% interval and the sign-flip p-value.
type KappaPair struct {
	D      int            `json:"d"`
	Load   string         `json:"load"`
	N      int            `json:"pairs"`
	Diff   float64        `json:"mean_diff"`
	DiffSE float64        `json:"mean_diff_se"`
	DiffCI stats.Interval `json:"mean_diff_ci95"`
	PValue float64        `json:"p_value_sign_flip"`
	// PExact is true when PValue enumerates every sign pattern
	// (stats.SignFlip), false when it is a Monte Carlo estimate.
	PExact bool `json:"p_value_exact"`
	rounds int
}

// MechanismTest is one test of the mechanism section with its Holm-adjusted
// p-value (over every test of the section).
type MechanismTest struct {
	D      int     `json:"d"`
	Load   string  `json:"load"`
	Name   string  `json:"test"`
	PValue float64 `json:"p_value"`
	Holm   float64 `json:"p_value_holm"`
	// Exact is true when PValue enumerates every permutation; otherwise it is
	// the Monte Carlo estimate (1 + hits) / (1 + Rounds).
	Exact  bool `json:"p_value_exact"`
	Rounds int  `json:"rounds,omitempty"`
}

// AtFloor reports whether PValue is the smallest its Monte Carlo can give,
// 1/(1 + Rounds): the true p-value may be much smaller, and the Holm value
// computed from it is then an upper bound.
func (t MechanismTest) AtFloor() bool {
	return !t.Exact && t.Rounds > 0 && t.PValue <= 1/float64(1+t.Rounds)*(1+1e-9)
}

// TightRow sets the measured structure of the max-margin memories of one
// (d, load, model) beside the surrogate's prediction at the same p and
// kappa* (the median).
type TightRow struct {
	D     int     `json:"d"`
	Load  string  `json:"load"`
	Model string  `json:"model"`
	P     int     `json:"p"`
	Kappa float64 `json:"kappa_star"`
	// Measured[k] is the fraction of associations with k tight competitors;
	// Predicted[k] is P(|S| = k | kappa*) (theory.ComputeFaces).
	Measured, Predicted   []float64
	MeanTight, MeanActive float64
	// Level is the mean score of the tight competitors, LevelPred E[t* | |S|>0];
	// Correct and CorrectPred the mean correct scores.
	Level, LevelPred, LevelPredSE float64
	Correct, CorrectPred          float64
	// CompSD is the standard deviation of the measured competitor scores
	// (from the histogram's bin centres; 1 for the surrogate's unclipped
	// Gaussian), and LevelScaled = LevelPred * CompSD the level predicted for
	// competitor scores of that spread.
	CompSD, LevelScaled float64
	// Competitor and CompetitorPred are the measured and predicted competitor
	// score histograms (same bins).
	Competitor     experiment.Histogram `json:"-"`
	CompetitorPred []int                `json:"-"`
}

// clippedSamples is the number of Monte Carlo blocks behind each predicted
// score law: the level's standard error is then below 0.01.
const clippedSamples = 4000

// SetMechanism puts compare-models rows (any number of files' worth) into the
// report, with the paired kappa* tests, the Holm correction over every test,
// and the tightness beside the surrogate. Later rows replace earlier ones of
// the same (d, load, model).
func (r *Report) SetMechanism(rows []experiment.CompareRow, set Settings) error {
	set = set.withDefaults()
	type key struct {
		d          int
		load, mode string
	}
	by := map[key]experiment.CompareRow{}
	for _, row := range rows {
		if row.Load == "" {
			row.Load = experiment.LoadEqualP
		}
		by[key{row.D, row.Load, row.Model}] = row
	}
	r.Mechanism = r.Mechanism[:0]
	for _, row := range by {
		r.Mechanism = append(r.Mechanism, row)
	}
	sort.Slice(r.Mechanism, func(i, j int) bool {
		a, b := r.Mechanism[i], r.Mechanism[j]
		if a.D != b.D {
			return a.D < b.D
		}
		if a.Load != b.Load {
			return a.Load < b.Load // equal-p before equal-relative-load
		}
		return a.Model < b.Model
	})
	r.KappaPairs, r.Tests, r.Tight = nil, nil, nil
	for i := 0; i+1 < len(r.Mechanism); i++ {
		a, b := r.Mechanism[i], r.Mechanism[i+1]
		if a.D != b.D || a.Load != b.Load || a.Model != "coupled" || b.Model != "decoupled" {
			continue
		}
		r.Tests = append(r.Tests, MechanismTest{D: a.D, Load: a.Load, Name: "spectra (paired KS permutation)", PValue: a.KSPerm, Rounds: stats.PermutationRounds})
		if kp, ok := kappaPair(a, b, set); ok {
			r.KappaPairs = append(r.KappaPairs, kp)
			r.Tests = append(r.Tests, MechanismTest{D: a.D, Load: a.Load, Name: "kappa* (paired sign flip)", PValue: kp.PValue, Exact: kp.PExact, Rounds: kp.rounds})
		}
	}
	// One more test per load: kappa* over every d at once, each d's
	// differences scaled by that d's standard deviation of kappa* (so that no
	// d dominates), signs flipped pair by pair.
	for _, load := range []string{experiment.LoadEqualP, experiment.LoadEqualRelative} {
		var pooled []float64
		nd := 0
		for i := 0; i+1 < len(r.Mechanism); i++ {
			a, b := r.Mechanism[i], r.Mechanism[i+1]
			if a.Load != load || b.Load != load || a.D != b.D || a.Model != "coupled" || b.Model != "decoupled" {
				continue
			}
			diff := pairedKappas(a, b)
			if len(diff) < 3 {
				continue
			}
			_, se := stats.MeanSE(diff)
			sd := se * math.Sqrt(float64(len(diff)))
			for _, x := range diff {
				pooled = append(pooled, x/sd)
			}
			nd++
		}
		if nd >= 2 {
			p := stats.SignFlip(pooled, stats.SignFlipRounds, set.Seed)
			r.Tests = append(r.Tests, MechanismTest{Load: load, Name: fmt.Sprintf("kappa* (paired sign flip, %d d pooled)", nd),
				PValue: p.P, Exact: p.Exact, Rounds: p.Rounds})
		}
	}
	ps := make([]float64, len(r.Tests))
	for i, t := range r.Tests {
		ps[i] = t.PValue
	}
	for i, h := range stats.Holm(ps) {
		r.Tests[i].Holm = h
	}
	for _, row := range r.Mechanism {
		if row.Tight == nil || len(row.Tight.Counts) == 0 {
			continue
		}
		t, err := tightRow(row)
		if err != nil {
			return fmt.Errorf("d=%d %s %s: %w", row.D, row.Load, row.Model, err)
		}
		r.Tight = append(r.Tight, t)
	}
	return nil
}

// pairedKappas are kappa*_coupled - kappa*_decoupled over the seeds both
// certified, in the coupled row's seed order.
func pairedKappas(c, d experiment.CompareRow) []float64 {
	at := map[int64]float64{}
	for i, s := range d.Seeds {
		if i < len(d.KappaStars) {
			at[s] = d.KappaStars[i]
		}
	}
	var diff []float64
	for i, s := range c.Seeds {
		if v, ok := at[s]; ok && i < len(c.KappaStars) {
			diff = append(diff, c.KappaStars[i]-v)
		}
	}
	return diff
}

// kappaPair compares kappa* seed by seed.
func kappaPair(c, d experiment.CompareRow, set Settings) (KappaPair, bool) {
	diff := pairedKappas(c, d)
	if len(diff) < 3 {
		return KappaPair{}, false
	}
	kp := KappaPair{D: c.D, Load: c.Load, N: len(diff)}
	kp.Diff, kp.DiffSE = stats.MeanSE(diff)
	seed := set.Seed + uint64(c.D)
	kp.DiffCI = stats.Bootstrap(len(diff), set.Bootstrap, seed, 0.95, func(idx []int) float64 {
		var s float64
		for _, i := range idx {
			s += diff[i]
		}
		return s / float64(len(idx))
	})
	p := stats.SignFlip(diff, stats.SignFlipRounds, seed)
	kp.PValue, kp.PExact, kp.rounds = p.P, p.Exact, p.Rounds
	return kp, true
}

// tightRow computes one TightRow.
func tightRow(row experiment.CompareRow) (TightRow, error) {
	t := TightRow{D: row.D, Load: row.Load, Model: row.Model, P: row.P, Kappa: row.Kappa,
		Level: row.Tight.Level, Correct: row.Tight.Correct, Competitor: row.Tight.Competitor}
	var n float64
	for _, c := range row.Tight.Counts {
		n += float64(c)
	}
	for k, c := range row.Tight.Counts {
		t.Measured = append(t.Measured, float64(c)/n)
		t.MeanTight += float64(k*c) / n
	}
	f, err := theory.ComputeFaces(float64(row.P), row.Kappa)
	if err != nil {
		return t, err
	}
	t.Predicted = f.Exactly()
	for k, q := range t.Predicted {
		t.MeanActive += float64(k) * q
	}
	h := row.Tight.Competitor
	cl, err := theory.ClippedScores(row.P, row.Kappa, clippedSamples, uint64(row.D), h.Min, h.Width, len(h.Counts))
	if err != nil {
		return t, err
	}
	t.LevelPred, t.LevelPredSE, t.CorrectPred = cl.Level.Mean, cl.Level.SE, cl.Correct.Mean
	var m, m2, cnt float64
	for k, c := range h.Counts {
		x := h.Min + (float64(k)+0.5)*h.Width
		m, m2, cnt = m+float64(c)*x, m2+float64(c)*x*x, cnt+float64(c)
	}
	m, m2 = m/cnt, m2/cnt
	t.CompSD = math.Sqrt(m2 - m*m)
	t.LevelScaled = t.LevelPred * t.CompSD
	t.CompetitorPred = cl.Competitor
	if math.IsNaN(t.LevelPred) {
		return t, fmt.Errorf("no clipped block in %d samples", clippedSamples)
	}
	return t, nil
}
