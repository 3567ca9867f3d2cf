package theory

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/integrate/quad"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Norm fluctuations at margin kappa > 0 (docs/theory.md, "7. Norm fluctuations at
// kappa > 0 (ours)"). With lamcap's Gaussian embeddings (entries N(0, 1/d)) the
// rows a = (y - c) (x) x of one association have norms |y - c| |x| that fluctuate
// by O(1/sqrt d). At kappa = 0 the constraints of a row are scale invariant; at
// kappa > 0 a row of norm sqrt(2) r a (normalised so that E r^2 = E a^2 = 1) needs
// the margin kappa / (r a) in units of its own norm. The functions below put
// these effective margins into the surrogate of section 1.

// Quadrature of StatDimInputNorms. r^2 = Q / d with Q chi-square with d degrees
// of freedom, written as Q = F^-1(Phi(z)) with z standard normal (F the
// chi-square distribution function), so that E_r[f(r)] = E_z[f(r(z))] is a
// Gauss-Hermite quadrature of an integrand that is smooth and nearly linear in z
// (the Wilson-Hilferty cube root of Q is nearly normal in z). The weights are
// renormalised to sum to one, so a constant f (the kappa = 0 case) is reproduced
// to rounding.
const (
	// normNodes Gauss-Hermite nodes: E_r[D] changes by less than 1e-7 relative
	// on going to twice as many nodes at d >= 6, kappa <= 1
	// (TestStatDimInputNormsConverged; even 10 nodes are within 3e-8 at d = 6
	// and 1e-10 at d = 12). A relative error e in D moves p_c by about e p_c,
	// far below the two decimals quoted for p_c.
	normNodes = 12
)

// InputNormNodes returns nodes r_i and weights w_i (summing to one) of the law of
// the input norm ratio r = |x| for x with i.i.d. N(0, 1/d) entries, d r^2 ~
// chi-square(d), so that E_r[f(r)] ~ sum_i w_i f(r_i): Gauss-Hermite quadrature
// with nodes nodes (0 for the package default normNodes) in the normal score z
// of r.
func InputNormNodes(d, nodes int) (r, w []float64, err error) {
	if d < 1 {
		return nil, nil, fmt.Errorf("input norm nodes: need d >= 1, got %d", d)
	}
	if nodes <= 0 {
		nodes = normNodes
	}
	chi := distuv.ChiSquared{K: float64(d)}
	x := make([]float64, nodes)
	w = make([]float64, nodes)
	quad.Hermite{}.FixedLocations(x, w, math.Inf(-1), math.Inf(1))
	r = make([]float64, nodes)
	var sum float64
	for i, xi := range x {
		z := math.Sqrt2 * xi // weight exp(-x^2) is the normal law of z = sqrt(2) x
		var q float64
		switch {
		case z > 0:
			// upper tail: F^-1(1 - Q(z)) loses digits of Q(z) only through 1 - Q.
			q = chi.Quantile(1 - upperTail(z))
		case z > -8:
			q = chi.Quantile(Phi(z))
		default:
			// Far lower tail (many nodes only), where the inverse incomplete
			// gamma function fails: F(q) ~ (q/2)^(d/2) / Gamma(d/2 + 1).
			k := float64(d) / 2
			q = 2 * math.Exp((logPhi(z)+lgamma(k+1))/k)
		}
		r[i] = math.Sqrt(q / float64(d))
		sum += w[i]
	}
	for i := range w {
		w[i] /= sum
	}
	return r, w, nil
}

// StatDimInputNorms returns E_r[D_(kappa/r)(p)], the statistical dimension of one
// association averaged over its input norm ratio r (d r^2 ~ chi-square(d), the
// law of |x|^2 for lamcap's Gaussian embeddings). At kappa = 0 it is D_0(p): the
// margin and hence the cone do not depend on r.
func StatDimInputNorms(p, kappa float64, d int) (float64, error) {
	r, w, err := InputNormNodes(d, 0)
	if err != nil {
		return 0, err
	}
	return averageStatDim(p, kappa, r, w)
}

