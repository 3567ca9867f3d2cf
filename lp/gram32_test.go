package lp

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lamcap/lamcap/internal/linalg"
	"github.com/lamcap/lamcap/model"
)

// TestGram32WithinRounding holds the single-precision Gram matrix
// (gramProduct32) against the double one (gramProduct) of the same rows: every
// entry within the bound of a single-precision sum of rounded factors,
// (p + 2) eps32 sum_mu |P1_mu| |P2_mu|, scalings spread over twelve orders of
// magnitude as near an optimum, coupled and vocabulary models.
func TestGram32WithinRounding(t *testing.T) {
	if !linalg.Single() {
		t.Skip("the BLAS in use has no single precision")
	}
	for _, kind := range []model.Model{model.Coupled, vocabularyModel(t, 8)} {
		const d, p = 16, 40 // 2p <= n2 = 136: the factors fit
		s, wk := begunSolve(t, kind, d, p, 5)
		r := rand.New(rand.NewPCG(3, 4))
		for i := range wk.dm {
			if !s.inert(i) {
				wk.dm[i] = math.Pow(10, 12*r.Float64()-6)
			}
		}
		s.formGramRows(wk)
		s.gramProduct(wk)
		checkGram32WithinRounding(t, kind.String(), s, wk)
	}
}

// checkGram32WithinRounding forms gramProduct32's product from wk's factors and
// holds every entry to the double product in wk.gs: within (p + 2) eps32
// sum_mu |P1_mu| |P2_mu|, the rounding bound of a single-precision sum of p
// products of rounded factors, with at least one entry off by more than
// double rounding (the product really was single precision).
func checkGram32WithinRounding(t *testing.T, label string, s *IPM, wk *ipmWork) {
	t.Helper()
	p := s.p
	want := append([]float64(nil), wk.gs...)
	if !s.gramProduct32(wk) {
		t.Fatalf("%s: gramProduct32 declined at d = %d, p = %d", label, s.d, p)
	}
	n2 := s.n2
	got := wk.gs32()[:n2*n2]
	const eps32 = 0x1p-24
	var worst float64
	for a := 0; a < n2; a++ {
		for b := 0; b < n2; b++ {
			var abs float64
			for mu := 0; mu < p; mu++ {
				abs += math.Abs(wk.p1[mu*n2+a] * s.p2[mu*n2+b])
			}
			e := math.Abs(float64(got[a*n2+b]) - want[a*n2+b])
			if bound := float64(p+2) * eps32 * abs; e > bound {
				t.Fatalf("%s: Gs[%d,%d] = %g single, %g double: error %g beyond (p+2) eps32 sum|P1||P2| = %g", label, a, b, got[a*n2+b], want[a*n2+b], e, bound)
			}
			if abs > 0 {
				worst = math.Max(worst, e/abs)
			}
		}
	}
	if worst < 1e-10 {
		t.Errorf("%s: largest relative error %g: the product was not single precision", label, worst)
	}
}

// TestIPMGram32Verdicts solves with the single-precision factor (PrecisionMixed)
// with and without the single-precision Gram matrix: the same t* to 1e-8 and
// the same sign, storable and not, coupled and vocabulary models, and the
// single-precision product really used.
func TestIPMGram32Verdicts(t *testing.T) {
	if !linalg.Single() {
		t.Skip("the BLAS in use has no single precision")
	}
	for _, kind := range []model.Model{model.Coupled, vocabularyModel(t, 24)} {
		for _, p := range []int{40, 56, 64, 68} { // Gaussian coupled p_c at d = 16 is about 62; 2p <= n2 = 136
			in, err := model.NewInstance(model.Random{D: 16, Seed: uint64(p), Kind: kind}, p)
			if err != nil {
				t.Fatal(err)
			}
			checkGram32Path(t, fmt.Sprintf("%v p=%d", kind, p), in, "the double Gram matrix (noGram32)", func(s *IPM) { s.noGram32 = true })
		}
	}
}

// checkGram32Path solves in with the single-precision factor
// (PrecisionMixed) twice, on the default path (the single-precision Gram
// matrix) and with old set on the solver (a path without it, named by
// oldName), and checks that the default path formed its Gram matrices in
// single precision and the old one did not, and that both reach the same t*
// to 1e-8 with the same verdict. A t* above storableT counts as storable:
// not-storable optima are t* = 0 up to the solver's tolerances (|t*| about
// 1e-13), storable ones near the threshold are above 1e-3 at d = 16.
func checkGram32Path(t *testing.T, label string, in *model.Instance, oldName string, old func(*IPM)) {
	t.Helper()
	const storableT = 1e-9
	solve := func(set func(*IPM)) (*Solution, ipmStats) {
		s := NewIPM(in, Options{Precision: PrecisionMixed})
		if set != nil {
			set(s)
		}
		sol, err := s.Solve(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		return sol, s.last
	}
	ref, rs := solve(old)
	sol, ns := solve(nil)
	if rs.gram32 != 0 || ns.gram32 == 0 {
		t.Fatalf("%s: single-precision Gram products %d with %s and %d by default", label, rs.gram32, oldName, ns.gram32)
	}
	if math.Abs(sol.T-ref.T) > 1e-8 || (sol.T > storableT) != (ref.T > storableT) {
		t.Errorf("%s: t* %.12g by default, %.12g with %s", label, sol.T, ref.T, oldName)
	}
	t.Logf("%s: t* %.3g, iterations %d / %d, single %d / %d, pcg %d / %d", label, sol.T, sol.Iterations, ref.Iterations, ns.single, rs.single, ns.pcgSteps, rs.pcgSteps)
}

// vocabularyModel is the vocabulary model with v words and uniform answers.
func vocabularyModel(t *testing.T, v int) model.Model {
	t.Helper()
	m, err := model.Vocabulary(v, model.Answers{Kind: model.Uniform})
	if err != nil {
		t.Fatal(err)
	}
	return m
}
