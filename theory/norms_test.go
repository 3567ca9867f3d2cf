package theory

import (
	"math"
	"os"
	"testing"
)

// The quadrature nodes reproduce closed-form moments of r = |x|, d r^2 ~
// chi-square(d): E r^2 = 1, E r^4 = 1 + 2/d, and
// E[1/r] = sqrt(d/2) Gamma((d-1)/2) / Gamma(d/2).
func TestInputNormNodesMoments(t *testing.T) {
	for _, d := range []int{6, 12, 24} {
		r, w, err := InputNormNodes(d, 0)
		if err != nil {
			t.Fatal(err)
		}
		var m2, m4, inv, sum float64
		for i, ri := range r {
			m2 += w[i] * ri * ri
			m4 += w[i] * ri * ri * ri * ri
			inv += w[i] / ri
			sum += w[i]
		}
		fd := float64(d)
		wantInv := math.Sqrt(fd/2) * math.Exp(lgamma((fd-1)/2)-lgamma(fd/2))
		for _, c := range []struct {
			name      string
			got, want float64
		}{{"sum w", sum, 1}, {"E r^2", m2, 1}, {"E r^4", m4, 1 + 2/fd}, {"E 1/r", inv, wantInv}} {
			if math.Abs(c.got-c.want) > 1e-9*c.want {
				t.Errorf("d=%d: %s = %.12g, want %.12g", d, c.name, c.got, c.want)
			}
		}
	}
}

// Doubling the number of nodes changes E_r[D] by less than 1e-7 relative, at
// d = 6 (the most skewed chi-square law normNodes is claimed for, hence the
// slowest convergence) and, with LAMCAP_CHECK_LARGE=1, at d = 12 (3 s each:
// 36 evaluations of D at margins up to kappa / r ~ 3).
func TestStatDimInputNormsConverged(t *testing.T) {
	type cfg struct {
		d        int
		p, kappa float64
	}
	cases := []cfg{{6, 20, 1}}
	if os.Getenv("LAMCAP_CHECK_LARGE") != "" {
		cases = append(cases, cfg{12, 30, 1})
	}
	for _, c := range cases {
		a, err := StatDimInputNorms(c.p, c.kappa, c.d)
		if err != nil {
			t.Fatal(err)
		}
		r, w, err := InputNormNodes(c.d, 2*normNodes)
		if err != nil {
			t.Fatal(err)
		}
		b, err := averageStatDim(c.p, c.kappa, r, w)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(a-b) > 1e-7*b {
			t.Errorf("d=%d p=%v kappa=%v: %d nodes %.12g, %d nodes %.12g", c.d, c.p, c.kappa, normNodes, a, 2*normNodes, b)
		}
	}
}

// At kappa = 0 the margin does not depend on the norms: the prediction is
// CriticalP's.
func TestCriticalPInputNormsKappaZero(t *testing.T) {
	for _, d := range []int{8, 16} {
		a, err := CriticalPInputNorms(d, 0)
		if err != nil {
			t.Fatal(err)
		}
		b, err := CriticalP(float64(d*d), 0)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(a-b) > 1e-12*b {
			t.Errorf("d=%d: CriticalPInputNorms(kappa=0) = %.15g, CriticalP = %.15g", d, a, b)
		}
	}
}