func averageStatDim(p, kappa float64, r, w []float64) (float64, error) {
	// Equal margins (all of them at kappa = 0) share one evaluation.
	seen := map[float64]float64{}
	var s float64
	for i, ri := range r {
		k := kappa / ri
		di, ok := seen[k]
		if !ok {
			var err error
			if di, err = StatDim(p, k); err != nil {
				return 0, fmt.Errorf("norm average at r = %.4g: %w", ri, err)
			}
			seen[k] = di
		}
		s += w[i] * di
	}
	return s, nil
}

// CriticalPInputNorms is the finite-size capacity of d x d memories with Gaussian
// embeddings at margin kappa >= 0, with the input norms averaged: the root in p of
//
//	p E_r[D_(kappa/r)(p)] = d^2,   d r^2 ~ chi-square(d),
//
// found by the root finder of CriticalP. At kappa = 0 it equals CriticalP(d^2, 0)
// (to rounding); for kappa > 0 it lies below CriticalP(d^2, kappa). It leaves out
// the fluctuations of the target-competitor differences |y - c| (see
// CriticalPRowNormsMC) and every correlation between associations.
func CriticalPInputNorms(d int, kappa float64) (float64, error) {
	if d < 2 {
		return 0, fmt.Errorf("critical p with input norms: need d >= 2, got %d", d)
	}
	if !(kappa >= 0) || math.IsInf(kappa, 0) {
		return 0, fmt.Errorf("critical p with input norms: need kappa >= 0, got %v", kappa)
	}
	r, w, err := InputNormNodes(d, 0)
	if err != nil {
		return 0, err
	}
	pc, err := solveCapacity(float64(d*d), func(p float64) (float64, error) { return averageStatDim(p, kappa, r, w) })
	if err != nil {
		return 0, fmt.Errorf("critical p with input norms (d = %d, kappa = %v): %w", d, kappa, err)
	}
	return pc, nil
}

// NormLevel selects which norm fluctuations the effective margins carry.
type NormLevel int

const (
	// InputNorms: margin kappa / r for every row of an association, r = |x|.
	InputNorms NormLevel = iota + 1
	// RowNorms: margin kappa / (r a_v) for competitor v, a_v = |y - c_v| / sqrt 2,
	// the whole norm of the row (y - c_v) (x) x in units of its mean.
	RowNorms
)

func (l NormLevel) String() string {
	switch l {
	case InputNorms:
		return "input norms"
	case RowNorms:
		return "row norms"
	}
	return fmt.Sprintf("NormLevel(%d)", int(l))
}

// NormSampler describes the embeddings whose norms are sampled: D is the
// dimension; Sphere selects unit vectors (|x| = |y| = |c| = 1, only y . c
// fluctuates) instead of i.i.d. N(0, 1/d) entries.
type NormSampler struct {
	D      int
	Sphere bool
}

// NormMonteCarlo estimates the norm-averaged statistical dimension
// E[dist(g, K)^2], K = {h : h_0 - h_v >= kappa_v}, by direct simulation: per
// sample it draws the norms of one association (level InputNorms: kappa_v =
// kappa / r; RowNorms: kappa_v = kappa / (r a_v) with a_v^2 = |y - c_v|^2 / 2,
// y . c_v and |c_v| drawn exactly: c_v's component along y is N(0, 1/d) and the
// rest has squared norm chi-square(d - 1) / d), a standard Gaussian block g of p
// scores, all p - 1 competitors, and projects. dist(g, K) is the distance of
// (g_0, g_v + kappa_v) to C_0, computed as in MonteCarlo (projectSorted) on the
// shifted competitors sorted in decreasing order. Independent of ComputeFaces
// and of the chi-square quadrature (r^2 is a sum of d squared normals).
func NormMonteCarlo(p int, kappa float64, s NormSampler, level NormLevel, samples int, seed uint64) (Estimate, error) {
	if p < 2 || samples < 2 {
		return Estimate{}, fmt.Errorf("norm monte carlo: need p >= 2 and samples >= 2, got p = %d, samples = %d", p, samples)
	}
	if s.D < 2 {
		return Estimate{}, fmt.Errorf("norm monte carlo: need d >= 2, got %d", s.D)
	}
	if level != InputNorms && level != RowNorms {
		return Estimate{}, fmt.Errorf("norm monte carlo: unknown level %v", level)
	}
	if !(kappa >= 0) || math.IsInf(kappa, 0) {
		return Estimate{}, fmt.Errorf("norm monte carlo: need kappa >= 0, got %v", kappa)
	}
	src := rand.NewPCG(seed, 0x6e6f726d73)
	rng := rand.New(src)
	rest := distuv.ChiSquared{K: float64(s.D - 1), Src: src}
	fd := float64(s.D)
	sumSquares := func() float64 {
		var q float64
		for range s.D {
			z := rng.NormFloat64()
			q += z * z
		}
		return q
	}
	n := p - 1
	u := make([]float64, n)
	ds := make([]float64, samples)
	for i := range ds {
		r, ny := 1.0, 1.0
		if !s.Sphere {
			r = math.Sqrt(sumSquares() / fd)
			ny = math.Sqrt(sumSquares() / fd)
		}
		g0 := rng.NormFloat64()
		for v := range u {
			k := kappa / r
			if level == RowNorms {
				var a2 float64
				if s.Sphere {
					z := rng.NormFloat64()
					t := z / math.Sqrt(z*z+rest.Rand()) // y . c for unit y, c
					a2 = 1 - t
				} else {
					par := rng.NormFloat64() / math.Sqrt(fd)
					a2 = ((ny-par)*(ny-par) + rest.Rand()/fd) / 2
				}
				k /= math.Sqrt(a2)
			}
			u[v] = rng.NormFloat64() + k
		}
		slices.Sort(u)
		slices.Reverse(u)
		ds[i], _ = projectSorted(g0, u)
	}
	mean, sd := stat.MeanStdDev(ds, nil)
	return Estimate{Mean: mean, SE: sd / math.Sqrt(float64(samples)), N: samples}, nil
}

