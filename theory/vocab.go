package theory

import (
	"fmt"
	"math"
)

// This file is the theory of a finite answer vocabulary (docs/theory.md,
// "8. A finite answer vocabulary"): p inputs share V answers, so every block of
// the surrogate has V - 1 competitors whatever p is, and the memory acts on the
// scores through d min(V - 1, d) effective degrees of freedom.

// VocabUnknowns is the effective dimension N = d min(V - 1, d) of the
// vocabulary model: W enters the margins only through W^T (y_a - y_v), and the
// V - 1 differences y_v - y_0 span min(V - 1, d) dimensions.
func VocabUnknowns(d, v int) int { return d * min(v-1, d) }

// VocabPrediction is the surrogate's prediction for the vocabulary model.
type VocabPrediction struct {
	D int `json:"d"`
	V int `json:"v"`
	// N is the effective dimension d min(V - 1, d).
	N int `json:"n"`
	// StatDim is D_0(V), the statistical dimension of one block of V scores.
	StatDim float64 `json:"d_0"`
	// PC = N / D_0(V), the root of p D_0(V) = N (exact for V = 2: Cover's 2d).
	PC float64 `json:"p_c"`
	// BitsPerParameter is PC log2 V / d^2.
	BitsPerParameter float64 `json:"bits_per_parameter"`
	// PaperPC is the paper's model at the same d (V = p, N = d^2): CriticalP(d^2).
	PaperPC float64 `json:"p_c_paper"`
}

// VocabCriticalP is the surrogate's p_c(d, V) = d min(V - 1, d) / D_0(V) and
// D_0(V), for d >= 2 and V >= 2 words.
func VocabCriticalP(d, v int) (pc, statDim float64, err error) {
	if d < 2 || v < 2 {
		return 0, 0, fmt.Errorf("vocabulary theory: need d >= 2 and V >= 2, got d=%d V=%d", d, v)
	}
	dv, err := StatDim(float64(v), 0)
	if err != nil {
		return 0, 0, err
	}
	return float64(VocabUnknowns(d, v)) / dv, dv, nil
}

// PredictVocab computes the prediction for dimension d >= 2 and each of the
// vocabulary sizes vs (every V >= 2), with the paper's p_c at d beside them.
func PredictVocab(d int, vs ...int) ([]VocabPrediction, error) {
	paper, err := CriticalP(float64(d*d), 0)
	if err != nil {
		return nil, err
	}
	out := make([]VocabPrediction, 0, len(vs))
	for _, v := range vs {
		pc, dv, err := VocabCriticalP(d, v)
		if err != nil {
			return nil, err
		}
		out = append(out, VocabPrediction{D: d, V: v, N: VocabUnknowns(d, v), StatDim: dv, PC: pc,
			BitsPerParameter: pc * math.Log2(float64(v)) / float64(d*d), PaperPC: paper})
	}
	return out, nil
}

// VocabStorableCurve is VocabStorableProbability for p = 1..pmax, computing
// the law of |S| once.
func VocabStorableCurve(d, v, pmax int) ([]CurvePoint, error) {
	if pmax < 1 || d < 2 || v < 2 {
		return nil, fmt.Errorf("vocabulary curve: need pmax >= 1, d >= 2, V >= 2, got pmax=%d d=%d V=%d", pmax, d, v)
	}
	f, err := ComputeFaces(float64(v), 0)
	if err != nil {
		return nil, err
	}
	law := f.Exactly()
	out := make([]CurvePoint, pmax)
	for p := 1; p <= pmax; p++ {
		out[p-1] = kinematic(law, p, VocabUnknowns(d, v))
	}
	return out, nil
}

// kinematic is the conic kinematic formula for p blocks with the law of |S|
// and n unknowns (section 2).
func kinematic(law []float64, p, n int) CurvePoint {
	sum := convolvePower(law, p)
	var odd, above float64
	for j := n + 1; j < len(sum); j++ {
		above += sum[j]
		if (j-n)%2 == 1 {
			odd += sum[j]
		}
	}
	return CurvePoint{P: p, Exact: clamp01(1 - 2*odd), Smooth: clamp01(1 - above)}
}

// VocabStorableProbability is the surrogate's P(storable | p) for the
// vocabulary model: StorableProbability's conic kinematic formula with p blocks
// of V scores (the law of |S| for V - 1 competitors) and N = d min(V - 1, d).
// For V = 2 it is Cover's count exactly (CoverProbability).
func VocabStorableProbability(p, d, v int) (CurvePoint, error) {
	if p < 1 || d < 2 || v < 2 {
		return CurvePoint{}, fmt.Errorf("vocabulary curve: need p >= 1, d >= 2, V >= 2, got p=%d d=%d V=%d", p, d, v)
	}
	f, err := ComputeFaces(float64(v), 0)
	if err != nil {
		return CurvePoint{}, err
	}
	return kinematic(f.Exactly(), p, VocabUnknowns(d, v)), nil
}

// CoverProbability is Cover's function-counting theorem (1965): p points in
// general position in R^d with uniformly random labels are separable by a
// hyperplane through the origin with probability 2^(1-p) sum_(k<d) C(p-1, k).
// Summed in log space, so it holds for any p.
func CoverProbability(p, d int) float64 {
	if p <= d {
		return 1
	}
	// Terms C(p-1, k) 2^(1-p) for k = 0..d-1, each from log-gamma.
	sum := 0.0
	for k := 0; k < d; k++ {
		lc := lgamma(float64(p)) - lgamma(float64(k+1)) - lgamma(float64(p-k))
		sum += math.Exp(lc + float64(1-p)*math.Ln2)
	}
	return clamp01(sum)
}