// The quadrature E_r[D_(kappa/r)(p)] (ComputeFaces at each node) agrees with a
// direct simulation that samples r and the whole Gaussian block, within 3.5
// standard errors; and the norm average differs from D_kappa by more than 5
// standard errors, so the check resolves the effect it is about.
func TestStatDimInputNormsMatchesMonteCarlo(t *testing.T) {
	for _, c := range []struct {
		p, d  int
		kappa float64
	}{{20, 6, 1}, {30, 12, 0.5}, {70, 24, 1}} {
		q, err := StatDimInputNorms(float64(c.p), c.kappa, c.d)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := StatDim(float64(c.p), c.kappa)
		if err != nil {
			t.Fatal(err)
		}
		mc, err := NormMonteCarlo(c.p, c.kappa, NormSampler{D: c.d}, InputNorms, 60000, uint64(c.p))
		if err != nil {
			t.Fatal(err)
		}
		z := (mc.Mean - q) / mc.SE
		t.Logf("p=%d d=%d kappa=%v: quadrature %.5f, MC %.5f +- %.5f (z = %+.2f), D_kappa %.5f", c.p, c.d, c.kappa, q, mc.Mean, mc.SE, z, plain)
		if math.Abs(z) > 3.5 {
			t.Errorf("p=%d d=%d kappa=%v: quadrature %.6f vs Monte Carlo %.6f +- %.6f (z = %.2f)", c.p, c.d, c.kappa, q, mc.Mean, mc.SE, z)
		}
		if (q-plain)/mc.SE < 5 {
			t.Errorf("p=%d d=%d kappa=%v: norm average %.6f not resolved from D_kappa %.6f (SE %.6f)", c.p, c.d, c.kappa, q, plain, mc.SE)
		}
	}
}

// The row-norm surrogate: at kappa = 0 it is the plain cone (D_0 within 3.5
// standard errors, both embeddings); at kappa > 0 the row norms raise D above
// the input-norm average, and sphere embeddings (only y . c fluctuates) sit
// between D_kappa and the Gaussian row-norm value.
func TestRowNormsMonteCarlo(t *testing.T) {
	const p, d, samples = 30, 12, 40000
	d0, err := StatDim(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, sphere := range []bool{false, true} {
		mc, err := NormMonteCarlo(p, 0, NormSampler{D: d, Sphere: sphere}, RowNorms, samples, 7)
		if err != nil {
			t.Fatal(err)
		}
		if z := (mc.Mean - d0) / mc.SE; math.Abs(z) > 3.5 {
			t.Errorf("kappa=0 sphere=%v: row-norm MC %.5f +- %.5f vs D_0 %.5f (z = %.2f)", sphere, mc.Mean, mc.SE, d0, z)
		}
	}
	const k = 1.0
	plain, err := StatDim(p, k)
	if err != nil {
		t.Fatal(err)
	}
	in, err := StatDimInputNorms(p, k, d)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := NormMonteCarlo(p, k, NormSampler{D: d}, RowNorms, samples, 8)
	if err != nil {
		t.Fatal(err)
	}
	sph, err := NormMonteCarlo(p, k, NormSampler{D: d, Sphere: true}, RowNorms, samples, 9)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("p=%d d=%d kappa=%v: D %.4f, input norms %.4f, row norms %.4f +- %.4f, sphere rows %.4f +- %.4f", p, d, k, plain, in, rows.Mean, rows.SE, sph.Mean, sph.SE)
	if (rows.Mean-in)/rows.SE < 5 {
		t.Errorf("row norms %.5f +- %.5f not above input norms %.5f", rows.Mean, rows.SE, in)
	}
	if (sph.Mean-plain)/sph.SE < 3 || (rows.Mean-sph.Mean)/math.Hypot(rows.SE, sph.SE) < 5 {
		t.Errorf("sphere row norms %.5f +- %.5f not between D_kappa %.5f and Gaussian row norms %.5f", sph.Mean, sph.SE, plain, rows.Mean)
	}
}

func TestNormMonteCarloErrors(t *testing.T) {
	for _, c := range []struct {
		p, d    int
		kappa   float64
		level   NormLevel
		samples int
	}{{1, 12, 1, InputNorms, 10}, {10, 1, 1, InputNorms, 10}, {10, 12, -1, RowNorms, 10}, {10, 12, 1, 0, 10}, {10, 12, 1, RowNorms, 1}} {
		if _, err := NormMonteCarlo(c.p, c.kappa, NormSampler{D: c.d}, c.level, c.samples, 1); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	if _, err := CriticalPInputNorms(1, 1); err == nil {
		t.Error("d = 1: no error")
	}
	if _, err := CriticalPInputNorms(12, math.NaN()); err == nil {
		t.Error("kappa = NaN: no error")
	}
}