// CriticalPRowNormsMC estimates the capacity with the row norms (level RowNorms)
// of embeddings s at margin kappa: the root in p of p D(p) = d^2 with D(p) the
// NormMonteCarlo estimate at integer p (samples each, the same seed for every p
// so that the estimates are smoothly correlated in p), bracketed between two
// consecutive integers by bisection and interpolated linearly between them. The
// standard error is that of p D(p) at the two integers, carried through the
// interpolation and divided by the slope. Slow (seconds at d = 24 and 20000
// samples): the deterministic route has no closed form for the order statistics
// of the shifted competitors g_v + kappa_v.
func CriticalPRowNormsMC(kappa float64, s NormSampler, samples int, seed uint64) (Estimate, error) {
	n := float64(s.D * s.D)
	type value struct{ f, se float64 }
	memo := map[int]value{}
	f := func(p int) (float64, float64, error) {
		if v, ok := memo[p]; ok {
			return v.f, v.se, nil
		}
		e, err := NormMonteCarlo(p, kappa, s, RowNorms, samples, seed)
		if err != nil {
			return 0, 0, err
		}
		v := value{float64(p)*e.Mean - n, float64(p) * e.SE}
		memo[p] = v
		return v.f, v.se, nil
	}
	pc0, err := CriticalP(n, kappa)
	if err != nil {
		return Estimate{}, fmt.Errorf("row-norm capacity: %w", err)
	}
	lo, hi := max(2, int(0.5*pc0)), int(math.Ceil(pc0))+2
	flo, _, err := f(lo)
	if err != nil {
		return Estimate{}, fmt.Errorf("row-norm capacity: %w", err)
	}
	fhi, _, err := f(hi)
	if err != nil {
		return Estimate{}, fmt.Errorf("row-norm capacity: %w", err)
	}
	if !(flo < 0 && fhi >= 0) {
		return Estimate{}, fmt.Errorf("row-norm capacity: no sign change of p D(p) - d^2 on [%d, %d] (%.3g, %.3g)", lo, hi, flo, fhi)
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		fm, _, err := f(mid)
		if err != nil {
			return Estimate{}, fmt.Errorf("row-norm capacity: %w", err)
		}
		if fm < 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	flo, slo, err := f(lo)
	if err != nil {
		return Estimate{}, fmt.Errorf("row-norm capacity: %w", err)
	}
	fhi, shi, err := f(hi)
	if err != nil {
		return Estimate{}, fmt.Errorf("row-norm capacity: %w", err)
	}
	slope := fhi - flo
	th := -flo / slope
	se := math.Hypot((1-th)*slo, th*shi) / slope
	return Estimate{Mean: float64(lo) + th, SE: se, N: samples}, nil
}
