package theory

import (
	"fmt"
	"math"
	"math/cmplx"

	"gonum.org/v1/gonum/integrate/quad"
)

// Faces describes the projection of a standard Gaussian g in R^p onto the cone
// C_kappa = { h : h_0 - h_v >= kappa, v = 1..p-1 } (docs/theory.md, "Projection"):
// S is the set of competitors active at the projection.
type Faces struct {
	P, Kappa float64
	// AtLeast[k] = P(|S| >= k) for k = 0..len-1 (AtLeast[0] = 1).
	AtLeast []float64
	// PsiTerm[j] = E[Psi(kappa + T_j)] for j >= 1 (index 0 unused), where
	// T_j = j G_(j) - sum_{i<j} G_(i) over the sorted competitors.
	PsiTerm []float64
}

// D is the statistical dimension E[dist(g, C_kappa)^2]:
//
//	D = sum_{k>=1} P(|S| >= k) + kappa * sum_{j>=1} E[Psi(kappa + T_j)] / (j (j+1)).
//
// At kappa = 0 it is E|S|. The derivation is in docs/theory.md, "A formula for
// D_kappa at kappa > 0 (ours)".
func (f *Faces) D() float64 {
	var s, t float64
	for k := 1; k < len(f.AtLeast); k++ {
		s += f.AtLeast[k]
	}
	if f.Kappa != 0 {
		for j := 1; j < len(f.PsiTerm); j++ {
			t += f.PsiTerm[j] / float64(j*(j+1))
		}
	}
	return s + f.Kappa*t
}

// MeanActive is E|S|.
func (f *Faces) MeanActive() float64 {
	var s float64
	for k := 1; k < len(f.AtLeast); k++ {
		s += f.AtLeast[k]
	}
	return s
}

// Exactly returns P(|S| = k) for k = 0..len(AtLeast)-1.
func (f *Faces) Exactly() []float64 {
	out := make([]float64, len(f.AtLeast))
	for k := range out {
		next := 0.0
		if k+1 < len(f.AtLeast) {
			next = f.AtLeast[k+1]
		}
		out[k] = math.Max(0, f.AtLeast[k]-next)
	}
	return out
}

// Numerical settings of ComputeFaces (see docs/theory.md, "Computing
// E[f(kappa + T_k)] without cancellation", for the error budget).
const (
	omegaMax   = 9.0  // |phi_Z(omega)| = exp(-omega^2/2) < 3e-18 beyond
	uPanel     = 0.25 // width of the Gauss-Legendre panels in u
	uNodes     = 12   // nodes per u panel
	eNodes     = 24   // nodes per excess panel
	ePanels    = 4
	negligible = 1e-17
)

