package theory

import (
	"math"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"
)

// Standard normal helpers, on gonum's distuv.UnitNormal. The order-statistic
// densities of faces.go need the upper tail with full relative accuracy far out
// (log Q(u) up to u = upperQuantile(1e-19/n), 10.4 at n = 10^6).

// phi is the standard normal density.
func phi(x float64) float64 { return distuv.UnitNormal.Prob(x) }

// Phi is the standard normal distribution function.
func Phi(x float64) float64 { return distuv.UnitNormal.CDF(x) }

// upperTail is 1 - Phi(x), with full relative accuracy for large x.
//
// It is UnitNormal.CDF(-x) = Erfc(x/sqrt 2)/2, not UnitNormal.Survival(x):
// Survival computes (1 - Erf(x/sqrt 2))/2, whose subtraction loses relative
// accuracy as x grows (4e-11 relative at x = 5, 2% at x = 8) and returns 0 at
// x = 9, where the tail is 1.1e-19 (TestUpperTailIsNotSurvival shows it).
func upperTail(x float64) float64 { return distuv.UnitNormal.CDF(-x) }

// upperQuantile returns x with 1 - Phi(x) = q (0 < q < 1): minus the lower
// quantile of q, which mathext.NormalQuantile (Wichura's AS 241) computes to
// near machine precision in both tails.
func upperQuantile(q float64) float64 { return -mathext.NormalQuantile(q) }

// logPhi is log Phi(x), accurate in both tails.
func logPhi(x float64) float64 {
	if x > 0 {
		return math.Log1p(-upperTail(x))
	}
	if x > -30 {
		return math.Log(Phi(x))
	}
	// Far in the lower tail Phi(x) = phi(x) / m(-x) with m the inverse Mills
	// ratio, which millsInverse evaluates by its continued fraction.
	return -x*x/2 - 0.5*math.Log(2*math.Pi) - math.Log(millsInverse(-x))
}

// Psi is the integral of Phi up to x: x Phi(x) + phi(x) = E[(x - Z)_+].
func Psi(x float64) float64 { return x*Phi(x) + phi(x) }
