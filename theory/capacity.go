package theory

import (
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/dsp/fourier"
	"gonum.org/v1/gonum/integrate/quad"
)

// StatDim returns D_kappa(p) by the deterministic route (ComputeFaces).
func StatDim(p, kappa float64) (float64, error) {
	f, err := ComputeFaces(p, kappa)
	if err != nil {
		return 0, err
	}
	return f.D(), nil
}

// MaxKappa is the largest margin kappa lamcap's commands and sweeps accept
// (unit-variance normalisation). It is a guard on input, not a limit of the
// theory: at kappa = 20 the finite-size p_c is already 2.00 at d = 8 and 39.2
// at d = 128 (`lamcap theory --kappa 20 --d 8,128`), so larger margins store
// almost nothing at the sizes lamcap solves.
const MaxKappa = 20.0

// CriticalP is the finite-size Gardner prediction: the root in p of
// p * D_kappa(p) = n, n = d^2 for one layer (n = d min(h, d) for a two-layer
// network with one layer fixed). p is continued to real values through n = p - 1
// in the order-statistic densities (see ComputeFaces). The root is found by
// regula falsi (Illinois variant) on log(p D(p)) - log n against log p, which is
// nearly linear; gonum has no scalar root finder, so it is written here.
//
// It is memoised (criticalPs): each (n, kappa) is solved once per process,
// however many callers ask (feasibility's priors, validation's report, the
// CLI), concurrently or not; an error is remembered as well, as the same
// arguments give it again.
func CriticalP(n, kappa float64) (float64, error) {
	return memoFloat(&criticalPs, n, kappa, func() (float64, error) {
		return solveCapacity(n, func(p float64) (float64, error) { return StatDim(p, kappa) })
	})
}

// criticalPs memoises CriticalP by (n, kappa), widths Width by (pc, 0) and
// storables StorableProbability by (p, n): each value costs many evaluations
// of ComputeFaces (seconds at large n) and is asked for again and again (a
// sweep's summary after every run and resume, the prior of every unit at one
// d, the test suites, where recomputing them was 87% of the experiment
// package's CPU, issue #19). The maps grow by one entry per distinct
// argument, of which a process meets few.
var criticalPs, widths, storables sync.Map // key -> *memoEntry[value]

type memoKey struct{ a, b float64 }

// memoEntry is one memoised value: once makes concurrent callers of the same
// key wait for one computation instead of each doing it.
type memoEntry[V any] struct {
	once sync.Once
	v    V
	err  error
}

// memo returns f's value for the key k of m, computing it once.
func memo[K comparable, V any](m *sync.Map, k K, f func() (V, error)) (V, error) {
	e, _ := m.LoadOrStore(k, new(memoEntry[V]))
	en := e.(*memoEntry[V])
	en.once.Do(func() { en.v, en.err = f() })
	return en.v, en.err
}

// memoFloat is memo for two float arguments. A NaN argument is never a key
// (NaN equals nothing, so it would add an entry at every call): f is called
// directly.
func memoFloat(m *sync.Map, a, b float64, f func() (float64, error)) (float64, error) {
	if math.IsNaN(a) || math.IsNaN(b) {
		return f()
	}
	return memo(m, memoKey{a, b}, f)
}

// solveCapacity is the root finder of CriticalP for any statistical dimension
// statDim(p) that grows with p: the root in p of p statDim(p) = n.
func solveCapacity(n float64, statDim func(p float64) (float64, error)) (float64, error) {
	if !(n > 2) {
		return 0, fmt.Errorf("critical p: need n > 2, got %v", n)
	}
	g := func(x float64) (float64, error) {
		d, err := statDim(math.Exp(x))
		if err != nil {
			return 0, err
		}
		return x + math.Log(d) - math.Log(n), nil
	}
	a := math.Log(2)
	ga, err := g(a)
	if err != nil {
		return 0, err
	}
	if ga >= 0 {
		return 2, nil
	}
	b := math.Log(math.Max(3, AsymptoticP(n)))
	gb, err := g(b)
	if err != nil {
		return 0, err
	}
	for gb < 0 {
		a, ga = b, gb
		b += 1
		if gb, err = g(b); err != nil {
			return 0, err
		}
	}
	side := 0
	for i := 0; i < 60; i++ {
		x := (a*gb - b*ga) / (gb - ga)
		gx, err := g(x)
		if err != nil {
			return 0, err
		}
		if math.Abs(gx) < 1e-9 || b-a < 1e-10 {
			return math.Exp(x), nil
		}
		if (gx < 0) == (ga < 0) {
			a, ga = x, gx
			if side == -1 {
				gb /= 2
			}
			side = -1
		} else {
			b, gb = x, gx
			if side == 1 {
				ga /= 2
			}
			side = 1
		}
	}
	return math.Exp((a + b) / 2), nil
}

