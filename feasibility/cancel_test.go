package feasibility

import (
	"context"
	"errors"
	"testing"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// drawCanceller is a decoupled source that cancels a context at its k-th
// competitor drawn, and counts those drawn after it.
type drawCanceller struct {
	model.Random
	k, drawn, after *int
	cancel          func()
}

func (s drawCanceller) Competitor(mu, v int, dst []float64) {
	if *s.drawn++; *s.drawn == *s.k {
		s.cancel()
	} else if *s.drawn > *s.k {
		*s.after++
	}
	s.Random.Competitor(mu, v, dst)
}

// A threshold search cancelled while it builds an instance (the decoupled
// model's competitors, seconds at d = 96) returns context.Canceled within one
// association's competitors, with the warm search (which grows its instance)
// and the bracketing one (which builds each) alike.
func TestThresholdCancelledWhileBuilding(t *testing.T) {
	for _, m := range []lp.Method{lp.MethodSimplex, lp.MethodIPM} {
		var drawn, after int
		k := -1
		src := drawCanceller{model.Random{D: 6, Seed: 3, Kind: model.Decoupled}, &k, &drawn, &after, func() {}}
		opt := ThresholdOptions{LP: lp.Options{Method: m}}
		if _, err := FindThreshold(context.Background(), src, opt); err != nil {
			t.Fatal(err)
		}
		total := drawn
		for _, at := range []int{1, total / 3, total / 2, total - 5} {
			ctx, cancel := context.WithCancel(context.Background())
			drawn, after, k = 0, 0, at
			src.cancel = cancel
			_, err := FindThreshold(ctx, src, opt)
			cancel()
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s, cancelled at competitor %d of %d: err %v, want context.Canceled", m, at, total, err)
			}
			if after > 64 { // one association: p <= 64 slots at d = 6
				t.Errorf("%s, cancelled at competitor %d: %d more drawn after the cancellation", m, at, after)
			}
		}
	}
}
