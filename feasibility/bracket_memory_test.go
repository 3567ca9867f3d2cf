package feasibility

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/lamcap/lamcap/internal/memlimit"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// TestBracketChecksMemory: a resumed bracketing search whose Known claims
// many verdicts on the storable side steps by 2^30 prior widths (to p of
// about 3e9 at d = 8, hundreds of GB); it must refuse that p against the
// memory budget, with a *memlimit.TooLarge error, before building the
// instance (it used to die with Go's out-of-memory trace). The same search
// from the genuine count (one verdict) goes on and certifies p*.
func TestBracketChecksMemory(t *testing.T) {
	t.Setenv(memlimit.EnvVar, "1GiB")
	ctx := context.Background()
	src := model.Random{D: 8, Seed: 1, Kind: model.Coupled}
	opts := lp.Options{Method: lp.MethodIPM}
	in, err := model.NewInstance(src, 10)
	if err != nil {
		t.Fatal(err)
	}
	v, err := Decide(ctx, lp.NewSolver(in, opts), DefaultEps)
	if err != nil || v.Status != Storable {
		t.Fatalf("d=8 p=10: %v %v, want storable", v.Status, err)
	}
	var tried []int
	kn := Known{Lower: 10, AtLower: &v, Solves: 40}
	_, err = FindThreshold(ctx, src, ThresholdOptions{LP: opts, Known: kn, OnVerdict: func(p int, _ Verdict) { tried = append(tried, p) }})
	if tl := new(memlimit.TooLarge); !errors.As(err, &tl) {
		t.Fatalf("resumed with 40 verdicts claimed: %v, want a *memlimit.TooLarge", err)
	}
	if len(tried) != 0 {
		t.Errorf("decided p = %v before refusing", tried)
	}
	kn.Solves = 1
	th, err := FindThreshold(ctx, src, ThresholdOptions{LP: opts, Known: kn})
	if err != nil || !th.Certified || th.PStar < 10 {
		t.Errorf("resumed with 1 verdict: p* %d certified %v, %v", th.PStar, th.Certified, err)
	}
}

// TestHeldInstanceCountsInMemory: a verdict decided on a prefix of a larger
// instance the search keeps is checked with the kept instance at its own
// size: a decoupled instance of p = 400 at d = 32 holds 38.6 MB of
// competitors and vectors that the prefix of p = 100 does not, so a budget
// between the two needs refuses the verdict when the larger one is held.
func TestHeldInstanceCountsInMemory(t *testing.T) {
	src := model.Random{D: 32, Seed: 1, Kind: model.Decoupled}
	opts := lp.Options{Method: lp.MethodIPM}
	alone := lp.MemoryEstimate(32, 100, model.Decoupled, false, opts)
	extra := model.MemoryBytes(32, 400, model.Decoupled) - model.MemoryBytes(32, 100, model.Decoupled)
	// (400^2 - 100^2) competitors and 2 (400 - 100) inputs and targets of
	// 32 doubles.
	if want := int64((400*400-100*100)*32*8 + 2*300*32*8); extra != want {
		t.Fatalf("the held instance's extra bytes: %d, want %d", extra, want)
	}
	t.Setenv(memlimit.EnvVar, fmt.Sprint(alone+extra/2))
	if err := checkHeldVerdictMemory(src, 100, 0, opts); err != nil {
		t.Errorf("nothing held: %v", err)
	}
	if err := checkHeldVerdictMemory(src, 100, 50, opts); err != nil {
		t.Errorf("a smaller instance held (the verdict grows it): %v", err)
	}
	if tl := new(memlimit.TooLarge); !errors.As(checkHeldVerdictMemory(src, 100, 400, opts), &tl) {
		t.Errorf("p = 400 held for a verdict at p = 100 within %d bytes: want a *memlimit.TooLarge", alone+extra/2)
	}
}