// AsymptoticP is the leading-order capacity: the root of p log p = n/2, that is
// p = (n/2) / W0(n/2) with W0 the principal Lambert function.
func AsymptoticP(n float64) float64 {
	z := n / 2
	return z / lambertW0(z)
}

// lambertW0 solves w e^w = z for z > 0 by Halley's method (gonum has no Lambert
// function).
func lambertW0(z float64) float64 {
	w := math.Log1p(z)
	if z > 3 {
		w = math.Log(z) - math.Log(math.Log(z))
	}
	for i := 0; i < 50; i++ {
		ew := math.Exp(w)
		f := w*ew - z
		dw := f / (ew*(w+1) - (w+2)*f/(2*w+2))
		w -= dw
		if math.Abs(dw) < 1e-15*(1+math.Abs(w)) {
			break
		}
	}
	return w
}

// CurvePoint is the predicted probability that an instance of p associations is
// storable, for the Gaussian surrogate at kappa = 0.
type CurvePoint struct {
	P int `json:"p"`
	// Exact is 1 - 2 sum_{j odd} P(V = n + j) (conic kinematic formula).
	Exact float64 `json:"p_storable"`
	// Smooth is 1 - P(V > n).
	Smooth float64 `json:"p_storable_smooth"`
}

// StorableProbability returns the predicted P(storable | p) for n unknowns: with
// V the sum of p independent copies of |S| (ComputeFaces at kappa = 0),
// P(not storable) = 2 sum_{j odd >= 1} P(V = n + j) (docs/theory.md, "2. The whole
// feasibility curve"). The law of V is the p-fold convolution of the law of |S|,
// computed by FFT. It is memoised like CriticalP.
func StorableProbability(p, n int) (CurvePoint, error) {
	return memo(&storables, [2]int{p, n}, func() (CurvePoint, error) { return storableProbability(p, n) })
}

// storableProbability computes StorableProbability (memoised by it).
func storableProbability(p, n int) (CurvePoint, error) {
	f, err := ComputeFaces(float64(p), 0)
	if err != nil {
		return CurvePoint{}, err
	}
	v := convolvePower(f.Exactly(), p)
	var odd, above float64
	for j := n + 1; j < len(v); j++ {
		above += v[j]
		if (j-n)%2 == 1 {
			odd += v[j]
		}
	}
	return CurvePoint{P: p, Exact: clamp01(1 - 2*odd), Smooth: clamp01(1 - above)}, nil
}

func clamp01(x float64) float64 { return math.Min(1, math.Max(0, x)) }

// convolvePower returns the law of the sum of p i.i.d. copies of a law on
// {0, 1, ...}, by raising its discrete Fourier transform to the p-th power.
func convolvePower(law []float64, p int) []float64 {
	support := (len(law)-1)*p + 1
	size := 1
	for size < support {
		size *= 2
	}
	fft := fourier.NewFFT(size)
	in := make([]float64, size)
	copy(in, law)
	coef := fft.Coefficients(nil, in)
	for i, c := range coef {
		r, th := math.Hypot(real(c), imag(c)), math.Atan2(imag(c), real(c))
		coef[i] = complex(math.Pow(r, float64(p))*math.Cos(float64(p)*th), math.Pow(r, float64(p))*math.Sin(float64(p)*th))
	}
	out := fft.Sequence(nil, coef)
	for i := range out {
		out[i] /= float64(size)
		if out[i] < 0 {
			out[i] = 0
		}
	}
	return out[:support]
}

// HebbianMarginVariance is the exact variance of a Hebbian margin
// m = (y_mu - y_v)^T W_H x_mu, W_H = sum_rho y_rho x_rho^T, for Gaussian N(0, 1/d)
// embeddings: 6/d + (2p + 5)/d^2 (mean 1). shared = 4/d + (p + 3)/d^2 is the
// covariance of two margins of the same association (|y_mu|^2 |x_mu|^2 and the
// terms (y_mu . y_rho)(x_rho . x_mu) are common to them). Derivation in
// docs/theory.md, "4. Hebbian rule (ours)"; both are checked by simulation in the
// tests.
func HebbianMarginVariance(d, p float64) (total, shared float64) {
	return 6/d + (2*p+5)/(d*d), 4/d + (p+3)/(d*d)
}

