package theory

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// hildreth projects omega on {u : a_j . u >= b} by Hildreth's dual coordinate
// ascent (a different algorithm from projectPolyhedron's active set).
func hildreth(a [][]float64, b float64, omega []float64) []float64 {
	u := append([]float64(nil), omega...)
	lam := make([]float64, len(a))
	for sweep := 0; sweep < 200000; sweep++ {
		change := 0.0
		for j, aj := range a {
			nl := math.Max(0, lam[j]+(b-dot(aj, u))/dot(aj, aj))
			if c := nl - lam[j]; c != 0 {
				for k := range u {
					u[k] += c * aj[k]
				}
				lam[j] = nl
				change = math.Max(change, math.Abs(c))
			}
		}
		if change < 1e-14 {
			break
		}
	}
	return u
}

func randomRows(r *rand.Rand, n, d int) [][]float64 {
	a := make([][]float64, n)
	y := make([]float64, d)
	for k := range y {
		y[k] = r.NormFloat64() / math.Sqrt(float64(d))
	}
	for i := range a {
		a[i] = make([]float64, d)
		for k := range a[i] {
			a[i][k] = y[k] - r.NormFloat64()/math.Sqrt(float64(d))
		}
	}
	return a
}

// The active-set projection agrees with Hildreth's method, and is feasible.
func TestProjectPolyhedronMatchesHildreth(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	checked := 0
	for trial := 0; trial < 200; trial++ {
		d := 2 + r.IntN(12)
		n := 1 + r.IntN(3*d)
		a := randomRows(r, n, d)
		b := []float64{0, 0.3, 1, 3}[trial%4]
		omega := make([]float64, d)
		for k := range omega {
			omega[k] = r.NormFloat64()
		}
		u, _, err := projectPolyhedron(a, b, omega)
		if errors.Is(err, errEmpty) {
			continue
		}
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		for j, aj := range a {
			if s := dot(aj, u) - b; s < -1e-9 {
				t.Fatalf("trial %d: constraint %d violated by %g", trial, j, s)
			}
		}
		h := hildreth(a, b, omega)
		var diff float64
		for k := range u {
			diff = math.Max(diff, math.Abs(u[k]-h[k]))
		}
		if diff > 1e-6 {
			t.Errorf("trial %d (d=%d n=%d b=%v): active set and Hildreth differ by %g", trial, d, n, b, diff)
		}
		checked++
	}
	if checked < 150 {
		t.Errorf("only %d of 200 trials had a non-empty polyhedron", checked)
	}
}

// An empty polyhedron is reported: y - c_v = +-e_1 cannot both be >= 1.
func TestProjectPolyhedronEmpty(t *testing.T) {
	a := [][]float64{{1, 0}, {-1, 0}}
	if _, _, err := projectPolyhedron(a, 1, []float64{0.3, 0.2}); !errors.Is(err, errEmpty) {
		t.Fatalf("err = %v, want errEmpty", err)
	}
	// At b = 0 the set is the line u_1 = 0; the first constraint is met with
	// equality after the second is added, so one is active.
	u, k, err := projectPolyhedron(a, 0, []float64{0.3, 0.2})
	if err != nil || k != 1 || math.Abs(u[0]) > 1e-12 || math.Abs(u[1]-0.2) > 1e-12 {
		t.Fatalf("b = 0: u = %v, k = %d, err = %v; want (0, 0.2), 1 active", u, k, err)
	}
}

// Two limits of the block surrogate, by independent routes:
//   - kappa = 0, Gaussian embeddings: E[dist^2] equals D_0(p) of ComputeFaces
//     (observed, not proved; docs/theory.md section 7) within 3.5 standard errors;
//   - sphere embeddings with d >> p: y and the competitors are nearly orthonormal
//     and the block is the surrogate of section 1, E[dist^2] -> D_kappa(p) (within
//     3.5 standard errors plus an O(p/d) allowance).
func TestBlockMonteCarloLimits(t *testing.T) {
	for _, c := range []struct {
		p, d   int
		kappa  float64
		sphere bool
		slack  float64
	}{{40, 12, 0, false, 0}, {60, 16, 0, false, 0}, {6, 400, 1, true, 0.03}} {
		res, err := BlockMonteCarlo(c.p, c.kappa, NormSampler{D: c.d, Sphere: c.sphere}, 20000, uint64(c.p))
		if err != nil {
			t.Fatal(err)
		}
		want, err := StatDim(float64(c.p), c.kappa)
		if err != nil {
			t.Fatal(err)
		}
		z := (res.D.Mean - want) / res.D.SE
		t.Logf("%+v: block %.4f +- %.4f, D_kappa %.4f (z = %+.2f), active %.3f, empty %d", c, res.D.Mean, res.D.SE, want, z, res.Active.Mean, res.Empty)
		if math.Abs(res.D.Mean-want) > 3.5*res.D.SE+c.slack*want {
			t.Errorf("%+v: block %.5f +- %.5f vs D_kappa %.5f", c, res.D.Mean, res.D.SE, want)
		}
		// At kappa = 0, E dist^2 = E|active| (Moreau and Stein, as in section 1).
		if c.kappa == 0 && math.Abs(res.Active.Mean-res.D.Mean) > 3.5*math.Hypot(res.Active.SE, res.D.SE) {
			t.Errorf("%+v: E|active| %.4f vs E dist^2 %.4f", c, res.Active.Mean, res.D.Mean)
		}
	}
}

// At kappa > 0 the block surrogate needs more than the input-norm average: with
// Gaussian embeddings at d = 12, p = 26, kappa = 0.5, E[dist^2] is above
// E_r[D_(kappa/r)] by more than 10 standard errors.
func TestBlockMonteCarloAboveNormAverage(t *testing.T) {
	res, err := BlockMonteCarlo(26, 0.5, NormSampler{D: 12}, 10000, 3)
	if err != nil {
		t.Fatal(err)
	}
	in, err := StatDimInputNorms(26, 0.5, 12)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("block %.4f +- %.4f, input-norm average %.4f", res.D.Mean, res.D.SE, in)
	if (res.D.Mean-in)/res.D.SE < 10 {
		t.Errorf("block %.4f +- %.4f not above input-norm average %.4f", res.D.Mean, res.D.SE, in)
	}
}

// At kappa = 0 the median crossing of Gordon's finite-size comparison agrees
// with the mean equation p D_0(p) = d^2 (CriticalP) within 3 standard errors
// plus 1%: at kappa = 0 the skew of the sum does not move the crossing.
func TestCriticalPBlockMedianMC(t *testing.T) {
	const d = 8
	med, err := CriticalPBlockMedianMC(0, NormSampler{D: d}, 8000, 11)
	if err != nil {
		t.Fatal(err)
	}
	pc, err := CriticalP(d*d, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("kappa = 0, d = %d: median crossing %.3f +- %.3f, CriticalP %.3f", d, med.Mean, med.SE, pc)
	if math.Abs(med.Mean-pc) > 3*med.SE+0.01*pc {
		t.Errorf("kappa = 0, d = %d: median crossing %.3f +- %.3f vs CriticalP %.3f", d, med.Mean, med.SE, pc)
	}
	if _, err := CriticalPBlockMedianMC(1, NormSampler{D: d}, 3, 1); err == nil {
		t.Error("3 samples: no error")
	}
}
