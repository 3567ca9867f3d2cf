package theory

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// The d-dimensional block surrogate (docs/theory.md, "7. Norm fluctuations at
// kappa > 0 (ours)", "The block in R^d"). Association mu constrains W only
// through w = W x_mu in R^d: (y_mu - c_v) . w >= kappa for its p - 1
// competitors. For W with i.i.d. unit-variance entries (|W|_F = d), w is
// N(0, r^2 I_d) with r = |x_mu|, and the least change of W that moves w by delta
// has |Delta W|_F = |delta| / r. The cost of the association is therefore
// dist(omega, P)^2 with omega ~ N(0, I_d) and the polyhedron
//
//	P = {u in R^d : (y_mu - c_v) . u >= kappa / r, v = 1..p-1},
//
// with the true vectors y_mu, c_v and the true input norm r: every norm
// fluctuation, and the fact that p - 1 > d competitors crowd R^d, are kept. The
// capacity is the root of p E[dist^2] = d^2, as in section 1.

// BlockResult is a Monte Carlo estimate for the block surrogate.
type BlockResult struct {
	// D is E[dist(omega, P)^2] over the samples whose polyhedron is not empty.
	D Estimate
	// Active is the mean number of active constraints at the projection.
	Active Estimate
	// Empty counts samples with an empty polyhedron (the target lies in the
	// convex hull of its competitors shifted by the margin: that association
	// cannot reach margin kappa with any W). They are left out of D.
	Empty int
}

// blockTol is the feasibility tolerance of the projection, relative to the
// scale of the constraints (rows of norm about sqrt 2, right-hand sides kappa/r).
const blockTol = 1e-11

// errEmpty reports an empty polyhedron.
var errEmpty = errors.New("empty polyhedron")

// projectPolyhedron returns u minimising |u - omega|^2 subject to
// a_j . u >= b for every row a_j of a, and the number of active constraints, by
// the dual active-set method of Goldfarb and Idnani (Math. Programming 27
// (1983)) with the identity Hessian: start at u = omega, repeatedly add the
// most violated constraint, stepping in the null space of the active ones and
// dropping an active constraint whose multiplier would turn negative. It
// returns errEmpty when the polyhedron is empty.
func projectPolyhedron(a [][]float64, b float64, omega []float64) ([]float64, int, error) {
	d := len(omega)
	u := append([]float64(nil), omega...)
	var act []int
	var lam []float64
	z := make([]float64, d)
	scale := 1 + math.Abs(b)
	for outer := 0; outer < 50*(len(a)+d); outer++ {
		q, worst := -1, -blockTol*scale
		for j, aj := range a {
			if s := dot(aj, u) - b; s < worst {
				q, worst = j, s
			}
		}
		if q < 0 {
			return u, len(act), nil
		}
		lq := 0.0
		for inner := 0; ; inner++ {
			if inner > 2*d+2 {
				return nil, 0, fmt.Errorf("project: no progress adding constraint %d", q)
			}
			// r = (A_S A_S^T)^-1 A_S a_q, z = a_q - A_S^T r.
			r, err := activeSolve(a, act, a[q])
			if err != nil {
				return nil, 0, err
			}
			copy(z, a[q])
			for i, j := range act {
				for k := range z {
					z[k] -= r[i] * a[j][k]
				}
			}
			zz := dot(z, z)
			t1 := math.Inf(1)
			if zz > 1e-12*dot(a[q], a[q]) {
				t1 = (b - dot(a[q], u)) / zz
			}
			t2, drop := math.Inf(1), -1
			for i := range act {
				if r[i] > 0 {
					if t := lam[i] / r[i]; t < t2 {
						t2, drop = t, i
					}
				}
			}
			if math.IsInf(t1, 1) && math.IsInf(t2, 1) {
				return nil, 0, errEmpty
			}
			t := math.Min(t1, t2)
			if !math.IsInf(t1, 1) {
				for k := range u {
					u[k] += t * z[k]
				}
			}
			for i := range act {
				lam[i] -= t * r[i]
			}
			lq += t
			if t1 <= t2 {
				act = append(act, q)
				lam = append(lam, lq)
				break
			}
			act = append(act[:drop], act[drop+1:]...)
			lam = append(lam[:drop], lam[drop+1:]...)
		}
	}
	return nil, 0, fmt.Errorf("project: no convergence after %d constraint additions", 50*(len(a)+d))
}

