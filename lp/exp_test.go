package lp

import (
	"context"
	"testing"
	"time"

	"github.com/lamcap/lamcap/model"
)

func TestExpGrowth(t *testing.T) {
	for _, c := range []struct{ d, p int }{{20, 84}, {24, 116}} {
		for _, mode := range []string{"dual", "hybrid"} {
			t0 := time.Now()
			in, _ := model.NewInstance(model.Random{D: c.d, Seed: 3}, c.p)
			s := NewSimplex(in, Options{})
			sol, err := s.solveDual(context.Background(), false)
			if err != nil {
				t.Fatal(err)
			}
			its := []int{sol.Iterations}
			for k := 1; k <= 4; k++ {
				in.Grow(c.p + k)
				if mode == "dual" {
					sol, err = s.solveDual(context.Background(), false)
				} else {
					sol, err = s.solvePrimal(context.Background())
				}
				if err != nil {
					t.Fatal(err)
				}
				its = append(its, sol.Iterations)
			}
			t.Logf("d=%d p=%d %s: iterations %v T %.4g  %.2fs", c.d, c.p, mode, its, sol.T, time.Since(t0).Seconds())
		}
	}
}
