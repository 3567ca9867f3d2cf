package experiment

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// Interval is a two-sided confidence interval.
type Interval struct {
	Lo float64 `json:"lo"`
	Hi float64 `json:"hi"`
}

// Wilson is the Wilson score interval for k successes in n trials at the normal
// quantile z (1.96 for 95%).
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

// MeasuredPoint is P(storable | p) estimated from critical sizes.
type MeasuredPoint struct {
	P        int      `json:"p"`
	Storable int      `json:"storable"`
	N        int      `json:"n"`
	Fraction float64  `json:"fraction"`
	CI       Interval `json:"ci95"`
}

// StorableCurve estimates P(storable | p) = P(p* >= p) for p from the smallest
// p* to the largest p* + 1, with Wilson 95% intervals.
func StorableCurve(pstars []int) []MeasuredPoint {
	if len(pstars) == 0 {
		return nil
	}
	lo, hi := pstars[0], pstars[0]
	for _, v := range pstars {
		lo, hi = min(lo, v), max(hi, v)
	}
	var out []MeasuredPoint
	for p := lo; p <= hi+1; p++ {
		k := 0
		for _, v := range pstars {
			if v >= p {
				k++
			}
		}
		out = append(out, MeasuredPoint{P: p, Storable: k, N: len(pstars),
			Fraction: float64(k) / float64(len(pstars)), CI: Wilson(k, len(pstars), 1.959963984540054)})
	}
	return out
}

// PLogPOverD2 is p log p / d^2, the paper's capacity scale (1/2 asymptotically).
func PLogPOverD2(p float64, d int) float64 { return p * math.Log(p) / float64(d*d) }
