package feasibility

import (
	"context"
	"gonum.org/v1/gonum/mat"
	"testing"

	"github.com/lamcap/lamcap/model"
)

// With h = d the fixed factor is invertible, so the two-layer problem is the
// one-layer problem: the same p* on the same instances, both layers.
func TestTwoLayerIdentityAtFullWidth(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		for _, m := range []model.Model{model.Coupled, model.Decoupled} {
			base := model.Random{D: 6, Seed: seed, Kind: m}
			one, err := FindThreshold(context.Background(), base, ThresholdOptions{})
			if err != nil || !one.Certified {
				t.Fatalf("%v %+v", err, one)
			}
			for _, layer := range []model.Layer{model.TrainFirst, model.TrainSecond} {
				tl, _ := model.NewTwoLayer(base, 6, layer, seed)
				two, err := FindThreshold(context.Background(), tl, ThresholdOptions{})
				if err != nil || !two.Certified || two.PStar != one.PStar {
					t.Errorf("seed %d %v layer %v: two-layer p* %d, one-layer %d (%v)", seed, m, layer, two.PStar, one.PStar, err)
				}
			}
		}
	}
}

// A narrower hidden layer cannot store more, and alternation's certified lower
// bound never exceeds the one-layer p* (rank-h memories are a subset).
func TestTwoLayerBounds(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		base := model.Random{D: 6, Seed: seed}
		one, _ := FindThreshold(context.Background(), base, ThresholdOptions{})
		tl, _ := model.NewTwoLayer(base, 2, model.TrainFirst, seed)
		if tl.Unknowns() != 12 {
			t.Fatalf("unknowns %d, want 12", tl.Unknowns())
		}
		narrow, err := FindThreshold(context.Background(), tl, ThresholdOptions{})
		if err != nil || !narrow.Certified || narrow.PStar > one.PStar {
			t.Errorf("seed %d: h=2 p* %d vs one-layer %d (%v)", seed, narrow.PStar, one.PStar, err)
		}
		lb, _, err := AlternatingLowerBound(context.Background(), base, 3, 2, 2, 4, seed)
		if err != nil || lb < 2 || lb > one.PStar {
			t.Errorf("seed %d: alternating lower bound %d, one-layer p* %d (%v)", seed, lb, one.PStar, err)
		}
		r, err := Alternate(context.Background(), base, lb, 3, 2, 4, seed)
		if err != nil || !r.Storable {
			t.Fatalf("seed %d: alternation does not reproduce p=%d", seed, lb)
		}
		var f mat.SVD
		if !f.Factorize(r.W, mat.SVDNone) {
			t.Fatal("SVD failed")
		}
		svd := f.Values(nil)
		rank := 0
		for _, s := range svd {
			if s > 1e-9*svd[0] {
				rank++
			}
		}
		if rank > 3 {
			t.Errorf("seed %d: W = A B has rank %d > h = 3", seed, rank)
		}
	}
}
