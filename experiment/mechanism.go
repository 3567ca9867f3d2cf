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
		for v, x := range row {
			if v == mu {
				continue
			}
			best = math.Max(best, x)
			s.Pairs++
			if row[mu] > x {
				s.PairsOrdered++
			}
		}
		s.Correct = append(s.Correct, row[mu])
		s.MaxCompetitor = append(s.MaxCompetitor, best)
		s.Margin = append(s.Margin, row[mu]-best)
	}
}

// Moments describe a sample: mean, standard deviation and quantiles.
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

// KolmogorovSmirnov is the two-sample statistic (gonum) and its asymptotic
// p-value Q_KS(sqrt(n_eff) D), Q_KS(l) = 2 sum_k (-1)^(k-1) exp(-2 k^2 l^2),
// n_eff = n m / (n + m). gonum has no Kolmogorov distribution, hence the series
// here. Singular values of one matrix are not independent draws, so the p-value
// is indicative, not exact.
func KolmogorovSmirnov(a, b []float64) (d, pValue float64) {
	x := append([]float64(nil), a...)
	y := append([]float64(nil), b...)
	sort.Float64s(x)
	sort.Float64s(y)
	d = stat.KolmogorovSmirnov(x, nil, y, nil)
	n := float64(len(x)) * float64(len(y)) / float64(len(x)+len(y))
	l := (math.Sqrt(n) + 0.12 + 0.11/math.Sqrt(n)) * d
	if l < 0.2 {
		return d, 1
	}
	sum := 0.0
	for k := 1; k <= 100; k++ {
		term := 2 * math.Exp(-2*float64(k*k)*l*l)
		if k%2 == 0 {
			term = -term
		}
		sum += term
		if math.Abs(term) < 1e-16 {
			break
		}
	}
	return d, math.Min(1, math.Max(0, sum))
}
