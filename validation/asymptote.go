package validation

import (
	"math"
	"sync"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/lamcap/lamcap/theory"
)

// AsymptoteTolerance is how close to 1/2 the finite-size prediction must come.
const AsymptoteTolerance = 0.05

// Asymptote says where the finite-size prediction p_c log p_c / d^2 comes
// within AsymptoteTolerance of 1/2. At the predicted p_c, p D_0(p) = d^2, so
// p_c log p_c / d^2 = (1/2) R(p_c) with R(p) = 2 log p / D_0(p). R is computed
// (theory.StatDim) for p = 10^3..10^12; beyond, 2 log p - D_0(p) is extrapolated
// by a fit A log log p + B on p = 10^8..10^12 (where it is linear in log log p
// to 1e-2), and the tolerance is met where R = 1 + AsymptoteTolerance.
type Asymptote struct {
	Points  []AsymptotePoint `json:"points"`
	A, B    float64          `json:"-"`
	PLog10  float64          `json:"p_log10"` // log10 of the p where R = 1.05
	DLog10  float64          `json:"d_log10"` // log10 of d = sqrt(p D_0(p)) there
	FitSpan [2]float64       `json:"fit_p_log10"`
}

// AsymptotePoint is R(p) = 2 log p / D_0(p) at one p.
type AsymptotePoint struct {
	PLog10 float64 `json:"p_log10"`
	R      float64 `json:"ratio"`
}

// FindAsymptote computes the Asymptote (a few seconds of theory), once per
// process: it depends on nothing but the theory, and every report asks for it.
func FindAsymptote() (Asymptote, error) {
	a, err := asymptoteOnce()
	a.Points = append([]AsymptotePoint(nil), a.Points...) // the caller's own copy
	return a, err
}

var asymptoteOnce = sync.OnceValues(findAsymptote)

func findAsymptote() (Asymptote, error) {
	var a Asymptote
	var xs, ys []float64
	for e := 3; e <= 12; e++ {
		p := math.Pow(10, float64(e))
		dp, err := theory.StatDim(p, 0)
		if err != nil {
			return a, err
		}
		l := math.Log(p)
		a.Points = append(a.Points, AsymptotePoint{float64(e), 2 * l / dp})
		if e >= 8 {
			xs, ys = append(xs, math.Log(l)), append(ys, 2*l-dp)
		}
	}
	// Two-parameter least squares by hand: a line through (log log p, 2 log p - D).
	var mx, my float64
	for i := range xs {
		mx, my = mx+xs[i], my+ys[i]
	}
	mx, my = mx/float64(len(xs)), my/float64(len(xs))
	var sxy, sxx float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	a.A = sxy / sxx
	a.B = my - a.A*mx
	a.FitSpan = [2]float64{8, 12}
	r := func(l float64) float64 { return 2 * l / (2*l - a.A*math.Log(l) - a.B) }
	lo, hi := math.Log(1e12), 1e6
	for i := 0; i < 200; i++ {
		mid := (lo + hi) / 2
		if r(mid) > 1+AsymptoteTolerance {
			lo = mid
		} else {
			hi = mid
		}
	}
	l := (lo + hi) / 2
	a.PLog10 = l / math.Ln10
	dp := 2*l - a.A*math.Log(l) - a.B
	a.DLog10 = (a.PLog10 + math.Log10(dp)) / 2
	return a, nil
}

// chiCDF is the chi-square distribution function with k degrees of freedom.
func chiCDF(x float64, k int) float64 {
	if k <= 0 {
		return math.NaN()
	}
	return distuv.ChiSquared{K: float64(k)}.CDF(x)
}
