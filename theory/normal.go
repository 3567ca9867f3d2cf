package theory

import "math"

// Standard normal helpers. math.Erfc keeps full relative accuracy in the upper
// tail, which the order-statistic densities below need.

func phi(x float64) float64 { return math.Exp(-x*x/2) / math.Sqrt(2*math.Pi) }

// Phi is the standard normal distribution function.
func Phi(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// upperTail is 1 - Phi(x), accurate for large x.
func upperTail(x float64) float64 { return 0.5 * math.Erfc(x/math.Sqrt2) }

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
