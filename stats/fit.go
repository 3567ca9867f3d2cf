package stats

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Fit is a weighted least-squares fit of y(x), with standard errors se(x), to
// one form: its parameters, their full covariance, the chi-square, its p-value
// and Akaike's criterion. For Gaussian errors of known size the likelihood is
// exp(-chi2/2), so AIC = chi2 + 2 k and a likelihood-ratio test between nested
// forms is a difference of chi-squares (LikelihoodRatio).
type Fit struct {
	Form   string    `json:"form"`
	Names  []string  `json:"names"`
	Params []float64 `json:"params"`
	// SE are the marginal standard errors: square roots of the diagonal of Cov.
	SE []float64 `json:"params_se"`
	// Cov is the covariance of the parameters, (J^T J)^-1 with J the Jacobian
	// of the weighted residuals at the optimum (exact for linear forms).
	Cov    [][]float64 `json:"cov"`
	Chi2   float64     `json:"chi2"`
	DoF    int         `json:"dof"`
	PValue float64     `json:"p_value"`
	AIC    float64     `json:"aic"`
	f      func(x float64, th []float64) float64
	grad   func(x float64, th []float64) []float64
}

// At evaluates the fitted form at x.
func (f Fit) At(x float64) float64 { return f.f(x, f.Params) }

// SEAt is the standard error of the fitted form at x, from the parameters' full
// covariance (the delta method: g^T Cov g with g the gradient in the parameters).
func (f Fit) SEAt(x float64) float64 {
	g := f.grad(x, f.Params)
	var v float64
	for i := range g {
		for j := range g {
			v += g[i] * f.Cov[i][j] * g[j]
		}
	}
	return math.Sqrt(math.Max(v, 0))
}

// Corr is the correlation of parameters i and j.
func (f Fit) Corr(i, j int) float64 {
	return f.Cov[i][j] / math.Sqrt(f.Cov[i][i]*f.Cov[j][j])
}

// ErrDesign reports a fit with too few points or a singular design.
var ErrDesign = errors.New("fit: fewer points than parameters, or a singular design")

// gnTol is the relative change of chi2 below which Gauss-Newton stops; gnIter
// bounds its steps (the power law converges in fewer than 20 from its profile).
const (
	gnTol  = 1e-13
	gnIter = 200
)

// FitLinear fits y = sum_j c_j g_j(x) by weighted least squares (weights 1/se^2).
func FitLinear(form string, names []string, x, y, se []float64, basis ...func(float64) float64) (Fit, error) {
	f := func(x float64, th []float64) float64 {
		var s float64
		for j, g := range basis {
			s += th[j] * g(x)
		}
		return s
	}
	grad := func(x float64, th []float64) []float64 {
		out := make([]float64, len(basis))
		for j, g := range basis {
			out[j] = g(x)
		}
		return out
	}
	return FitCurve(form, names, x, y, se, f, grad, make([]float64, len(basis)))
}

// FitPower fits y = c x^-b: b from the profile chi-square over a grid on [0, 3]
// refined by golden section, then both parameters by Gauss-Newton, with their
// full covariance (c and b are strongly correlated over a short range of x).
func FitPower(form string, x, y, se []float64) (Fit, error) {
	cOf := func(b float64) (c, chi2 float64) {
		var num, den float64
		for i := range x {
			g, w := math.Pow(x[i], -b), 1/(se[i]*se[i])
			num, den = num+w*g*y[i], den+w*g*g
		}
		c = num / den
		for i := range x {
			r := (y[i] - c*math.Pow(x[i], -b)) / se[i]
			chi2 += r * r
		}
		return c, chi2
	}
	best, bestChi := 0.0, math.Inf(1)
	for b := 0.0; b <= 3.0001; b += 0.01 {
		if _, c2 := cOf(b); c2 < bestChi {
			best, bestChi = b, c2
		}
	}
	c0, _ := cOf(best)
	f := func(x float64, th []float64) float64 { return th[0] * math.Pow(x, -th[1]) }
	grad := func(x float64, th []float64) []float64 {
		g := math.Pow(x, -th[1])
		return []float64{g, -th[0] * math.Log(x) * g}
	}
	return FitCurve(form, []string{"c", "b"}, x, y, se, f, grad, []float64{c0, best})
}

