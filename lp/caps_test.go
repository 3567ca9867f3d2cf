package lp_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// Options.TimeLimit bounds every solver and every step of its chain: each
// ends with an error wrapping ErrSolverWarning.
func TestOptionsTimeLimit(t *testing.T) {
	in, err := model.NewInstance(model.Random{D: 16, Seed: 1}, 60)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	opts := lp.Options{TimeLimit: 1e-9}
	for _, m := range []lp.Method{lp.MethodSimplex, lp.MethodIPM, lp.MethodHiGHS} {
		opts.Method = m
		c := lp.NewSolver(in, opts)
		for _, st := range c.Steps() {
			if _, err := c.Run(ctx, st); !errors.Is(err, lp.ErrSolverWarning) {
				t.Errorf("%s chain, step %s: want a time-limit error wrapping ErrSolverWarning, got %v", m, st, err)
			}
		}
	}
}

// The fallback chains follow from the capabilities alone: the first
// solver's own solve and retries, then the registered solvers with a higher
// Fallback (the simplex, then HiGHS with its two retries), those that do not
// support the instance left out.
func TestChainSteps(t *testing.T) {
	in, err := model.NewInstance(model.Random{D: 8, Seed: 1}, 20)
	if err != nil {
		t.Fatal(err)
	}
	voc, err := model.Vocabulary(8, model.Answers{Kind: model.Uniform})
	if err != nil {
		t.Fatal(err)
	}
	vin, err := model.NewInstance(model.Random{D: 8, Seed: 1, Kind: voc}, 4)
	if err != nil {
		t.Fatal(err)
	}
	hi := "highs, highs (retry 1), highs (retry 2)"
	for _, c := range []struct {
		in   *model.Instance
		m    lp.Method
		want string
	}{
		{in, lp.MethodIPM, "ipm, simplex, " + hi},
		{in, lp.MethodSimplex, "simplex, " + hi},
		{in, lp.MethodHiGHS, hi},
		{vin, lp.MethodSimplex, "simplex, " + hi},
	} {
		var got []string
		for _, st := range lp.NewSolver(c.in, lp.Options{Method: c.m}).Steps() {
			got = append(got, st.String())
		}
		if g := strings.Join(got, ", "); g != c.want {
			t.Errorf("%s chain: %s, want %s", c.m, g, c.want)
		}
	}
}

// A fallback that cannot fit in memory is refused before it allocates; the
// first solver, which its caller checked, is not.
func TestChainRefusesWhatCannotFit(t *testing.T) {
	t.Setenv("LAMCAP_MEMORY_LIMIT", "64KiB")
	in, _ := model.NewInstance(model.Random{D: 12, Seed: 1}, 40)
	c := lp.NewSolver(in, lp.Options{Method: lp.MethodIPM})
	steps := c.Steps()
	for _, st := range steps[1:] {
		if _, err := c.Run(context.Background(), st); err == nil || !strings.Contains(err.Error(), "fallback") {
			t.Errorf("step %s under a 64 KiB limit: %v", st, err)
		}
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

// TestQPChainMeantFor: the max-margin QP fallbacks skip a solver beyond the d
// it is meant for, as the LP chain does, but never the method the user chose.
func TestQPChainMeantFor(t *testing.T) {
	big := lp.SimplexMaxD + 1
	for _, c := range []struct {
		d    int
		m    lp.Method
		want []lp.Method
	}{
		{8, lp.MethodIPM, []lp.Method{lp.MethodIPM, lp.MethodSimplex}},
		{big, lp.MethodIPM, []lp.Method{lp.MethodIPM}},
		{big, lp.MethodSimplex, []lp.Method{lp.MethodSimplex, lp.MethodIPM}},
		{lp.SimplexMaxD, lp.MethodIPM, []lp.Method{lp.MethodIPM, lp.MethodSimplex}},
	} {
		if got := lp.QPChain(c.d, lp.Options{Method: c.m}); !slices.Equal(got, c.want) {
			t.Errorf("lp.QPChain(%d, %s) = %v, want %v", c.d, c.m, got, c.want)
		}
	}
}
