package lp

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/internal/linalg"
	"github.com/lamcap/lamcap/model"
)

// The structured normal matrix (one GEMM of packed Kronecker factors, then a
// rearrangement) equals G^T D G formed from the explicit rows a_r = (y_mu - c) (x) x_mu,
// for the coupled, decoupled and vocabulary models (for the last, M_mu sums
// over the V - 1 answers v != a(mu)) and a random D.
func TestIPMNormalMatrixMatchesExplicit(t *testing.T) {
	for _, kind := range append([]model.Model{model.Coupled, model.Decoupled}, seamVocabularies(t)...) {
		const d, p = 5, 9
		in, err := model.NewInstance(model.Random{D: d, Seed: 3, Kind: kind}, p)
		if err != nil {
			t.Fatal(err)
		}
		s := NewIPM(in, Options{})
		if _, err := s.begin(); err != nil {
			t.Fatal(err)
		}
		q := in.Slots()
		wk := s.newWork()
		r := rand.New(rand.NewPCG(1, 2))
		n := d * d
		for i := range wk.dm {
			if !s.inert(i) {
				wk.dm[i] = r.ExpFloat64()
			}
		}
		for k := 0; k < n; k++ {
			wk.du[k], wk.dl[k] = r.ExpFloat64(), r.ExpFloat64()
		}
		s.formGram(wk)
		s.fillNormal(wk, 0)
		// Explicit: rows of G for the margins, [a_r, -1].
		want := make([]float64, (n+1)*(n+1))
		row := make([]float64, n+1)
		for mu := 0; mu < p; mu++ {
			x, y := in.X.RawRowView(mu), in.Y.RawRowView(mu)
			for v := 0; v < q; v++ {
				if v == in.Own(mu) {
					continue
				}
				c := in.Competitor(mu, v)
				for i := 0; i < d; i++ {
					for j := 0; j < d; j++ {
						row[i*d+j] = (y[i] - c[i]) * x[j]
					}
				}
				row[n] = -1
				dr := wk.dm[mu*q+v]
				for a := 0; a <= n; a++ {
					for b := 0; b <= n; b++ {
						want[a*(n+1)+b] += dr * row[a] * row[b]
					}
				}
			}
		}
		for k := 0; k < n; k++ {
			want[k*(n+1)+k] += wk.du[k] + wk.dl[k]
		}
		// The border as factor() forms it, from formGram's g (gramBorder).
		s.gramBorder(wk)
		h := make([]float64, n)
		for a := range h {
			h[a] = -wk.border[a]
		}
		for a := 0; a < n; a++ {
			for b := 0; b <= a; b++ {
				if got := wk.h[a*(n+1)+b]; math.Abs(got-want[a*(n+1)+b]) > 1e-12*(1+math.Abs(want[a*(n+1)+b])) {
					t.Fatalf("%v: H[%d][%d] = %g, explicit %g", kind, a, b, got, want[a*(n+1)+b])
				}
			}
			if math.Abs(-h[a]-want[n*(n+1)+a]) > 1e-12 {
				t.Fatalf("%v: border[%d] = %g, explicit %g", kind, a, -h[a], want[n*(n+1)+a])
			}
		}
		// The matrix-free product of the conjugate gradients is the same matrix.
		z := make([]float64, n+1)
		for i := range z {
			z[i] = r.NormFloat64()
		}
		wk.pcgM = make([]float64, p*q)
		wk.sumD = want[n*(n+1)+n]
		got := make([]float64, n+1)
		s.applyNormal(got, z, wk)
		for a := 0; a <= n; a++ {
			var hz float64
			for b := 0; b <= n; b++ {
				hz += want[a*(n+1)+b] * z[b]
			}
			if math.Abs(got[a]-hz) > 1e-10*(1+math.Abs(hz)) {
				t.Fatalf("%v: (H z)[%d] = %g matrix-free, %g explicit", kind, a, got[a], hz)
			}
		}
	}
}

// TestIPMMixedPrecision forces the single-precision factor with conjugate-
// gradient refinement on small instances and checks it against the double-
// precision solve: the same verdict and the same t* (both models, storable and
// not), and that single precision was really used.
func TestIPMMixedPrecision(t *testing.T) {
	if !linalg.Single() {
		t.Skip("the BLAS in use has no single precision")
	}
	for _, kind := range []model.Model{model.Coupled, model.Decoupled} {
		for _, c := range []struct{ d, p int }{{6, 14}, {6, 22}, {8, 28}, {8, 40}} {
			in, err := model.NewInstance(model.Random{D: c.d, Seed: uint64(c.p), Kind: kind}, c.p)
			if err != nil {
				t.Fatal(err)
			}
			solve := func(prec Precision) (*Solution, ipmStats) {
				s := NewIPM(in, Options{Precision: prec})
				sol, err := s.Solve(context.Background())
				if err != nil {
					t.Fatalf("%v d=%d p=%d: %v", kind, c.d, c.p, err)
				}
				return sol, s.last
			}
			dbl, ds := solve(PrecisionDouble)
			sgl, ss := solve(PrecisionMixed)
			if ds.single != 0 || ss.single == 0 {
				t.Fatalf("%v d=%d p=%d: single-precision iterations %d (double run) and %d (mixed run)", kind, c.d, c.p, ds.single, ss.single)
			}
			if math.Abs(sgl.T-dbl.T) > 1e-8 || (sgl.T > 0) != (dbl.T > 0) {
				t.Errorf("%v d=%d p=%d: t* %.12g mixed, %.12g double", kind, c.d, c.p, sgl.T, dbl.T)
			}
		}
	}
}

