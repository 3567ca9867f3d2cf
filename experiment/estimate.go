package experiment

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/lamcap/lamcap/stats"
)

// HalfAssociation is what the mean p* is shifted by before it is compared with
// theory (EstimateThreshold; docs/validation.md, validation.HalfAssociation).
// p* is an integer, the largest storable prefix, while theory's p_c is the
// real root of its equation: an instance is storable at p exactly when p <= X
// for a real threshold X, and p* = floor(X), whose mean is E X - 1/2 when X is
// spread over several integers.
const HalfAssociation = 0.5

// ThresholdEstimate is the estimate of a critical size that lamcap compares
// with theory, everywhere it does (sweep and capacity tables and summaries,
// docs/validation.md, docs/vocabulary.md): mean p* + HalfAssociation, with
// its 95% Student t interval. The median p* that tables show beside it
// estimates a point of P(storable | p) = P(p* >= p) between two integers,
// about half an association below theory's p_c (docs/validation.md).
type ThresholdEstimate struct {
	// N is the number of certified p* it is estimated from.
	N int
	// Mean is their mean and MeanSE its standard error (0 when not Tested).
	Mean, MeanSE float64
	// Value is Mean + HalfAssociation; CI its 95% Student t interval (n - 1
	// degrees of freedom), the point Value itself when not Tested.
	Value float64
	CI    stats.Interval
	// Tested says there is a spread to form an interval with: at least two
	// certified p*, not all equal.
	Tested bool
}

// EstimateThreshold estimates the threshold of the certified p* in ps (the
// zero ThresholdEstimate when ps is empty).
func EstimateThreshold(ps []float64) ThresholdEstimate {
	e := ThresholdEstimate{N: len(ps)}
	if len(ps) == 0 {
		return e
	}
	e.Mean, e.MeanSE = stats.MeanSE(ps)
	e.Value = e.Mean + HalfAssociation
	e.CI = stats.Interval{Lo: e.Value, Hi: e.Value}
	if len(ps) < 2 || !(e.MeanSE > 0) {
		e.MeanSE = 0
		return e
	}
	e.Tested = true
	// Student t with n - 1 degrees of freedom at every n: the normal
	// quantile under-covers at the n = 10 of a study's largest d (1.96
	// against 2.26), and t tends to it as n grows.
	h := stats.TQuantile95(len(ps)) * e.MeanSE
	e.CI = stats.Interval{Lo: e.Mean - h + HalfAssociation, Hi: e.Mean + h + HalfAssociation}
	return e
}

// Deviation is (Value - theory) / theory with its 95% interval (through CI);
// zero when there is no estimate or no theory.
func (e ThresholdEstimate) Deviation(theory float64) (float64, stats.Interval) {
	if e.N == 0 || !(theory > 0) {
		return 0, stats.Interval{}
	}
	f := func(x float64) float64 { return (x - theory) / theory }
	return f(e.Value), stats.Interval{Lo: f(e.CI.Lo), Hi: f(e.CI.Hi)}
}

// Z is (Value - theory) / MeanSE, the deviation in standard errors, and
// PValue its two-sided Student t p-value (n - 1 degrees of freedom): 0 and 1
// when not Tested.
func (e ThresholdEstimate) Z(theory float64) (z, pValue float64) {
	if !e.Tested {
		return 0, 1
	}
	z = (e.Value - theory) / e.MeanSE
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(e.N - 1)}
	return z, 2 * t.Survival(math.Abs(z))
}
