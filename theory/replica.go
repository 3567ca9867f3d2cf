package theory

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/integrate/quad"
)

// Replica-symmetric free entropy of the Gaussian surrogate (docs/theory.md,
// "6. Replica-symmetric free entropy and q(alpha)"):
//
//	phi(q) = 1/2 [q/(1-q) + log(1-q)] + alpha E_xi[log Z(xi; q)],
//	Z(xi; q) = int Dz0 prod_{v>=1} Phi((sqrt(q)(xi_0 - xi_v) + sqrt(1-q) z0 - kappa) / sqrt(1-q)),
//
// xi ~ N(0, I_p). The saddle point d phi/dq = 0 reads
//
//	alpha = [q / (2 (1-q)^2)] / (-d/dq E log Z),
//
// which this file evaluates as a function of q (SaddleAlpha): inverting it gives
// q(alpha), and as q -> 1 it must tend to alpha_c = 1 / D_kappa(p).

// replicaSample is one draw of xi.
type replicaSample struct {
	xi0 float64
	xis []float64
}

// logZ computes log Z(xi; q) by Gauss-Hermite quadrature centred on the mode of
// the integrand's logarithm, which is concave in z0 (a sum of log Phi's of affine
// functions and -z0^2/2), and scaled by its curvature there: for q near 1 the
// integrand peaks far out in the Gaussian tail, where fixed nodes would miss it.
func logZ(s replicaSample, q, kappa float64, nodes, weights []float64) float64 {
	sq, s1 := math.Sqrt(q), math.Sqrt(1-q)
	a := sq / s1
	off := a*s.xi0 - kappa/s1
	f := func(z float64) (val, d1, d2 float64) {
		val = -z * z / 2
		d1, d2 = -z, -1
		for _, x := range s.xis {
			u := z + off - a*x
			lp := logPhi(u)
			val += lp
			r := math.Exp(-u*u/2-0.5*math.Log(2*math.Pi)) / math.Exp(lp) // phi(u)/Phi(u)
			if u < -30 {
				r = millsInverse(-u)
			}
			d1 += r
			d2 += -r * (u + r)
		}
		return
	}
	// Newton for the mode (concave function: safeguarded steps).
	z := 0.0
	for i := 0; i < 100; i++ {
		_, g, h := f(z)
		step := -g / h
		if math.Abs(step) > 5 {
			step = math.Copysign(5, step)
		}
		z += step
		if math.Abs(step) < 1e-12*(1+math.Abs(z)) {
			break
		}
	}
	_, _, h := f(z)
	sc := 1 / math.Sqrt(-h)
	// int exp(f(z)) dz / sqrt(2 pi) with z = z* + sc t: Gauss-Hermite in t,
	// exp(f) = exp(f + t^2/2... ) handled by dividing by the weight exp(-t^2).
	logs := make([]float64, len(nodes))
	m := math.Inf(-1)
	for i, t := range nodes {
		zz := z + sc*math.Sqrt2*t
		v, _, _ := f(zz)
		logs[i] = v + t*t + math.Log(weights[i])
		m = math.Max(m, logs[i])
	}
	sum := 0.0
	for _, l := range logs {
		sum += math.Exp(l - m)
	}
	return m + math.Log(sum) + math.Log(sc*math.Sqrt2) - 0.5*math.Log(2*math.Pi)
}

// ReplicaEstimate is a Monte Carlo estimate of E log Z and its q-derivative.
// The derivative uses the control variate c = -dist(xi, C_kappa)^2 / (2 (1-q)^2),
// its q -> 1 limit, computed exactly on the same draws, whose mean is known from
// ComputeFaces: DLogZ = mean(dl - c) + E[c]. The estimator stays unbiased and its
// variance vanishes as q -> 1. Residual is mean(dl - c) (1-q)^2, the part the
// replica computation adds to the limit: it must tend to 0 as q -> 1.
type ReplicaEstimate struct {
	MeanLogZ, DLogZ, DLogZSE float64
	Residual                 float64
}

// EstimateLogZ estimates E log Z(q) and d/dq E log Z(q) from `samples` draws of xi
// (common random numbers for the central difference in q).
func EstimateLogZ(p int, q, kappa float64, samples int, seed uint64) (ReplicaEstimate, error) {
	if p < 2 || !(q > 0 && q < 1) || samples < 2 {
		return ReplicaEstimate{}, fmt.Errorf("replica: need p >= 2, 0 < q < 1, samples >= 2")
	}
	nodes := make([]float64, 48)
	weights := make([]float64, 48)
	quad.Hermite{}.FixedLocations(nodes, weights, math.Inf(-1), math.Inf(1))
	dim, err := StatDim(float64(p), kappa)
	if err != nil {
		return ReplicaEstimate{}, err
	}
	scale := 1 / (2 * (1 - q) * (1 - q))
	r := rand.New(rand.NewPCG(seed, 0x7265706c))
	h := 1e-3 * (1 - q)
	var sum, dsum, dsq float64
	s := replicaSample{xis: make([]float64, p-1)}
	sorted := make([]float64, p-1)
	for i := 0; i < samples; i++ {
		s.xi0 = r.NormFloat64()
		for k := range s.xis {
			s.xis[k] = r.NormFloat64()
		}
		copy(sorted, s.xis)
		sort.Sort(sort.Reverse(sort.Float64Slice(sorted)))
		d2, _ := projectSorted(s.xi0-kappa, sorted)
		l0 := logZ(s, q, kappa, nodes, weights)
		dl := (logZ(s, q+h, kappa, nodes, weights) - logZ(s, q-h, kappa, nodes, weights)) / (2 * h)
		diff := dl + d2*scale // dl - c
		sum += l0
		dsum += diff
		dsq += diff * diff
	}
	n := float64(samples)
	mean := dsum / n
	return ReplicaEstimate{MeanLogZ: sum / n, DLogZ: mean - dim*scale,
		DLogZSE: math.Sqrt(math.Max(0, dsq/n-mean*mean) / n), Residual: mean / scale}, nil
}

// SaddleAlpha is the load alpha at which q is the saddle point of phi, and its
// Monte Carlo standard error.
func SaddleAlpha(p int, q, kappa float64, samples int, seed uint64) (alpha, se float64, err error) {
	e, err := EstimateLogZ(p, q, kappa, samples, seed)
	if err != nil {
		return 0, 0, err
	}
	if !(e.DLogZ < 0) {
		return 0, 0, fmt.Errorf("replica: d/dq E log Z = %v is not negative at q = %v", e.DLogZ, q)
	}
	ent := q / (2 * (1 - q) * (1 - q))
	alpha = ent / -e.DLogZ
	return alpha, alpha * e.DLogZSE / -e.DLogZ, nil
}
