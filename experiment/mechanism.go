package experiment

import (
	"context"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
	"github.com/lamcap/lamcap/theory"
)

// Rule names a memory compared in the mechanism study.
type Rule string

const (
	Optimal       Rule = "optimal"        // max-margin (min-norm QP)
	LPVertex      Rule = "lp-vertex"      // optimal vertex of the bounded-margin LP
	Hebbian       Rule = "hebbian"        // sum y x^T
	PseudoInverse Rule = "pseudo-inverse" // least squares W x = y
)

// Rules lists the rules in display order.
var Rules = []Rule{Optimal, LPVertex, Hebbian, PseudoInverse}

// Memories computes the four memories of a storable instance, each scaled to
// |W|_F = d so that scores have unit variance on random embeddings, and returns
// the max-margin solution they come from (with kappa* and the LP verdict). ok is
// false when the instance is not certified storable (the optimal memory does not
// exist).
func Memories(ctx context.Context, in *model.Instance, opts lp.Options) (map[Rule]*mat.Dense, feasibility.MaxMargin, bool, error) {
	mm, err := feasibility.SolveMaxMargin(ctx, in, opts)
	if err != nil || !mm.Storable || mm.W == nil || mm.LP.Status != feasibility.Storable {
		return nil, mm, false, err
	}
	pinv, err := in.PseudoInverse()
	if err != nil {
		return nil, mm, false, err
	}
	out := map[Rule]*mat.Dense{Optimal: mm.W, LPVertex: mm.LP.W, Hebbian: in.Hebbian(), PseudoInverse: pinv}
	for r, w := range out {
		f := mat.Norm(w, 2)
		if f == 0 {
			return nil, mm, false, fmt.Errorf("%s memory is zero", r)
		}
		var s mat.Dense
		s.Scale(float64(in.D)/f, w)
		out[r] = &s
	}
	return out, mm, true, nil
}

// ScoreSample pools, over associations, the correct score y_mu^T W x_mu, the
// largest competitor score and their difference (the association's margin).
type ScoreSample struct {
	Correct, MaxCompetitor, Margin []float64
	Pairs, PairsOrdered            int
}

// AddScores appends the scores of w on the instance.
func (s *ScoreSample) AddScores(in *model.Instance, w mat.Matrix) {
	sc := in.Scores(w)
	for mu := 0; mu < in.P; mu++ {
		row := sc.RawRowView(mu)
		best := math.Inf(-1)
		own := in.Own(mu)
		for v, x := range row {
			if v == own {
				continue
			}
			best = math.Max(best, x)
			s.Pairs++
			if row[own] > x {
				s.PairsOrdered++
			}
		}
		s.Correct = append(s.Correct, row[own])
		s.MaxCompetitor = append(s.MaxCompetitor, best)
		s.Margin = append(s.Margin, row[own]-best)
	}
}

// Moments describe a sample: mean, standard deviation and quantiles. The
// standard deviation of a single value is undefined, and JSON has no NaN: SD is
// 0 when N < 2.
type Moments struct {
	N         int                `json:"n"`
	Mean      float64            `json:"mean"`
	SD        float64            `json:"sd"`
	Quantiles map[string]float64 `json:"quantiles"`
}

// Describe computes the Moments of a sample with gonum's stat.
func Describe(x []float64) Moments {
	if len(x) == 0 {
		return Moments{}
	}
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	mean, sd := stat.MeanStdDev(s, nil)
	if len(s) < 2 {
		sd = 0 // undefined (NaN), which JSON cannot hold: see Moments
	}
	q := map[string]float64{}
	for _, p := range []float64{0.05, 0.25, 0.5, 0.75, 0.95} {
		q[fmt.Sprintf("%g", p)] = stat.Quantile(p, stat.Empirical, s, nil)
	}
	return Moments{N: len(s), Mean: mean, SD: sd, Quantiles: q}
}

// RecallStats summarises a score sample.
type RecallStats struct {
	Correct          Moments `json:"correct_score"`
	MaxCompetitor    Moments `json:"max_competitor_score"`
	Margin           Moments `json:"margin"`
	FractionRecalled float64 `json:"fraction_recalled"`
	FractionOrdered  float64 `json:"fraction_pairs_ordered"`
}

// Stats summarises the sample.
func (s *ScoreSample) Stats() RecallStats {
	rec := 0
	for _, m := range s.Margin {
		if m > 0 {
			rec++
		}
	}
	out := RecallStats{Correct: Describe(s.Correct), MaxCompetitor: Describe(s.MaxCompetitor), Margin: Describe(s.Margin)}
	if len(s.Margin) > 0 {
		out.FractionRecalled = float64(rec) / float64(len(s.Margin))
	}
	if s.Pairs > 0 {
		out.FractionOrdered = float64(s.PairsOrdered) / float64(s.Pairs)
	}
	return out
}

// SingularValues returns the singular values of w in decreasing order.
func SingularValues(w mat.Matrix) []float64 {
	var svd mat.SVD
	if !svd.Factorize(w, mat.SVDNone) {
		return nil
	}
	return svd.Values(nil)
}

// pairSpectra pairs the two studies' per-instance spectra of one rule by seed:
// the instances both used.
func pairSpectra(a, b *ModelStudy, r Rule) [][2][]float64 {
	at := map[int64][]float64{}
	for i, s := range a.seeds {
		at[s] = a.Rules[r].byRank[i]
	}
	var out [][2][]float64
	for i, s := range b.seeds {
		if x, ok := at[s]; ok {
			out = append(out, [2][]float64{x, b.Rules[r].byRank[i]})
		}
	}
	return out
}