// For the decoupled model the solver's normal operator H z (from the formed
// Gram matrix, gramApply) equals the one built from the model's own margins
// and row combinations; so do its margins and transpose.
func TestDecoupledOnePassMatchesTwoPass(t *testing.T) {
	const d, p = 6, 11
	s, wk, _, z := decoupledScaling(t, d, p, 4)
	in, n := s.in, d*d
	wk.pcgM = make([]float64, p*p)
	// The operator is the normal matrix of the last factor: form it (Gram
	// matrix, border, corner) as factor does.
	s.formGram(wk)
	s.gramBorder(wk)
	for i, x := range wk.dm {
		if i/p != i%p {
			wk.sumD += x
		}
	}
	got := make([]float64, n+1)
	s.applyNormal(got, z, wk)
	// Two passes: q = D (A z - z_t), H z = (A^T q + (Du + Dl) z, -sum q).
	// The reference is the model's own products (Instance.MarginsTo,
	// RowCombination), not the solver's.
	marg := mat.NewDense(p, p, nil)
	in.MarginsTo(marg, mat.NewDense(p, d, nil), mat.NewDense(d, d, append([]float64(nil), z[:n]...)))
	q := marg.RawMatrix().Data
	var sum float64
	for i := range q {
		if i/p == i%p {
			q[i] = 0
			continue
		}
		q[i] = wk.dm[i] * (q[i] - z[n])
		sum += q[i]
	}
	want := make([]float64, n+1)
	comb := mat.NewDense(d, d, nil)
	in.RowCombination(comb, mat.NewDense(p, d, nil), mat.NewDense(p, p, q))
	copy(want, comb.RawMatrix().Data)
	for k := 0; k < n; k++ {
		want[k] += (wk.du[k] + wk.dl[k]) * z[k]
	}
	want[n] = -sum
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12*(1+math.Abs(want[i])) {
			t.Fatalf("entry %d: one pass %.15g, two passes %.15g", i, got[i], want[i])
		}
	}
	m := make([]float64, p*p)
	s.margins(m, z[:n], wk)
	in.MarginsTo(marg, mat.NewDense(p, d, nil), mat.NewDense(d, d, append([]float64(nil), z[:n]...)))
	tr := make([]float64, n)
	s.transpose(tr, m, wk)
	in.RowCombination(comb, mat.NewDense(p, d, nil), mat.NewDense(p, p, append([]float64(nil), marg.RawMatrix().Data...)))
	for i, x := range marg.RawMatrix().Data {
		if math.Abs(m[i]-x) > 1e-12*(1+math.Abs(x)) {
			t.Fatalf("margin %d: solver %.15g, model %.15g", i, m[i], x)
		}
	}
	for i, x := range comb.RawMatrix().Data {
		if math.Abs(tr[i]-x) > 1e-12*(1+math.Abs(x)) {
			t.Fatalf("transpose %d: solver %.15g, model %.15g", i, tr[i], x)
		}
	}
}

// decoupledScaling sets up a decoupled instance's solver (d, p, seed) with
// random positive scalings D, box scalings and a random vector z, for the
// tests and benchmarks of the per-association kernels. It returns the random
// stream for further draws.
func decoupledScaling(tb testing.TB, d, p int, seed uint64) (*IPM, *ipmWork, *rand.Rand, []float64) {
	tb.Helper()
	in, err := model.NewInstance(model.Random{D: d, Seed: seed, Kind: model.Decoupled}, p)
	if err != nil {
		tb.Fatal(err)
	}
	s := NewIPM(in, Options{})
	if _, err := s.begin(); err != nil {
		tb.Fatal(err)
	}
	wk := s.newWork()
	r := rand.New(rand.NewPCG(3, 4))
	n := d * d
	for i := range wk.dm {
		if i/p != i%p {
			wk.dm[i] = r.ExpFloat64()
		}
	}
	for k := 0; k < n; k++ {
		wk.du[k], wk.dl[k] = r.ExpFloat64(), r.ExpFloat64()
	}
	z := make([]float64, n+1)
	for i := range z {
		z[i] = r.NormFloat64()
	}
	return s, wk, r, z
}
