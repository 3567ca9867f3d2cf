package theory

import (
	"math"
	"math/big"
	"testing"
)

// coverExact is Cover's count in exact rational arithmetic: an independent
// computation of CoverProbability.
func coverExact(p, d int) float64 {
	sum := new(big.Int)
	for k := 0; k < d && k <= p-1; k++ {
		sum.Add(sum, new(big.Int).Binomial(int64(p-1), int64(k)))
	}
	r := new(big.Rat).SetFrac(sum, new(big.Int).Lsh(big.NewInt(1), uint(p-1)))
	f, _ := r.Float64()
	return f
}

func mustPoint(t *testing.T, p, d, v int) CurvePoint {
	t.Helper()
	c, err := VocabStorableProbability(p, d, v)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Cover's formula in log space equals the exact rational count, and for V = 2 the
// surrogate's kinematic curve is Cover's count (one competitor: |S| is
// Bernoulli(1/2), and the parity sum telescopes to the binomial tail).
func TestVocabCoverIdentity(t *testing.T) {
	for _, d := range []int{2, 3, 5, 8} {
		curve, err := VocabStorableCurve(d, 2, 5*d)
		if err != nil {
			t.Fatal(err)
		}
		for p := 1; p <= 5*d; p++ {
			if curve[p-1] != mustPoint(t, p, d, 2) {
				t.Errorf("VocabStorableCurve p=%d d=%d differs from VocabStorableProbability", p, d)
			}
			want := coverExact(p, d)
			if got := CoverProbability(p, d); math.Abs(got-want) > 1e-12 {
				t.Fatalf("Cover p=%d d=%d: %v, exact %v", p, d, got, want)
			}
			cp, err := VocabStorableProbability(p, d, 2)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(cp.Exact-want) > 1e-9 {
				t.Errorf("kinematic V=2 p=%d d=%d: %v, Cover %v", p, d, cp.Exact, want)
			}
		}
	}
}

// D_0(2) = 1/2 exactly, so p_c(d, 2) = 2d (Cover's capacity); for V = p_c of the
// paper's model the prediction is the paper's (p D_0(p) = d^2); p_c grows with V
// until V - 1 = d and bits per parameter stay below the paper's at V = p_c.
func TestPredictVocab(t *testing.T) {
	if d3, err := StatDim(3, 0); err != nil || math.Abs(d3-5.0/6) > 1e-9 {
		t.Errorf("D_0(3) = %v, want 5/6 (%v)", d3, err)
	}
	for _, d := range []int{4, 8} {
		prs, err := PredictVocab(d, 2)
		if err != nil {
			t.Fatal(err)
		}
		pr := prs[0]
		if math.Abs(pr.StatDim-0.5) > 1e-9 || math.Abs(pr.PC-float64(2*d)) > 1e-7 {
			t.Errorf("d=%d V=2: D_0 = %v, p_c = %v, want 1/2 and %d", d, pr.StatDim, pr.PC, 2*d)
		}
		v := int(math.Round(pr.PaperPC))
		pc, _, err := VocabCriticalP(d, v)
		if err != nil {
			t.Fatal(err)
		}
		// V is the paper's p_c rounded: the root moves by less than 1.
		if math.Abs(pc-pr.PaperPC) > 1 {
			t.Errorf("d=%d V=%d: p_c = %v, paper %v", d, v, pc, pr.PaperPC)
		}
		prev := 0.0
		for v := 2; v <= d+1; v++ {
			pc, _, err := VocabCriticalP(d, v)
			if err != nil {
				t.Fatal(err)
			}
			if pc <= prev {
				t.Errorf("d=%d: p_c(V=%d) = %v not above p_c(V=%d) = %v", d, v, pc, v-1, prev)
			}
			prev = pc
		}
	}
}

// log2 V / D_0(V), the bits per parameter at V - 1 <= d scaled by d / (V - 1),
// falls from 2 at V = 2 (docs/theory.md, section 8), so no vocabulary beats
// Cover's 2 bits per weight in the surrogate.
func TestVocabBitsFall(t *testing.T) {
	prev := math.Inf(1)
	for v := 2; v <= 16; v++ {
		dv, err := StatDim(float64(v), 0)
		if err != nil {
			t.Fatal(err)
		}
		b := math.Log2(float64(v)) / dv
		if v == 2 && math.Abs(b-2) > 1e-9 || b >= prev {
			t.Errorf("V=%d: log2 V / D_0(V) = %v after %v", v, b, prev)
		}
		prev = b
	}
}