// TightTolerance is how close to kappa* a competitor's margin must be for it to
// count as tight at the max-margin memory: a fraction of kappa*. The QP's
// solution meets its active constraints to about 1e-8 relative, and the next
// margin above kappa* is typically 1e-2 kappa* away, so 1e-4 separates them.
const TightTolerance = 1e-4

// Histogram counts values in bins of Width from Min; values outside fall in
// the first or last bin.
type Histogram struct {
	Min    float64 `json:"min"`
	Width  float64 `json:"width"`
	Counts []int   `json:"counts"`
}

// Add counts x.
func (h *Histogram) Add(x float64) {
	k := int(math.Floor((x - h.Min) / h.Width))
	h.Counts[min(max(k, 0), len(h.Counts)-1)]++
}

// Score histogram bins: unit-variance scores lie within +-6.
const (
	scoreMin   = -6
	scoreWidth = 0.05
	scoreBins  = 240
)

// Tightness is the structure of a max-margin memory W* (|W|_F = d) that the
// surrogate predicts: per association, the number of tight competitors (margin
// kappa* within TightTolerance), and the law of the competitor scores.
type Tightness struct {
	// Counts[k] is the number of associations with k tight competitors.
	Counts []int `json:"tight_competitors"`
	// Competitor holds every competitor score s(mu, v), v != Own(mu).
	Competitor Histogram `json:"competitor_scores"`
	// Level is the mean over associations of the tight competitors' score (the
	// clipping level t*), and Correct the mean correct score.
	Level   float64 `json:"tight_level_mean"`
	Correct float64 `json:"correct_score_mean"`
	// sums behind the means: of levels, of correct scores, and their counts.
	levelSum, correctSum float64
	levels, assocs       int
}

// Add adds the associations of in under w, whose margin is kappa.
func (t *Tightness) Add(in *model.Instance, w mat.Matrix, kappa float64) {
	if t.Competitor.Counts == nil {
		t.Competitor = Histogram{Min: scoreMin, Width: scoreWidth, Counts: make([]int, scoreBins)}
	}
	sc := in.Scores(w)
	for mu := 0; mu < in.P; mu++ {
		row := sc.RawRowView(mu)
		own := in.Own(mu) // mu, or the answer a(mu) of a vocabulary model
		k, level := 0, 0.0
		for v, x := range row {
			if v == own {
				continue
			}
			t.Competitor.Add(x)
			if row[own]-x <= kappa*(1+TightTolerance) {
				k++
				level += x
			}
		}
		for len(t.Counts) <= k {
			t.Counts = append(t.Counts, 0)
		}
		t.Counts[k]++
		t.correctSum += row[own]
		t.assocs++
		if k > 0 {
			t.levelSum += level / float64(k)
			t.levels++
		}
	}
	t.Correct = t.correctSum / float64(t.assocs)
	if t.levels > 0 {
		t.Level = t.levelSum / float64(t.levels)
	}
}

// ModelPC is the finite-size theory's p_c of model m at d: the vocabulary
// surrogate's d min(V - 1, d) / D_0(V) (theory.VocabCriticalP, whatever the
// answer law) for a vocabulary model, the paper's TheoryPC(d, 0) otherwise.
func ModelPC(d int, m model.Model) (float64, error) {
	if !m.IsVocabulary() {
		return TheoryPC(d, 0)
	}
	pc, _, err := theory.VocabCriticalP(d, m.Vocab())
	if err != nil {
		return 0, fmt.Errorf("finite-size p_c of %v at d=%d: %w", m, d, err)
	}
	return pc, nil
}

// DefaultMechanismP is the size at which StudyMechanism looks at the models ms
// (none: DefaultMechanismModels) when none is given: DefaultLoad times their
// finite-size p_c (ModelPC), so most instances are storable. Models whose
// defaults differ (a vocabulary model beside the paper's) have no common
// default: that is an error, and the caller gives the size.
func DefaultMechanismP(d int, ms []model.Model) (int, error) {
	if len(ms) == 0 {
		ms = DefaultMechanismModels
	}
	p := 0
	for i, m := range ms {
		pc, err := ModelPC(d, m)
		if err != nil {
			return 0, err
		}
		q := studyP(DefaultLoad, pc)
		if i > 0 && q != p {
			return 0, fmt.Errorf("the models have different default sizes (%v: p=%d, %v: p=%d, %g of each one's p_c): give p", ms[0], p, m, q, DefaultLoad)
		}
		p = q
	}
	return p, nil
}

// competitorsLevel is the extreme-value level sqrt(2 log n) of the largest
// competitor score of one association at size p under model m: n = p (p - 1
// competitors), or V for a vocabulary model (the V - 1 other words).
func competitorsLevel(p int, m model.Model) float64 {
	n := p
	if m.IsVocabulary() {
		n = m.Vocab()
	}
	return math.Sqrt(2 * math.Log(float64(n)))
}

// comparesSpectra says whether the models of a mechanism study are the paper's
// two, coupled and decoupled (in either order), whose spectra it compares.
func comparesSpectra(ms []*ModelStudy) bool {
	if len(ms) != 2 {
		return false
	}
	a, b := ms[0].Model, ms[1].Model
	c, dc := model.Coupled.String(), model.Decoupled.String()
	return a == c && b == dc || a == dc && b == c
}
