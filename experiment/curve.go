package experiment

import (
	"math"

	"github.com/lamcap/lamcap/stats"
)

// MeasuredPoint is P(storable | p) estimated from critical sizes.
type MeasuredPoint struct {
	P        int            `json:"p"`
	Storable int            `json:"storable"`
	N        int            `json:"n"`
	Fraction float64        `json:"fraction"`
	CI       stats.Interval `json:"ci95"`
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
			Fraction: float64(k) / float64(len(pstars)), CI: stats.Wilson(k, len(pstars), stats.Z95)})
	}
	return out
}

// PLogPOverD2 is p log p / d^2, the paper's capacity scale (1/2 asymptotically).
func PLogPOverD2(p float64, d int) float64 { return p * math.Log(p) / float64(d*d) }
