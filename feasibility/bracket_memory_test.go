package feasibility

import (
	"context"
	"errors"
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