// ComputeFaces computes the distribution of |S| and the Psi terms for p >= 2 and
// kappa >= 0 (p real: n = p - 1 competitors enter only through Gamma functions and
// powers, which continue analytically in n).
//
// P(|S| >= k) = E[Phi(kappa + T_k)]: given the k-th largest competitor G_(k) = u,
// the k-1 larger ones are i.i.d. normals conditioned to exceed u, so
// -T_k = W is a sum of k-1 i.i.d. excesses over u and
//
//	P(|S| >= k) = int f_(k)(u) P(Z + W_(k-1) <= kappa + u) du,
//
// with f_(k) the density of the k-th largest of n normals and Z standard normal.
// The law of Z + W comes from its characteristic function exp(-w^2/2) psi_u(w)^(k-1)
// by Gil-Pelaez inversion with the trapezoid rule; the Gaussian factor makes the
// integrand negligible beyond |w| = 9, and the step is chosen so that the aliased
// copies of the distribution lie beyond its support. psi_u is computed by
// Gauss-Legendre quadrature of the excess density. Every term is positive: no
// cancellation, unlike the w_k recursion (docs/theory.md, "Exact identities at
// kappa = 0").
func ComputeFaces(p, kappa float64) (*Faces, error) {
	if !(p >= 2) || math.IsInf(p, 0) {
		return nil, fmt.Errorf("faces: need p >= 2, got %v", p)
	}
	if !(kappa >= 0) || math.IsInf(kappa, 0) {
		return nil, fmt.Errorf("faces: need kappa >= 0, got %v", kappa)
	}
	n := p - 1
	kMax := int(math.Floor(n))
	if kMax > 4000 {
		kMax = 4000
	}
	// logFalling[k] = log(n (n-1) ... (n-k+1)) = lgamma(n+1) - lgamma(n-k+1),
	// summed as k log n + sum_j log1p(-j/n): the difference of the two
	// lgammas, each about n log n, loses its last digits to cancellation
	// (an absolute error near 4e-3 at n = 1e12, which made D_0 0.3% low
	// there).
	logFalling := make([]float64, kMax+1)
	var tailSum float64
	for k := 1; k <= kMax; k++ {
		logFalling[k] = float64(k)*math.Log(n) + tailSum
		tailSum += math.Log1p(-float64(k) / n)
	}

	// u range: from where the top competitor is essentially never found (above)
	// down to where no relevant order statistic lives.
	uHi := upperQuantile(1e-19 / n)
	uLo := -9.0
	if q := (120.0 + 3*math.Sqrt(120)) / n; q < 0.5 {
		uLo = math.Max(-9, upperQuantile(q)-1.5)
	}
	panels := int(math.Ceil((uHi - uLo) / uPanel))
	ux := make([]float64, uNodes)
	uw := make([]float64, uNodes)
	ex := make([]float64, eNodes)
	ew := make([]float64, eNodes)

	at := make([]float64, kMax+2)
	psi := make([]float64, kMax+2)
	at[0] = 1
	maxK := 1

	var omegas []float64
	var char []complex128
	var powk []complex128
	for pi := 0; pi < panels; pi++ {
		a := uLo + float64(pi)*(uHi-uLo)/float64(panels)
		b := uLo + float64(pi+1)*(uHi-uLo)/float64(panels)
		quad.Legendre{}.FixedLocations(ux, uw, a, b)
		for ui, u := range ux {
			w := uw[ui]
			lq := math.Log(upperTail(u))
			lp := logPhi(u)
			lphi := -u*u/2 - 0.5*math.Log(2*math.Pi)
			logf := func(k int) float64 {
				kf := float64(k)
				return logFalling[k] - lgamma(kf) + (kf-1)*lq + (n-kf)*lp + lphi
			}
			c := kappa + u
			// k = 1: W = 0, exact.
			f1 := math.Exp(logf(1))
			at[1] += w * f1 * Phi(c)
			psi[1] += w * f1 * Psi(c)
			if kMax < 2 {
				continue
			}
			// Excess law over u: mean, spread, and the k beyond which Z + W lies
			// far above c.
			mean, sd := excessMoments(u)
			kU := kMax
			if lim := 2 + int((c+40)/mean); lim < kU {
				kU = lim
			}
			// Skip this u if no k >= 2 has weight here.
			mode := int(n*upperTail(u)) + 1
			if mode > kU && logf(kU) < math.Log(negligible) {
				continue
			}
			span := math.Abs(c) + 12 + float64(kU)*mean + 10*math.Sqrt(float64(kU))*sd
			step := math.Pi / span
			nOm := int(math.Ceil(omegaMax / step))
			omegas = omegas[:0]
			for m := 0; m <= nOm; m++ {
				omegas = append(omegas, float64(m)*step)
			}
			char = excessCharacteristic(char, u, omegas, ex, ew)
			if cap(powk) < len(omegas) {
				powk = make([]complex128, len(omegas))
			}
			powk = powk[:len(omegas)]
			for m, om := range omegas {
				powk[m] = complex(math.Exp(-om*om/2), 0) // Z's characteristic function
			}
			for k := 2; k <= kU; k++ {
				for m := range powk {
					powk[m] *= char[m]
				}
				lf := logf(k)
				if lf < math.Log(negligible)-10 && k > mode {
					break
				}
				fk := math.Exp(lf)
				meanY := float64(k-1) * mean
				cdf, plus := gilPelaez(powk, step, c, meanY, float64(k-1)*sd*sd+1)
				if cdf < negligible && k > mode && plus < negligible {
					break
				}
				at[k] += w * fk * cdf
				psi[k] += w * fk * plus
				if k > maxK && fk*cdf > negligible {
					maxK = k
				}
			}
		}
	}
	end := maxK + 1
	for end > 1 && at[end-1] < 1e-300 {
		end--
	}
	f := &Faces{P: p, Kappa: kappa, AtLeast: at[:end], PsiTerm: psi[:end]}
	// Monotonicity in k is exact; enforce it against quadrature noise far out in
	// the tail (terms below 1e-17).
	for k := 2; k < len(f.AtLeast); k++ {
		if f.AtLeast[k] > f.AtLeast[k-1] {
			f.AtLeast[k] = f.AtLeast[k-1]
		}
	}
	return f, nil
}