// HebbianAllRecalled predicts P(all p(p-1) ordered pairs are recalled by the
// Hebbian rule): margins modelled as 1 + a_mu + b_(mu,v), a_mu ~ N(0, shared)
// common to an association and b independent with the remaining variance, so
// P = (E_a[Phi((1 + a)/s_b)^(p-1)])^p.
func HebbianAllRecalled(d, p float64) float64 {
	total, shared := HebbianMarginVariance(d, p)
	sb := math.Sqrt(total - shared)
	sa := math.Sqrt(shared)
	f := func(z float64) float64 {
		return phi(z) * math.Exp((p-1)*logPhi((1+sa*z)/sb))
	}
	inner := quad.Fixed(f, -9, 9, 400, nil, 0)
	return math.Exp(p * math.Log(math.Max(inner, 1e-300)))
}

// HebbianCriticalP is the p at which HebbianAllRecalled falls to 1/2 (bisection in
// log p; the probability decreases with p). Asymptotically p log p / d^2 -> 1/8.
func HebbianCriticalP(d float64) float64 {
	lo, hi := math.Log(2), math.Log(d*d)
	if HebbianAllRecalled(d, 2) < 0.5 {
		return 2
	}
	for hi-lo > 1e-9 {
		mid := (lo + hi) / 2
		if HebbianAllRecalled(d, math.Exp(mid)) >= 0.5 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return math.Exp((lo + hi) / 2)
}

// Prediction gathers the theory for one (d, kappa).
type Prediction struct {
	D            int     `json:"d"`
	Kappa        float64 `json:"kappa"`
	N            float64 `json:"n_unknowns"`
	PCFinite     float64 `json:"p_c_finite"`
	PCAsymptotic float64 `json:"p_c_asymptotic"`
	AlphaC       float64 `json:"alpha_c"`
	ScaleFinite  float64 `json:"pc_log_pc_over_d2_finite"`
	PCHebbian    float64 `json:"p_c_hebbian"`
	ScaleHebbian float64 `json:"pc_log_pc_over_d2_hebbian"`
	StatDimAtPC  float64 `json:"d_kappa_at_p_c"`
	HiddenWidth  int     `json:"hidden,omitempty"`
}

// Predict computes the theory for dimension d (and hidden width h > 0 for a
// two-layer network with one layer fixed, where n = d min(h, d)).
func Predict(d, h int, kappa float64) (Prediction, error) {
	n := float64(d * d)
	if h > 0 {
		n = float64(d * min(h, d))
	}
	pc, err := CriticalP(n, kappa)
	if err != nil {
		return Prediction{}, err
	}
	dd, err := StatDim(pc, kappa)
	if err != nil {
		return Prediction{}, err
	}
	out := Prediction{D: d, Kappa: kappa, N: n, PCFinite: pc, AlphaC: pc / n,
		ScaleFinite: pc * math.Log(pc) / n, StatDimAtPC: dd, HiddenWidth: h}
	if kappa == 0 {
		out.PCAsymptotic = AsymptoticP(n)
	}
	if h == 0 && kappa == 0 {
		out.PCHebbian = HebbianCriticalP(float64(d))
		out.ScaleHebbian = out.PCHebbian * math.Log(out.PCHebbian) / n
	}
	return out, nil
}

// widthStep is the relative step of the finite difference of p D(p) in Width.
const widthStep = 0.01

// Width is the standard deviation of p* that the Gaussian surrogate predicts at
// its critical size pc (docs/theory.md, "2. The whole feasibility curve"): an
// instance of p associations is storable about when V = |S_1| + ... + |S_p| <= n,
// V has mean p D(p) and variance p Var|S|, so p* spreads by
// sqrt(p Var|S|) / (d/dp p D(p)). It is memoised like CriticalP.
func Width(pc float64) (float64, error) {
	return memoFloat(&widths, pc, 0, func() (float64, error) { return width(pc) })
}

// width computes Width (memoised by Width).
func width(pc float64) (float64, error) {
	f, err := ComputeFaces(pc, 0)
	if err != nil {
		return 0, err
	}
	var m1, m2 float64
	for k, q := range f.Exactly() {
		m1 += float64(k) * q
		m2 += float64(k*k) * q
	}
	lo, err := StatDim(pc*(1-widthStep), 0)
	if err != nil {
		return 0, err
	}
	hi, err := StatDim(pc*(1+widthStep), 0)
	if err != nil {
		return 0, err
	}
	slope := (pc*(1+widthStep)*hi - pc*(1-widthStep)*lo) / (2 * widthStep * pc)
	if !(slope > 0) || !(m2 > m1*m1) {
		return 0, fmt.Errorf("theory width: no spread at p = %g", pc)
	}
	return math.Sqrt(pc*(m2-m1*m1)) / slope, nil
}
