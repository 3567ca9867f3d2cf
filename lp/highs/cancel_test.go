package highs

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// A cancelled context ends a HiGHS solve that is still running (issue 19:
// near-degenerate user data made one solve run for minutes, deaf to Ctrl-C and
// SIGTERM). The full LP at d = 8, p = 30 (near its threshold) takes HiGHS
// about a CPU-second (2.8 s at load 12); the context is cancelled 20 ms
// after the call begins, and the call must return the context's error, not
// the solve's status (before the fix it ran to the end and returned that).
func TestSolveCancelledMidway(t *testing.T) {
	in, err := model.NewInstance(model.Random{D: 8, Seed: 1}, 30)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	t0 := time.Now()
	res, err := SolveFeasibility(ctx, in, lp.Options{}, Settings{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled 20 ms in: got %+v, %v after %v, want context.Canceled", res, err, time.Since(t0))
	}
}
