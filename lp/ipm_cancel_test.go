package lp

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/lamcap/lamcap/model"
)

// cancelAt is a context cancelled by its own at-th Err call: a cancellation
// at a chosen check of a solve, without timing.
type cancelAt struct {
	context.Context
	cancel    func()
	calls, at atomic.Int64
}

func newCancelAt(at int64) *cancelAt {
	ctx, cancel := context.WithCancel(context.Background())
	c := &cancelAt{Context: ctx, cancel: cancel}
	c.at.Store(at)
	return c
}

func (c *cancelAt) Err() error {
	if c.calls.Add(1) == c.at.Load() {
		c.cancel()
	}
	return c.Context.Err()
}

// A solve cancelled at any of its checks returns context.Canceled: no path
// turns the cancellation into a numerical failure or a verdict. Cancelled at
// the first check inside forming the normal matrix (formGram, the second
// check of a solve), it returns before any Cholesky factorisation: forming
// and factoring the first normal matrix are seconds at d = 96, and before the
// checks a cancellation waited for the end of the iteration.
func TestIPMCancelledInsideAnIteration(t *testing.T) {
	for _, kind := range []model.Model{model.Coupled, model.Decoupled} {
		for _, prec := range []Precision{PrecisionDouble, PrecisionMixed} {
			for _, qp := range []bool{false, true} {
				p := 30 // the LP near the threshold of d = 6
				if qp {
					p = 12 // the max-margin QP needs a storable instance
				}
				in, err := model.NewInstance(model.Random{D: 6, Seed: 2, Kind: kind}, p)
				if err != nil {
					t.Fatal(err)
				}
				solve := func(ctx context.Context) (*IPM, error) {
					s := NewIPM(in, Options{Precision: prec})
					var err error
					if qp {
						_, err = s.SolveMaxMargin(ctx)
					} else {
						_, err = s.Solve(ctx)
					}
					return s, err
				}
				all := newCancelAt(-1)
				if _, err := solve(all); err != nil {
					t.Fatalf("%v qp=%v: uncancelled solve: %v", kind, qp, err)
				}
				checks := all.calls.Load()
				if checks < 20 {
					t.Fatalf("%v qp=%v: %d checks in a whole solve; want checks inside the iterations", kind, qp, checks)
				}
				for at := int64(1); at <= checks; at += 1 + checks/60 {
					ctx := newCancelAt(at)
					s, err := solve(ctx)
					if !errors.Is(err, context.Canceled) {
						t.Fatalf("%v precision %d qp=%v, cancelled at check %d of %d: err %v, want context.Canceled", kind, prec, qp, at, checks, err)
					}
					if at == 2 && !qp && s.last.single+s.last.double > 0 {
						t.Errorf("%v precision %d: cancelled in the first formGram, the solve still factored (%d single, %d double)", kind, prec, s.last.single, s.last.double)
					}
				}
			}
		}
	}
}