// activeSolve returns (A_S A_S^T)^-1 A_S v for the rows S of a.
func activeSolve(a [][]float64, act []int, v []float64) ([]float64, error) {
	k := len(act)
	if k == 0 {
		return nil, nil
	}
	m := mat.NewSymDense(k, nil)
	rhs := mat.NewVecDense(k, nil)
	for i, ji := range act {
		rhs.SetVec(i, dot(a[ji], v))
		for l := i; l < k; l++ {
			m.SetSym(i, l, dot(a[ji], a[act[l]]))
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(m) {
		return nil, fmt.Errorf("project: active constraints %v are dependent", act)
	}
	var x mat.VecDense
	if err := ch.SolveVecTo(&x, rhs); err != nil {
		return nil, fmt.Errorf("project: %w", err)
	}
	return x.RawVector().Data, nil
}

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// BlockMonteCarlo estimates the block surrogate's E[dist(omega, P)^2] for p
// associations of dimension d at margin kappa: per sample it draws x, y_mu and
// p - 1 competitors c_v from the embedding of s (Gaussian N(0, 1/d) entries, or
// uniform on the unit sphere), omega ~ N(0, I_d), and projects omega on
// P = {u : (y - c_v) . u >= kappa / |x|}.
func BlockMonteCarlo(p int, kappa float64, s NormSampler, samples int, seed uint64) (BlockResult, error) {
	var res BlockResult
	ds, ks, empty, err := blockSamples(p, kappa, s, samples, seed)
	if err != nil {
		return res, err
	}
	res.Empty = empty
	m, sd := stat.MeanStdDev(ds, nil)
	res.D = Estimate{Mean: m, SE: sd / math.Sqrt(float64(len(ds))), N: len(ds)}
	m, sd = stat.MeanStdDev(ks, nil)
	res.Active = Estimate{Mean: m, SE: sd / math.Sqrt(float64(len(ks))), N: len(ks)}
	return res, nil
}

// blockSamples returns the squared distances and active counts of the samples
// with a non-empty polyhedron, and the number of empty ones.
func blockSamples(p int, kappa float64, s NormSampler, samples int, seed uint64) (ds, ks []float64, empty int, err error) {
	if p < 2 || samples < 2 || s.D < 2 {
		return nil, nil, 0, fmt.Errorf("block monte carlo: need p >= 2, d >= 2 and samples >= 2, got p = %d, d = %d, samples = %d", p, s.D, samples)
	}
	if !(kappa >= 0) || math.IsInf(kappa, 0) {
		return nil, nil, 0, fmt.Errorf("block monte carlo: need kappa >= 0, got %v", kappa)
	}
	d := s.D
	rng := rand.New(rand.NewPCG(seed, 0x626c6f636b))
	draw := func(v []float64) {
		var n2 float64
		for i := range v {
			v[i] = rng.NormFloat64()
			n2 += v[i] * v[i]
		}
		f := 1 / math.Sqrt(float64(d))
		if s.Sphere {
			f = 1 / math.Sqrt(n2)
		}
		for i := range v {
			v[i] *= f
		}
	}
	x := make([]float64, d)
	y := make([]float64, d)
	c := make([]float64, d)
	omega := make([]float64, d)
	a := make([][]float64, p-1)
	for i := range a {
		a[i] = make([]float64, d)
	}
	ds = make([]float64, 0, samples)
	ks = make([]float64, 0, samples)
	for range samples {
		draw(x)
		draw(y)
		for _, ai := range a {
			draw(c)
			for k := range ai {
				ai[k] = y[k] - c[k]
			}
		}
		for k := range omega {
			omega[k] = rng.NormFloat64()
		}
		u, k, err := projectPolyhedron(a, kappa/math.Sqrt(dot(x, x)), omega)
		if errors.Is(err, errEmpty) {
			empty++
			continue
		}
		if err != nil {
			return nil, nil, 0, fmt.Errorf("block monte carlo (p = %d, d = %d, kappa = %v): %w", p, d, kappa, err)
		}
		var d2 float64
		for i := range u {
			d2 += (u[i] - omega[i]) * (u[i] - omega[i])
		}
		ds = append(ds, d2)
		ks = append(ks, float64(k))
	}
	if len(ds) < 2 {
		return nil, nil, 0, fmt.Errorf("block monte carlo (p = %d, d = %d, kappa = %v): %d of %d polyhedra empty", p, d, kappa, empty, samples)
	}
	return ds, ks, empty, nil
}

// BlockCapacity is the block surrogate's capacity estimate.
type BlockCapacity struct {
	PC Estimate
	// EmptyFraction is the fraction of empty polyhedra at the integer p just
	// below the root (associations that no W stores with margin kappa).
	EmptyFraction float64
}

// CriticalPBlockMC estimates the capacity of the block surrogate: the root in p
// of p E[dist^2](p) = d^2, E[dist^2] from BlockMonteCarlo at integer p (samples
// each, the same seed for every p), bracketed between consecutive integers by
// bisection and interpolated linearly. The standard error is that of
// p E[dist^2] at the two integers (taken as independent, which overstates it:
// the common seed correlates them) divided by the slope.
func CriticalPBlockMC(kappa float64, s NormSampler, samples int, seed uint64) (BlockCapacity, error) {
	n := float64(s.D * s.D)
	type value struct {
		f, se, empty float64
	}
	memo := map[int]value{}
	f := func(p int) (value, error) {
		if v, ok := memo[p]; ok {
			return v, nil
		}
		e, err := BlockMonteCarlo(p, kappa, s, samples, seed)
		if err != nil {
			return value{}, err
		}
		v := value{float64(p)*e.D.Mean - n, float64(p) * e.D.SE, float64(e.Empty) / float64(samples)}
		memo[p] = v
		return v, nil
	}
	pc0, err := CriticalP(n, kappa)
	if err != nil {
		return BlockCapacity{}, fmt.Errorf("block capacity: %w", err)
	}
	lo, hi := max(2, int(0.5*pc0)), int(math.Ceil(1.2*pc0))+2
	vlo, err := f(lo)
	if err != nil {
		return BlockCapacity{}, fmt.Errorf("block capacity: %w", err)
	}
	vhi, err := f(hi)
	if err != nil {
		return BlockCapacity{}, fmt.Errorf("block capacity: %w", err)
	}
	if !(vlo.f < 0 && vhi.f >= 0) {
		return BlockCapacity{}, fmt.Errorf("block capacity: no sign change of p D(p) - d^2 on [%d, %d] (%.3g, %.3g)", lo, hi, vlo.f, vhi.f)
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		vm, err := f(mid)
		if err != nil {
			return BlockCapacity{}, fmt.Errorf("block capacity: %w", err)
		}
		if vm.f < 0 {
			lo, vlo = mid, vm
		} else {
			hi, vhi = mid, vm
		}
	}
	slope := vhi.f - vlo.f
	th := -vlo.f / slope
	se := math.Hypot((1-th)*vlo.se, th*vhi.se) / slope
	return BlockCapacity{PC: Estimate{Mean: float64(lo) + th, SE: se, N: samples}, EmptyFraction: vlo.empty}, nil
}

// Settings of CriticalPBlockMedianMC.
const (
	// medianBatches independent batches give the standard error of the
	// median capacity from their spread.
	medianBatches = 4
	// medianSums resampled sums per batch and p: the binomial error of
	// P(storable) is below 0.006 at 1/2.
	medianSums = 8000
)

// CriticalPBlockMedianMC estimates where the block surrogate's
// P(storable | p) crosses 1/2, with Gordon's comparison at finite size
// (docs/theory.md, section 7, "Median instead of mean"):
//
//	P(storable | p) ~ P(X_1 + ... + X_p <= Q),   Q ~ chi-square(d^2),
//
// X_mu i.i.d. copies of dist(omega, P)^2 (an empty polyhedron counts as +inf).
// Per batch, BlockMonteCarlo's samples/medianBatches draws at each integer p
// are resampled into medianSums sums of p terms, each compared with a fresh Q;
// the crossing is bracketed between consecutive integers by bisection and
// interpolated linearly. The estimate is the mean over medianBatches
// independent batches and its standard error their spread / sqrt(batches).
// Unlike the root of p E[X] = d^2 it does not depend on the far tail of X: at
// kappa > 0 and p - 1 > d the polyhedron can be arbitrarily close to empty and
// E[X] is infinite, however rarely that happens.
func CriticalPBlockMedianMC(kappa float64, s NormSampler, samples int, seed uint64) (Estimate, error) {
	n := float64(s.D * s.D)
	pc0, err := CriticalP(n, kappa)
	if err != nil {
		return Estimate{}, fmt.Errorf("block median capacity: %w", err)
	}
	per := samples / medianBatches
	if per < 2 {
		return Estimate{}, fmt.Errorf("block median capacity: need at least %d samples, got %d", 2*medianBatches, samples)
	}
	est := make([]float64, medianBatches)
	for b := range est {
		bseed := seed + uint64(b)*0x9e3779b97f4a7c15
		rng := rand.New(rand.NewPCG(bseed, 0x6d656469616e))
		chi := distuv.ChiSquared{K: n, Src: rand.NewPCG(bseed, 0x636869)}
		memo := map[int]float64{}
		storable := func(p int) (float64, error) {
			if v, ok := memo[p]; ok {
				return v, nil
			}
			ds, _, empty, err := blockSamples(p, kappa, s, per, bseed)
			if err != nil {
				return 0, err
			}
			total := len(ds) + empty
			below := 0
			for range medianSums {
				var sum float64
				for range p {
					i := rng.IntN(total)
					if i >= len(ds) {
						sum = math.Inf(1)
						break
					}
					sum += ds[i]
				}
				if sum <= chi.Rand() {
					below++
				}
			}
			v := float64(below) / medianSums
			memo[p] = v
			return v, nil
		}
		lo, hi := max(2, int(0.5*pc0)), int(math.Ceil(1.2*pc0))+2
		plo, err := storable(lo)
		if err != nil {
			return Estimate{}, fmt.Errorf("block median capacity: %w", err)
		}
		phi, err := storable(hi)
		if err != nil {
			return Estimate{}, fmt.Errorf("block median capacity: %w", err)
		}
		if !(plo > 0.5 && phi <= 0.5) {
			return Estimate{}, fmt.Errorf("block median capacity: P(storable) does not cross 1/2 on [%d, %d] (%.3f, %.3f)", lo, hi, plo, phi)
		}
		for hi-lo > 1 {
			mid := (lo + hi) / 2
			pm, err := storable(mid)
			if err != nil {
				return Estimate{}, fmt.Errorf("block median capacity: %w", err)
			}
			if pm > 0.5 {
				lo, plo = mid, pm
			} else {
				hi, phi = mid, pm
			}
		}
		est[b] = float64(lo) + (plo-0.5)/(plo-phi)
	}
	m, sd := stat.MeanStdDev(est, nil)
	return Estimate{Mean: m, SE: sd / math.Sqrt(medianBatches), N: samples}, nil
}
