package experiment

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
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
	d = ksDistance(append([]float64(nil), a...), append([]float64(nil), b...))
	n := float64(len(a)) * float64(len(b)) / float64(len(a)+len(b))
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

// ksDistance is the two-sample KS distance (gonum); it sorts a and b in place.
func ksDistance(a, b []float64) float64 {
	sort.Float64s(a)
	sort.Float64s(b)
	return stat.KolmogorovSmirnov(a, nil, b, nil)
}

// PermutationRounds is the number of random relabellings behind a permutation
// p-value: its Monte Carlo standard error is at most 0.5/sqrt(2000) ~ 0.011,
// and the smallest p-value it can give is 1/2001.
const PermutationRounds = 2000

// SpectraPermutation compares two models' spectra with a test that needs no
// independence between singular values: pairs[i] holds the singular values of
// the two models' memories of one instance (same seed, so paired). The statistic
// is the two-sample KS distance between the pooled singular values of each
// side; its null distribution comes from swapping the two memories of each pair
// at random (valid when, under the null, the pair is exchangeable: the two
// models give memories of the same law). It returns the observed distance and
// the p-value (1 + #{relabelled >= observed}) / (1 + rounds), from a generator
// seeded with seed, so the same inputs give the same p-value.
//
// Written here because gonum's stat has the KS distance but no permutation
// test, and the pairing (one seed, two models) is what makes it exact.
func SpectraPermutation(pairs [][2][]float64, rounds int, seed uint64) (distance, pValue float64) {
	if len(pairs) == 0 {
		return 0, 1
	}
	ks := func(swap []bool) float64 {
		var a, b []float64
		for i, pr := range pairs {
			x, y := pr[0], pr[1]
			if swap != nil && swap[i] {
				x, y = y, x
			}
			a, b = append(a, x...), append(b, y...)
		}
		return ksDistance(a, b)
	}
	distance = ks(nil)
	r := rand.New(rand.NewPCG(seed, 0x6b73)) // "ks"
	swap := make([]bool, len(pairs))
	above := 0
	for k := 0; k < rounds; k++ {
		for i := range swap {
			swap[i] = r.IntN(2) == 1
		}
		// Distances are equal up to rounding when relabelling changes nothing.
		if ks(swap) >= distance*(1-1e-12) {
			above++
		}
	}
	return distance, float64(1+above) / float64(1+rounds)
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