// FitCurve fits y = f(x; th) by weighted least squares from th0 by damped
// Gauss-Newton (Levenberg-Marquardt), grad giving df/dth. The covariance is
// (J^T J)^-1 at the optimum.
func FitCurve(form string, names []string, x, y, se []float64, f func(float64, []float64) float64, grad func(float64, []float64) []float64, th0 []float64) (Fit, error) {
	n, k := len(x), len(th0)
	if n <= k || len(y) != n || len(se) != n {
		return Fit{}, ErrDesign
	}
	chi2 := func(th []float64) float64 {
		var s float64
		for i := range x {
			r := (y[i] - f(x[i], th)) / se[i]
			s += r * r
		}
		return s
	}
	normal := func(th []float64) (*mat.SymDense, *mat.VecDense) {
		a := mat.NewDense(n, k, nil)
		r := mat.NewVecDense(n, nil)
		for i := range x {
			for j, g := range grad(x[i], th) {
				a.Set(i, j, g/se[i])
			}
			r.SetVec(i, (y[i]-f(x[i], th))/se[i])
		}
		var ata mat.SymDense
		ata.SymOuterK(1, a.T())
		var atr mat.VecDense
		atr.MulVec(a.T(), r)
		return &ata, &atr
	}
	th := append([]float64(nil), th0...)
	cur, lambda := chi2(th), 0.0
	for it := 0; it < gnIter; it++ {
		ata, atr := normal(th)
		var step mat.VecDense
		var chol mat.Cholesky
		damped := mat.NewSymDense(k, nil)
		damped.CopySym(ata)
		for j := 0; j < k; j++ {
			damped.SetSym(j, j, ata.At(j, j)*(1+lambda))
		}
		if !chol.Factorize(damped) {
			return Fit{}, ErrDesign
		}
		if err := chol.SolveVecTo(&step, atr); err != nil {
			return Fit{}, fmt.Errorf("fit %s: %w", form, err)
		}
		next := make([]float64, k)
		for j := range th {
			next[j] = th[j] + step.AtVec(j)
		}
		c := chi2(next)
		if c <= cur {
			done := cur-c <= gnTol*math.Max(cur, 1)
			th, cur, lambda = next, c, lambda/10
			if done {
				break
			}
		} else {
			lambda = math.Max(10*lambda, 1e-6)
		}
	}
	ata, _ := normal(th)
	var chol mat.Cholesky
	if !chol.Factorize(ata) {
		return Fit{}, ErrDesign
	}
	var cov mat.SymDense
	if err := chol.InverseTo(&cov); err != nil {
		return Fit{}, fmt.Errorf("fit %s: %w", form, err)
	}
	out := Fit{Form: form, Names: names, Params: th, Chi2: cur, DoF: n - k, f: f, grad: grad}
	for i := 0; i < k; i++ {
		row := make([]float64, k)
		for j := range row {
			row[j] = cov.At(i, j)
		}
		out.Cov = append(out.Cov, row)
		out.SE = append(out.SE, math.Sqrt(cov.At(i, i)))
	}
	out.PValue = ChiSquareSF(out.Chi2, out.DoF)
	out.AIC = out.Chi2 + 2*float64(k)
	return out, nil
}

// LikelihoodRatio tests a restricted form against a fuller one that nests it
// (same data): the chi-square difference on the difference of parameter counts,
// and its p-value. A small p-value rejects the restricted form.
func LikelihoodRatio(restricted, full Fit) (delta float64, dof int, p float64) {
	delta = restricted.Chi2 - full.Chi2
	dof = len(full.Params) - len(restricted.Params)
	return delta, dof, ChiSquareSF(math.Max(delta, 0), dof)
}
