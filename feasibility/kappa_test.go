package feasibility

import (
	"context"
	"testing"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// p*_kappa is the largest prefix whose certified kappa* reaches kappa (every
// prefix solved), and never exceeds p* at kappa = 0.
func TestKappaThresholdMatchesEveryPrefix(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		src := model.Random{D: 5, Seed: seed, Kind: []model.Model{model.Coupled, model.Decoupled}[seed%2]}
		const kappa = 0.4
		th, err := FindKappaThreshold(context.Background(), src, kappa, 6, lp.Options{})
		if err != nil || !th.Certified {
			t.Fatalf("seed %d: %v %+v", seed, err, th)
		}
		largest := 1
		for p := 2; p <= th.PStar+2; p++ {
			in, _ := model.NewInstance(src, p)
			mm, err := SolveMaxMargin(context.Background(), in, lp.Options{})
			if err != nil || !mm.Certified {
				t.Fatalf("seed %d p=%d: %v %+v", seed, p, err, mm)
			}
			if mm.Storable && mm.Lower > kappa {
				if largest != p-1 {
					t.Errorf("seed %d: kappa* >= kappa at p=%d after a prefix below it", seed, p)
				}
				largest = p
			}
		}
		if largest != th.PStar {
			t.Errorf("seed %d: search says %d, every prefix says %d", seed, th.PStar, largest)
		}
		zero, _ := FindThreshold(context.Background(), src, ThresholdOptions{})
		if th.PStar > zero.PStar {
			t.Errorf("seed %d: p*(kappa) = %d exceeds p*(0) = %d", seed, th.PStar, zero.PStar)
		}
	}
}
