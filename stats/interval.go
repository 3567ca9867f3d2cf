package stats

import (
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Interval is a two-sided interval.
type Interval struct {
	Lo float64 `json:"lo"`
	Hi float64 `json:"hi"`
}

// Z95 is the standard normal quantile of a two-sided 95% interval.
var Z95 = distuv.UnitNormal.Quantile(0.975)

// Wilson is the Wilson score interval for k successes in n trials at the normal
// quantile z (Z95 for 95%).
func Wilson(k, n int, z float64) Interval {
	if n == 0 {
		return Interval{0, 1}
	}
	nf := float64(n)
	ph := float64(k) / nf
	den := 1 + z*z/nf
	centre := (ph + z*z/(2*nf)) / den
	half := z / den * math.Sqrt(ph*(1-ph)/nf+z*z/(4*nf*nf))
	return Interval{math.Max(0, centre-half), math.Min(1, centre+half)}
}

// Median returns the sample median (the mean of the two middle values for even n).
func Median(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// MedianCI is the distribution-free confidence interval for the median from order
// statistics: [x_(l), x_(n+1-l)] with l the largest index for which
// P(Binomial(n, 1/2) <= l-1) <= (1-level)/2. Its coverage is at least level; with
// too few samples for that (n < 6 at 95%) it spans the whole sample.
func MedianCI(x []float64, level float64) Interval {
	n := len(x)
	if n == 0 {
		return Interval{math.NaN(), math.NaN()}
	}
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	b := distuv.Binomial{N: float64(n), P: 0.5}
	alpha := (1 - level) / 2
	l := 0
	for k := 1; k <= n/2; k++ {
		if b.CDF(float64(k-1)) <= alpha {
			l = k
		}
	}
	if l == 0 {
		return Interval{s[0], s[n-1]}
	}
	return Interval{s[l-1], s[n-l]}
}

// MedianCICoverage is the exact coverage of MedianCI's interval for n samples
// from a continuous distribution: 1 - 2 P(Binomial(n, 1/2) <= l-1), which is
// at least level unless n is too small, when the interval is the sample's
// range and covers 1 - 2^(1-n) (0.9375 at n = 5 for level 0.95).
func MedianCICoverage(n int, level float64) float64 {
	if n == 0 {
		return 0
	}
	b := distuv.Binomial{N: float64(n), P: 0.5}
	alpha := (1 - level) / 2
	l := 1 // the range [x_(1), x_(n)] when no index meets alpha
	for k := 1; k <= n/2; k++ {
		if b.CDF(float64(k-1)) <= alpha {
			l = k
		}
	}
	return 1 - 2*b.CDF(float64(l-1))
}

// TQuantile95 is the two-sided 95% quantile of Student's t with n - 1
// degrees of freedom: the half-width of a 95% interval for the mean of n
// values, in standard errors.
func TQuantile95(n int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975)
}

// MeanSE returns the mean of x and its standard error (sample standard deviation
// over sqrt(n); NaN for n < 2).
func MeanSE(x []float64) (mean, se float64) {
	mean, sd := stat.MeanStdDev(x, nil)
	if len(x) < 2 {
		return mean, math.NaN()
	}
	return mean, sd / math.Sqrt(float64(len(x)))
}

// Bootstrap resamples the indices 0..n-1 with replacement b times, with a
// generator seeded by seed (so the interval is the same on every machine), and
// returns the percentile interval at level of f computed on each resample.
func Bootstrap(n, b int, seed uint64, level float64, f func(idx []int) float64) Interval {
	r := rand.New(rand.NewPCG(seed, 0x6c616d636170)) // "lamcap"
	vals := make([]float64, b)
	idx := make([]int, n)
	for i := range vals {
		for j := range idx {
			idx[j] = r.IntN(n)
		}
		vals[i] = f(idx)
	}
	sort.Float64s(vals)
	a := (1 - level) / 2
	return Interval{stat.Quantile(a, stat.Empirical, vals, nil), stat.Quantile(1-a, stat.Empirical, vals, nil)}
}

// ChiSquareSF is the upper tail P(X >= x) of a chi-square law with k degrees of
// freedom (NaN for k <= 0).
func ChiSquareSF(x float64, k int) float64 {
	if k <= 0 {
		return math.NaN()
	}
	return distuv.ChiSquared{K: float64(k)}.Survival(x)
}
