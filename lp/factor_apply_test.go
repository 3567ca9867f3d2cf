package lp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lamcap/lamcap/internal/linalg"
	"github.com/lamcap/lamcap/model"
)

// begunSolve is a solve of the random instance (kind, d, p, seed) past begin,
// with its work space: the state the normal-matrix code starts from.
func begunSolve(t *testing.T, kind model.Model, d, p int, seed uint64) (*IPM, *ipmWork) {
	t.Helper()
	in, err := model.NewInstance(model.Random{D: d, Seed: seed, Kind: kind}, p)
	if err != nil {
		t.Fatal(err)
	}
	s := NewIPM(in, Options{})
	if _, err := s.begin(); err != nil {
		t.Fatal(err)
	}
	return s, s.newWork()
}

// decoupledNormalSetup builds a decoupled solve at (d, p) with margin and box
// scalings spread over twelve orders of magnitude, as near an optimum, and
// forms its Gram rows and matrix (double precision) and border, as factor
// does before it factors.
func decoupledNormalSetup(t *testing.T, d, p int, seed uint64) (*IPM, *ipmWork) {
	t.Helper()
	s, wk := begunSolve(t, model.Decoupled, d, p, seed)
	r := rand.New(rand.NewPCG(seed, 7))
	spread := func() float64 { return math.Pow(10, 12*r.Float64()-6) }
	for i := range wk.dm {
		if !s.inert(i) {
			wk.dm[i] = spread()
		}
	}
	for k := range wk.du {
		wk.du[k], wk.dl[k] = spread(), spread()
	}
	s.formGramRows(wk)
	s.gramProduct(wk)
	s.gramBorder(wk)
	wk.sumD = 0
	for i, x := range wk.dm {
		if !s.inert(i) {
			wk.sumD += x
		}
	}
	return s, wk
}

// TestFactorApplyExplicit holds the decoupled normal operator applied from
// the factor P1 (factorApply) against the same operator from the explicit
// constraint matrix, H z = (A^T q + (Du + Dl) z_W, -sum q) with q = D (A z_W
// - z_t 1), A's rows a_(mu,v) = (y_mu - c_(mu,v)) x_mu^T built from the
// instance's competitors: every entry within gamma times the same sum of
// absolute values, and against gramApply (the Gram matrix's product) within
// the same bound.
func TestFactorApplyExplicit(t *testing.T) {
	const d, p = 6, 11
	s, wk := decoupledNormalSetup(t, d, p, 3)
	in, n := s.in, s.n
	// Explicit rows, and |A| for the bound.
	rows := make([][]float64, p*p)
	for mu := 0; mu < p; mu++ {
		y, x := in.Y.RawRowView(mu), in.X.RawRowView(mu)
		c := in.Competitors(mu)
		for v := 0; v < p; v++ {
			if v == mu {
				continue
			}
			a := make([]float64, n)
			cv := c.RawRowView(v)
			for i := 0; i < d; i++ {
				for j := 0; j < d; j++ {
					a[i*d+j] = (y[i] - cv[i]) * x[j]
				}
			}
			rows[mu*p+v] = a
		}
	}
	r := rand.New(rand.NewPCG(9, 9))
	z := make([]float64, n+1)
	for k := range z {
		z[k] = r.NormFloat64()
	}
	want, abs := make([]float64, n+1), make([]float64, n+1)
	for i, a := range rows {
		if a == nil {
			continue
		}
		var m, mAbs float64
		for k := 0; k < n; k++ {
			m += a[k] * z[k]
			mAbs += math.Abs(a[k] * z[k])
		}
		q, qAbs := wk.dm[i]*(m-z[n]), wk.dm[i]*(mAbs+math.Abs(z[n]))
		for k := 0; k < n; k++ {
			want[k] += a[k] * q
			abs[k] += math.Abs(a[k]) * qAbs
		}
		want[n] -= q
		abs[n] += qAbs
	}
	for k := 0; k < n; k++ {
		want[k] += (wk.du[k] + wk.dl[k]) * z[k]
		abs[k] += (wk.du[k] + wk.dl[k]) * math.Abs(z[k])
	}
	// applyTol is the error bound, relative to the sum of the absolute values
	// of the terms, of two computations of the same sums of products: each
	// entry is a sum over at most p^2 rows of products of a few roundings
	// (M_mu and the Gram matrix are themselves sums over p competitors, the
	// margins over n entries), gamma_k = k eps64 with k = 2 (p + n + 8)
	// covering both.
	applyTol := 2 * float64(p+n+8) * 0x1p-53
	got, gram := make([]float64, n+1), make([]float64, n+1)
	s.factorApply(got, z, wk)
	s.gramApply(gram, z, wk)
	for k := range want {
		if e := math.Abs(got[k] - want[k]); e > applyTol*abs[k] {
			t.Errorf("(Hz)[%d]: factorApply %.17g, explicit %.17g: error %.3g beyond %.3g", k, got[k], want[k], e, applyTol*abs[k])
		}
		if e := math.Abs(gram[k] - got[k]); e > 2*applyTol*abs[k] {
			t.Errorf("(Hz)[%d]: factorApply %.17g, gramApply %.17g: differ by %.3g beyond %.3g", k, got[k], gram[k], e, 2*applyTol*abs[k])
		}
	}
}

// TestDecoupledGram32WithinRounding is TestGram32WithinRounding for the
// decoupled model, whose Gram matrix is now also formed in single precision
// (factorApply keeps the conjugate gradients' operator double): every entry
// of gramProduct32's product within (p + 2) eps32 sum_mu |P1_mu| |P2_mu| of
// the double one.
func TestDecoupledGram32WithinRounding(t *testing.T) {
	if !linalg.Single() {
		t.Skip("the BLAS in use has no single precision")
	}
	const d, p = 16, 40 // 2p <= n2 = 136: the factors fit
	s, wk := decoupledNormalSetup(t, d, p, 5)
	checkGram32WithinRounding(t, "decoupled", s, wk)
}

// TestDecoupledFactorApplyVerdicts solves decoupled instances around the
// threshold with the single-precision factor (PrecisionMixed), the operator
// from P1 and the single-precision Gram matrix (the default) and from the
// double Gram matrix (IPM.applyGram): the same t* to 1e-8 and the same sign,
// storable and not, and the new path really taken (checkGram32Path).
func TestDecoupledFactorApplyVerdicts(t *testing.T) {
	if !linalg.Single() {
		t.Skip("the BLAS in use has no single precision")
	}
	for _, p := range []int{40, 52, 58, 64, 67} { // the Gaussian decoupled threshold at d = 16 lies between 58 and 64 for these seeds; 2p <= n2 = 136
		in, err := model.NewInstance(model.Random{D: 16, Seed: uint64(p), Kind: model.Decoupled}, p)
		if err != nil {
			t.Fatal(err)
		}
		checkGram32Path(t, fmt.Sprintf("decoupled p=%d", p), in, "the operator from the double Gram matrix (applyGram)", func(s *IPM) { s.applyGram = true })
	}
}