// gilPelaez returns P(Y <= c) and E[(c - Y)_+] for Y with characteristic function
// values cf on the grid omega_m = m*step, mean meanY and second moment about zero
// secY + meanY^2 (secY the variance), by the trapezoid rule:
//
//	P(Y <= c)    = 1/2 - (1/pi) int_0^inf Im(e^{-iwc} cf(w)) / w dw,
//	E|Y - c|     = (2/pi) int_0^inf (1 - Re(e^{-iwc} cf(w))) / w^2 dw,
//	E[(c - Y)_+] = (E|Y - c| + c - E[Y]) / 2.
//
// The second integrand tends to 1/w^2 beyond the grid: that tail is added exactly
// (1/Omega) with the Euler-Maclaurin endpoint correction of the trapezoid rule.
func gilPelaez(cf []complex128, step, c, meanY, varY float64) (cdf, plus float64) {
	var sIm, sRe float64
	last := len(cf) - 1
	for m := 1; m <= last; m++ {
		om := float64(m) * step
		e := cmplx.Exp(complex(0, -om*c)) * cf[m]
		wgt := 1.0
		if m == last {
			wgt = 0.5
		}
		sIm += wgt * imag(e) / om
		sRe += wgt * (1 - real(e)) / (om * om)
	}
	// Limits at w = 0: Im(...)/w -> E[Y] - c; (1 - Re)/w^2 -> E[(Y-c)^2]/2.
	sIm += 0.5 * (meanY - c)
	sRe += 0.5 * (varY + (meanY-c)*(meanY-c)) / 2
	omega := float64(last) * step
	absDev := (2 / math.Pi) * (step*sRe + 1/omega - step*step/12*(2/(omega*omega*omega)))
	cdf = 0.5 - step*sIm/math.Pi
	plus = (absDev + c - meanY) / 2
	return math.Min(1, math.Max(0, cdf)), math.Max(0, plus)
}

// excessMoments returns the mean and standard deviation of the excess X - u of a
// standard normal X conditioned on X > u.
func excessMoments(u float64) (mean, sd float64) {
	mills := millsInverse(u) // E[X | X > u]
	mean = mills - u
	v := 1 + u*mills - mills*mills // Var[X | X > u]
	if v < 0 {
		v = 0
	}
	return mean, math.Sqrt(v)
}

// millsInverse is phi(u) / (1 - Phi(u)), computed without overflow for large u.
func millsInverse(u float64) float64 {
	if u < 5 {
		return phi(u) / upperTail(u)
	}
	// Continued fraction (Laplace) for large u.
	t := u
	for k := 60; k >= 1; k-- {
		t = u + float64(k)/t
	}
	return t
}

// excessCharacteristic fills dst with E[exp(i w E)] for the excess E over u at each
// w in omegas, by Gauss-Legendre quadrature of the density phi(u+e)/(1-Phi(u)) on
// [0, L] split into panels, L chosen so that the mass beyond is below 1e-16.
func excessCharacteristic(dst []complex128, u float64, omegas []float64, ex, ew []float64) []complex128 {
	L := -u + math.Sqrt(u*u+80)
	if u < 0 {
		L = -u + 9
	}
	if cap(dst) < len(omegas) {
		dst = make([]complex128, len(omegas))
	}
	dst = dst[:len(omegas)]
	for m := range dst {
		dst[m] = 0
	}
	tail := upperTail(u)
	useRatio := u > 5
	step := 0.0
	if len(omegas) > 1 {
		step = omegas[1]
	}
	for pn := 0; pn < ePanels; pn++ {
		a, b := L*float64(pn)/ePanels, L*float64(pn+1)/ePanels
		quad.Legendre{}.FixedLocations(ex, ew, a, b)
		for i, e := range ex {
			var dens float64
			if useRatio {
				// phi(u+e)/Q(u) = exp(-u e - e^2/2) * phi(u)/Q(u)
				dens = math.Exp(-u*e-e*e/2) * millsInverse(u)
			} else {
				dens = phi(u+e) / tail
			}
			wd := ew[i] * dens
			rot := cmplx.Exp(complex(0, step*e))
			z := complex(wd, 0)
			for m := range dst {
				dst[m] += z
				z *= rot
			}
		}
	}
	return dst
}

func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}
