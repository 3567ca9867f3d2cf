package experiment

import (
	"context"
	"fmt"
	"github.com/lamcap/lamcap/stats"
	"math"

	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
	"github.com/lamcap/lamcap/theory"
)

// VocabFamily is a family of vocabulary instances: dimension D, a vocabulary
// model (model.Vocabulary) and an embedding.
type VocabFamily struct {
	D     int
	Model model.Model
	Embed model.Embedding
}

// VocabThreshold is the certified p* of one seed of a vocabulary family.
type VocabThreshold struct {
	D         int             `json:"d"`
	Model     model.Model     `json:"model"`
	V         int             `json:"v"`
	Answers   string          `json:"answers"`
	Embedding model.Embedding `json:"embedding"`
	Seed      int64           `json:"seed"`
	PStar     int             `json:"p_star"` // -1 when undecided
	Certified bool            `json:"certified"`
	Solvers   string          `json:"solvers"`
	Solves    int             `json:"solves"`
	Seconds   float64         `json:"seconds"`
	// Iterations are the solver iterations of the search, and CPUSeconds the
	// CPU time of the process during it (all threads, BLAS included: the
	// search's own when nothing else runs in the process, as in StudyVocab).
	// Records from before they were recorded have neither.
	Iterations int     `json:"iterations,omitempty"`
	CPUSeconds float64 `json:"cpu_seconds,omitempty"`
	Note       string  `json:"note,omitempty"`
}

// VocabStart is where a threshold search of the family starts: 97% of the
// surrogate's p_c(d, V) (theory.VocabCriticalP), at least 2.
func VocabStart(d, v int) int {
	pc, _, err := theory.VocabCriticalP(d, v)
	if err != nil || math.IsNaN(pc) {
		return 2
	}
	return max(2, int(0.97*pc))
}

// FindVocabThreshold finds the certified p* of one seed of the family.
func FindVocabThreshold(ctx context.Context, f VocabFamily, seed int64, opts lp.Options) (VocabThreshold, error) {
	if !f.Model.IsVocabulary() {
		return VocabThreshold{}, fmt.Errorf("vocabulary threshold: model %v has no vocabulary", f.Model)
	}
	if f.D < 2 || seed < 0 {
		return VocabThreshold{}, fmt.Errorf("vocabulary threshold: need d >= 2 and seed >= 0, got d=%d seed=%d", f.D, seed)
	}
	src := model.Random{D: f.D, Seed: uint64(seed), Kind: f.Model, Embed: f.Embed}
	th, err := feasibility.FindThreshold(ctx, src, feasibility.ThresholdOptions{LP: opts, Start: VocabStart(f.D, f.Model.Vocab())})
	if err != nil {
		return VocabThreshold{}, fmt.Errorf("d=%d %v seed %d: %w", f.D, f.Model, seed, err)
	}
	return VocabThreshold{D: f.D, Model: f.Model, V: f.Model.Vocab(), Answers: f.Model.Answers().String(),
		Embedding: f.Embed, Seed: seed, PStar: th.PStar, Certified: th.Certified, Solvers: th.Solvers(),
		Solves: th.Solves, Seconds: th.Seconds, Iterations: th.Iterations, Note: th.Note}, nil
}

// VocabCurve is P(storable | p) measured from the thresholds of n seeds, with
// Wilson intervals at quantile z, beside the surrogate's prediction (and
// Cover's exact count for V = 2 uniform, where the prediction is exact).
type VocabCurve struct {
	D, V      int
	Seeds     int
	Undecided int
	Points    []VocabCurvePoint
}

// VocabCurvePoint is one p of a VocabCurve.
type VocabCurvePoint struct {
	P         int            `json:"p"`
	Storable  int            `json:"storable"`
	CI        stats.Interval `json:"ci"`
	Predicted float64        `json:"predicted"` // theory.VocabStorableProbability (Cover's count for V = 2)
}

// MeasureVocabCurve finds the thresholds of seeds first..first+n-1 and returns
// P(storable | p) for p from 1 to the largest p* + 1. Undecided seeds are
// counted, not guessed: the curve then holds only the decided ones.
func MeasureVocabCurve(ctx context.Context, f VocabFamily, first int64, n int, z float64, opts lp.Options) (VocabCurve, error) {
	out := VocabCurve{D: f.D, V: f.Model.Vocab(), Seeds: n}
	var pstars []int
	for s := first; s < first+int64(n); s++ {
		th, err := FindVocabThreshold(ctx, f, s, opts)
		if err != nil {
			return out, err
		}
		if !th.Certified {
			out.Undecided++
			continue
		}
		pstars = append(pstars, th.PStar)
	}
	top := 0
	for _, p := range pstars {
		top = max(top, p)
	}
	for p := 1; p <= top+1; p++ {
		k := 0
		for _, ps := range pstars {
			if ps >= p {
				k++
			}
		}
		pred, err := theory.VocabStorableProbability(p, f.D, out.V)
		if err != nil {
			return out, err
		}
		out.Points = append(out.Points, VocabCurvePoint{P: p, Storable: k, CI: stats.Wilson(k, len(pstars), z), Predicted: pred.Exact})
	}
	return out, nil
}
