package experiment

import (
	"context"
	"testing"

	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// cancelAfter is a context that reports cancellation from its n-th Err call
// on: a deterministic way to cut a search short in the middle.
type cancelAfter struct {
	context.Context
	n     int
	calls int
}

func (c *cancelAfter) Err() error {
	if c.calls++; c.calls >= c.n {
		return context.Canceled
	}
	return nil
}

// A search cut short by cancellation is an error, never a record: an
// uncertified record would mark the unit done (found by the Slurm requeue test).
func TestCancelledUnitIsNoRecord(t *testing.T) {
	for _, solver := range []string{"", "ipm", "simplex"} {
		cfg := runConfig{embed: model.Gaussian, eps: feasibility.DefaultEps, lp: lp.Options{Method: lp.Method(solver)}}
		ctx := &cancelAfter{Context: context.Background(), n: 40}
		rec, err := computeUnit(ctx, cfg, Unit{D: 20, Model: model.Coupled, Seed: 1}, 0)
		if err == nil {
			t.Errorf("solver %q: a cancelled search gave a record (p*=%d, certified %v) and no error", solver, rec.PStar, rec.Certified)
		}
	}
}
