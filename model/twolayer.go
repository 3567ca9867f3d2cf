package model

import (
	"fmt"
	"math"
)

// Layer says which factor of a two-layer memory W = A B (A: d x h, B: h x d) is
// fixed at random.
type Layer int

const (
	// TrainSecond fixes B and trains A: scores y^T A (B x), inputs x' = B x.
	TrainSecond Layer = iota
	// TrainFirst fixes A and trains B: scores (A^T y)^T B x, targets y' = A^T y.
	TrainFirst
)

// ParseLayer reads "first" or "second" (the layer that is trained).
func ParseLayer(s string) (Layer, error) {
	switch s {
	case "first":
		return TrainFirst, nil
	case "second":
		return TrainSecond, nil
	}
	return 0, fmt.Errorf("unknown layer %q (want first or second)", s)
}

// TwoLayer is the source of a two-layer linear network W = A B with one factor
// fixed at random: the problem stays a one-layer LP on transformed vectors. With B
// fixed (h x d, entries N(0, 1/d)) the inputs become x' = B x in R^h; with A fixed
// (d x h) the targets and competitors become A^T y in R^h. Vectors are zero-padded
// to n = max(d, h) so the memory stays square; the padded coordinates have zero
// coefficients and do not change feasibility. The trainable memory then has
// d min(h, d) effective degrees of freedom (docs/theory.md, "5. Two-layer networks
// with one layer fixed"). The fixed factor is
// drawn from the seeded generator (stream kind 4), so it is reproducible too.
type TwoLayer struct {
	Base   Source
	Hidden int
	Train  Layer
	fixed  [][]float64 // h x d (B) or d x h (A), row-major rows
}

// NewTwoLayer wraps a one-layer source. seed keys the fixed factor.
func NewTwoLayer(base Source, hidden int, train Layer, seed uint64) (*TwoLayer, error) {
	if hidden < 1 {
		return nil, fmt.Errorf("hidden width must be at least 1, got %d", hidden)
	}
	d := base.Dim()
	t := &TwoLayer{Base: base, Hidden: hidden, Train: train}
	rows, cols := hidden, d // B: h x d
	if train == TrainFirst {
		rows, cols = d, hidden // A: d x h
	}
	t.fixed = make([][]float64, rows)
	for i := range t.fixed {
		t.fixed[i] = make([]float64, cols)
		s := newStream(streamKey(seed, kindHidden, i, int(train)))
		for j := range t.fixed[i] {
			t.fixed[i][j] = s.normal() / math.Sqrt(float64(d))
		}
	}
	return t, nil
}

func (t *TwoLayer) Dim() int             { return max(t.Base.Dim(), t.Hidden) }
func (t *TwoLayer) Model() Model         { return t.Base.Model() }
func (t *TwoLayer) Embedding() Embedding { return t.Base.Embedding() }
func (t *TwoLayer) MaxP() int            { return t.Base.MaxP() }

// Unknowns is the number of trainable weights that matter, d min(h, d).
func (t *TwoLayer) Unknowns() int { d := t.Base.Dim(); return d * min(t.Hidden, d) }

func (t *TwoLayer) Input(mu int, dst []float64) {
	d := t.Base.Dim()
	x := make([]float64, d)
	t.Base.Input(mu, x)
	clear(dst)
	if t.Train == TrainFirst {
		copy(dst, x)
		return
	}
	for i := 0; i < t.Hidden; i++ { // x' = B x
		var s float64
		for j, v := range x {
			s += t.fixed[i][j] * v
		}
		dst[i] = s
	}
}

func (t *TwoLayer) mapTarget(y, dst []float64) {
	clear(dst)
	if t.Train == TrainSecond {
		copy(dst, y)
		return
	}
	for k := 0; k < t.Hidden; k++ { // y' = A^T y
		var s float64
		for i, v := range y {
			s += t.fixed[i][k] * v
		}
		dst[k] = s
	}
}

func (t *TwoLayer) Target(mu int, dst []float64) {
	y := make([]float64, t.Base.Dim())
	t.Base.Target(mu, y)
	t.mapTarget(y, dst)
}

func (t *TwoLayer) Competitor(mu, v int, dst []float64) {
	c := make([]float64, t.Base.Dim())
	t.Base.Competitor(mu, v, c)
	t.mapTarget(c, dst)
}

// NewTwoLayerWith is NewTwoLayer with a given fixed factor: B (h x d) when train
// is TrainSecond, A (d x h) when it is TrainFirst. Used by alternating training.
func NewTwoLayerWith(base Source, hidden int, train Layer, fixed [][]float64) *TwoLayer {
	return &TwoLayer{Base: base, Hidden: hidden, Train: train, fixed: fixed}
}

// Fixed returns the fixed factor (rows of B, h x d, or of A, d x h).
func (t *TwoLayer) Fixed() [][]float64 { return t.fixed }
