package validation

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Interval is a two-sided interval.
type Interval struct {
	Lo float64 `json:"lo"`
	Hi float64 `json:"hi"`
}

// z95 is the standard normal quantile of a two-sided 95% interval.
var z95 = distuv.UnitNormal.Quantile(0.975)

// MeanSE returns the mean of x and its standard error (sample standard deviation
// over sqrt(n)).
func MeanSE(x []float64) (mean, se float64) {
	mean, sd := stat.MeanStdDev(x, nil)
	if len(x) < 2 {
		return mean, math.NaN()
	}
	return mean, sd / math.Sqrt(float64(len(x)))
}

// Bootstrap resamples the indices 0..n-1 with replacement b times, with a
// generator seeded by seed (so the interval is the same on every machine), and
// returns the percentile interval at level of stat computed on each resample.
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

// Probit is the fit P(storable | p) = Phi((Mu - p) / Sigma) to per-instance
// verdicts: instance i is storable at every p <= p*_i and at no p > p*_i, so its
// likelihood is P(p* = k) = Phi((Mu - k)/Sigma) - Phi((Mu - k - 1)/Sigma). Mu is
// the crossing P(storable | p) = 1/2, Sigma the width of the transition.
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
	out.MuCI = Interval{out.Mu - z95*out.MuSE, out.Mu + z95*out.MuSE}
	return out, nil
}

// Fit is a weighted least-squares fit of y(d) with standard errors se(d) to one
// form, with its chi-square and the p-value of that chi-square.
type Fit struct {
	Form   string    `json:"form"`
	Params []float64 `json:"params"`
	SE     []float64 `json:"params_se"`
	Chi2   float64   `json:"chi2"`
	DoF    int       `json:"dof"`
	PValue float64   `json:"p_value"`
	eval   func(d float64) float64
}

// At evaluates the fitted form at d.
func (f Fit) At(d float64) float64 { return f.eval(d) }

// FitLinear fits y = sum_j c_j g_j(d) by weighted least squares (weights 1/se^2):
// the normal equations, solved by gonum's mat.
func FitLinear(form string, d, y, se []float64, basis ...func(float64) float64) (Fit, error) {
	n, k := len(d), len(basis)
	if n <= k {
		return Fit{}, errors.New("fit: fewer points than parameters")
	}
	a := mat.NewDense(n, k, nil)
	b := mat.NewVecDense(n, nil)
	for i := range d {
		for j, g := range basis {
			a.Set(i, j, g(d[i])/se[i])
		}
		b.SetVec(i, y[i]/se[i])
	}
	var ata mat.SymDense
	ata.SymOuterK(1, a.T())
	var chol mat.Cholesky
	if !chol.Factorize(&ata) {
		return Fit{}, errors.New("fit: singular design")
	}
	var atb, c mat.VecDense
	atb.MulVec(a.T(), b)
	if err := chol.SolveVecTo(&c, &atb); err != nil {
		return Fit{}, err
	}
	var cov mat.SymDense
	if err := chol.InverseTo(&cov); err != nil {
		return Fit{}, err
	}
	f := Fit{Form: form, DoF: n - k}
	for j := 0; j < k; j++ {
		f.Params = append(f.Params, c.AtVec(j))
		f.SE = append(f.SE, math.Sqrt(cov.At(j, j)))
	}
	params := append([]float64(nil), f.Params...)
	f.eval = func(x float64) float64 {
		var s float64
		for j, g := range basis {
			s += params[j] * g(x)
		}
		return s
	}
	for i := range d {
		r := (y[i] - f.eval(d[i])) / se[i]
		f.Chi2 += r * r
	}
	f.PValue = 1 - distuv.ChiSquared{K: float64(f.DoF)}.CDF(f.Chi2)
	return f, nil
}
