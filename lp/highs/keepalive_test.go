package highs

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// Many small solves while the garbage collector runs without pause: the
// binding's Solve reads the solution through a C handle after its last use of
// the model, so without runSolve keeping the model alive a collection in
// between destroyed the HiGHS object under the read (a SIGSEGV in the lp
// tests under load). A crash here is that use after free; without the fix
// this test crashed 1 run in 6 on the 2-core machine (it is a guard that
// catches the bug often, not a proof of its absence).
func TestSolvesSurviveGarbageCollection(t *testing.T) {
	var stop atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		for !stop.Load() {
			runtime.GC()
		}
	}()
	defer func() { stop.Store(true); <-done }()
	for seed := uint64(1); seed <= 600; seed++ {
		in, err := model.NewInstance(model.Random{D: 3, Seed: seed}, 4)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := SolveFeasibility(context.Background(), in, lp.Options{}, Settings{}); err != nil {
			t.Fatal(err)
		}
	}
}
