package stats

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Probit is the fit P(storable | p) = Phi((Mu - p) / Sigma) to per-instance
// verdicts: instance i is storable at every p <= p*_i and at no p > p*_i, so its
// likelihood is P(p* = k) = Phi((Mu - k)/Sigma) - Phi((Mu - k - 1)/Sigma). Mu is
// the crossing P(storable | p) = 1/2, Sigma the width of the transition. For
// p* = floor(X) with X normal, Mu is the mean of X: about mean p* + 1/2.
type Probit struct {
	Mu, Sigma     float64
	MuSE, SigmaSE float64 // from the observed information (numerical Hessian)
	MuCI          Interval
}

// ErrFit reports a fit that did not converge.
var ErrFit = errors.New("probit fit did not converge")

// FitProbit fits the probit model to critical sizes pstar by maximum likelihood.
func FitProbit(pstar []int) (Probit, error) {
	if len(pstar) < 3 {
		return Probit{}, ErrFit
	}
	x := make([]float64, len(pstar))
	for i, k := range pstar {
		x[i] = float64(k) + 0.5
	}
	m0, sd0 := stat.MeanStdDev(x, nil)
	sd0 = math.Max(sd0, 0.5)
	// Parameters (mu, log sigma).
	nll := func(th []float64) float64 {
		mu, s := th[0], math.Exp(th[1])
		var l float64
		for _, k := range pstar {
			pk := distuv.UnitNormal.CDF((mu-float64(k))/s) - distuv.UnitNormal.CDF((mu-float64(k)-1)/s)
			l -= math.Log(math.Max(pk, 1e-300))
		}
		return l
	}
	prob := optimize.Problem{Func: nll}
	res, err := optimize.Minimize(prob, []float64{m0, math.Log(sd0)}, &optimize.Settings{Converger: &optimize.FunctionConverge{Absolute: 1e-12, Iterations: 200}}, &optimize.NelderMead{})
	if err != nil && res == nil {
		return Probit{}, ErrFit
	}
	th := res.X
	out := Probit{Mu: th[0], Sigma: math.Exp(th[1])}
	// Observed information in (mu, sigma).
	h := mat.NewSymDense(2, nil)
	fd.Hessian(h, func(v []float64) float64 { return nll([]float64{v[0], math.Log(v[1])}) }, []float64{out.Mu, out.Sigma}, nil)
	var cov mat.SymDense
	var ch mat.Cholesky
	if !ch.Factorize(h) {
		return out, ErrFit
	}
	if err := ch.InverseTo(&cov); err != nil {
		return out, ErrFit
	}
	out.MuSE, out.SigmaSE = math.Sqrt(cov.At(0, 0)), math.Sqrt(cov.At(1, 1))
	out.MuCI = Interval{out.Mu - Z95*out.MuSE, out.Mu + Z95*out.MuSE}
	return out, nil
}
