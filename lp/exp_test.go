package lp_test

import (
	"context"
	"testing"
	"time"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

func TestExpGrowth(t *testing.T) {
	for _, c := range []struct{ d, p int }{{32, 180}} {
		t0 := time.Now()
		in, _ := model.NewInstance(model.Random{D: c.d, Seed: 3}, c.p)
		s := lp.NewSimplex(in, lp.Options{})
		lp.Degenerate = 0
		sol, err := s.Solve(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("d=%d p=%d: iterations %d degenerate %d T %.4g %s  %.2fs", c.d, c.p, sol.Iterations, lp.Degenerate, sol.T, sol.Status, time.Since(t0).Seconds())
	}
}
