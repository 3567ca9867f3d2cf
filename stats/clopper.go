package stats

import "gonum.org/v1/gonum/stat/distuv"

// ClopperPearson is the exact (Clopper-Pearson) interval of a binomial
// proportion for k successes in n trials at the given two-sided level
// (0.95 for 95%): the Beta quantiles that invert the two one-sided binomial
// tests. It is [0, 1] for n = 0; at k = 0 its lower end is 0 and at k = n its
// upper end is 1, each then a one-sided bound at (1 + level)/2.
func ClopperPearson(k, n int, level float64) Interval {
	if n <= 0 {
		return Interval{0, 1}
	}
	a := (1 - level) / 2
	iv := Interval{0, 1}
	if k > 0 {
		iv.Lo = distuv.Beta{Alpha: float64(k), Beta: float64(n - k + 1)}.Quantile(a)
	}
	if k < n {
		iv.Hi = distuv.Beta{Alpha: float64(k + 1), Beta: float64(n - k)}.Quantile(1 - a)
	}
	return iv
}
