package lp_test

import (
	"context"
	"errors"
	"testing"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// Options.TimeLimit bounds every solver, each first attempt and its fallbacks,
// as Settings.TimeLimit did: each solve ends with an error wrapping
// ErrSolverWarning.
func TestOptionsTimeLimit(t *testing.T) {
	in, err := model.NewInstance(model.Random{D: 16, Seed: 1}, 60)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	opts := lp.Options{TimeLimit: 1e-9}
	for _, m := range []lp.Method{lp.MethodSimplex, lp.MethodIPM, lp.MethodHiGHS} {
		opts.Method = m
		s := lp.NewSolver(in, opts)
		if _, err := s.Solve(ctx); !errors.Is(err, lp.ErrSolverWarning) {
			t.Errorf("%s: want a time-limit error wrapping ErrSolverWarning, got %v", m, err)
		}
		// The first fallback of each chain is bounded too.
		if _, err := s.Retry(ctx, s.RetrySettings()[0]); !errors.Is(err, lp.ErrSolverWarning) {
			t.Errorf("%s: fallback: want a time-limit error wrapping ErrSolverWarning, got %v", m, err)
		}
	}
	if got := (lp.Options{TimeLimit: 3, Settings: lp.Settings{TimeLimit: 5}}).HiGHSSettings().TimeLimit; got != 3 {
		t.Errorf("HiGHS gets time limit %g, want Options.TimeLimit 3", got)
	}
	if got := (lp.Options{Settings: lp.Settings{TimeLimit: 5}}).HiGHSSettings().TimeLimit; got != 5 {
		t.Errorf("HiGHS gets time limit %g, want Settings.TimeLimit 5 when Options.TimeLimit is 0", got)
	}
}

// Auto's chain: the interior-point method from IPMFromD on, except for
// instances it does not support, which the simplex takes; the IPM states the
// sign-only stop and no warm growth, the simplex and HiGHS the reverse.
func TestAutoChainByCapabilities(t *testing.T) {
	if m := lp.Auto.For(lp.IPMFromD, lp.Implicit); m != lp.MethodIPM {
		t.Fatalf("Auto at d = %d is %s", lp.IPMFromD, m)
	}
	if m := lp.Auto.For(lp.IPMFromD-1, lp.Implicit); m != lp.MethodSimplex {
		t.Fatalf("Auto at d = %d is %s", lp.IPMFromD-1, m)
	}
	if m := lp.Auto.For(8, lp.Lifted); m != lp.MethodHiGHS {
		t.Fatalf("Auto with lifted rows is %s", m)
	}
	for _, c := range []struct {
		m              lp.Method
		warm, signOnly bool
	}{{lp.MethodSimplex, true, false}, {lp.MethodIPM, false, true}, {lp.MethodHiGHS, true, false}} {
		caps, ok := c.m.Capabilities()
		if !ok || caps.WarmGrowth != c.warm || caps.SignOnly != c.signOnly || caps.New == nil || caps.Memory == nil {
			t.Errorf("%s: capabilities %+v (registered %v)", c.m, caps, ok)
		}
	}
	if _, ok := lp.Auto.Capabilities(); ok {
		t.Error("Auto has capabilities: it is not a solver")
	}
}

// Resolve gives Auto's first choice for every model the interior-point method
// supports, the vocabulary model among them (its duals laid out per (mu,
// slot)): the IPM from IPMFromD on, the simplex below.
func TestResolveBySupport(t *testing.T) {
	voc, err := model.Vocabulary(8, model.Answers{Kind: model.Uniform})
	if err != nil {
		t.Fatal(err)
	}
	d := lp.IPMFromD
	for _, c := range []struct {
		src  model.Source
		want lp.Method
	}{
		{model.Random{D: d, Seed: 1}, lp.MethodIPM},
		{model.Random{D: d, Seed: 1, Kind: voc}, lp.MethodIPM},
		{model.Random{D: d - 1, Seed: 1, Kind: voc}, lp.MethodSimplex},
	} {
		in, err := model.NewInstance(c.src, 2)
		if err != nil {
			t.Fatal(err)
		}
		if got := lp.Resolve(in, lp.Options{}); got != c.want {
			t.Errorf("%v: Auto resolves to %s, want %s", c.src.Model(), got, c.want)
		}
		if got := lp.Resolve(in, lp.Options{Method: lp.MethodHiGHS}); got != lp.MethodHiGHS {
			t.Errorf("%v: an explicit method resolves to %s", c.src.Model(), got)
		}
	}
}
