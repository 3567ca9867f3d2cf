package feasibility

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// beyondDouble is lamcap's simplex registered under another name with a
// size limit (lp.Capabilities.MaxD) of d = 5 and a place among the
// fallbacks; it supports only instances of a sized source, so it joins no
// other test's chain. beyondMade counts the solvers made of it.
const methodBeyond lp.Method = "test-beyond"

type sized struct{ model.Random }

var (
	beyondMade     int
	registerBeyond sync.Once
)

func registerBeyondDouble(t *testing.T) {
	t.Helper()
	registerBeyond.Do(func() {
		err := lp.Register(methodBeyond, lp.Capabilities{
			New: func(in *model.Instance, opts lp.Options) lp.Solver {
				beyondMade++
				return lp.NewSimplex(in, opts)
			},
			Supports: func(in *model.Instance) error {
				if _, ok := in.Src.(sized); !ok {
					return errors.New("test double: not a sized instance")
				}
				return nil
			},
			Memory:   func(d, p, _ int64, _ lp.Rows) int64 { return d * d * p },
			Fallback: lp.FallbackSimplex + 2,
			MaxD:     5,
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// The simplex and HiGHS state the d they are meant for (their cold solves
// at d = 96 would take hours: only the memory check kept them away, and the
// simplex's 6.4 GB at d = 128 fits a 24 GiB budget); the interior-point
// method states none.
func TestSolverSizeLimits(t *testing.T) {
	for _, c := range []struct {
		m    lp.Method
		maxD int
	}{{lp.MethodSimplex, 64}, {lp.MethodHiGHS, 64}, {lp.MethodIPM, 0}} {
		caps, ok := c.m.Capabilities()
		if !ok || caps.MaxD != c.maxD {
			t.Errorf("%s: MaxD %d, want %d", c.m, caps.MaxD, c.maxD)
		}
		if err := caps.MeantFor(64); err != nil {
			t.Errorf("%s at d = 64: %v", c.m, err)
		}
		if err := caps.MeantFor(96); (err != nil) != (c.maxD > 0) {
			t.Errorf("%s at d = 96: %v", c.m, err)
		}
	}
}

// A fallback beyond the d it is meant for is refused by the chain before it
// is made, saying why; within it, it is made and solves.
func TestChainSkipsBeyondMaxD(t *testing.T) {
	registerBeyondDouble(t)
	ctx := context.Background()
	for _, d := range []int{6, 4} {
		in, err := model.NewInstance(sized{model.Random{D: d, Seed: 1}}, 6)
		if err != nil {
			t.Fatal(err)
		}
		chain := lp.NewSolver(in, lp.Options{Method: lp.MethodIPM})
		var in3 bool
		for _, st := range chain.Steps() {
			in3 = in3 || st.Method == methodBeyond
		}
		if !in3 {
			t.Fatalf("d = %d: the double is not in the chain %v", d, chain.Steps())
		}
		before := beyondMade
		sol, err := chain.Run(ctx, lp.Step{Method: methodBeyond})
		switch {
		case d > 5 && (err == nil || !strings.Contains(err.Error(), "test-beyond fallback is meant for d <= 5, not d = 6") || beyondMade != before):
			t.Errorf("d = %d: %v (%d made), want a refusal naming the limit, nothing made", d, err, beyondMade-before)
		case d <= 5 && (err != nil || sol == nil || beyondMade != before+1):
			t.Errorf("d = %d: %v (%d made), want a solve", d, err, beyondMade-before)
		}
	}
}

// confirm asks no solver beyond the d it is meant for, and the verdict says
// which it did not ask: a not-storable answer in doubt (its residual above
// ConfirmEps of its scale) at d = 6 stands with that note, or is undecided
// with it when a solver's t* was positive. At d = 4 the double is asked and
// its W (the instance is storable) wins.
func TestConfirmSkipsBeyondMaxD(t *testing.T) {
	registerBeyondDouble(t)
	saved := Solvers
	Solvers = []lp.Method{lp.MethodIPM, methodBeyond}
	t.Cleanup(func() { Solvers = saved })
	ctx := context.Background()
	for _, d := range []int{6, 4} {
		in, err := model.NewInstance(sized{model.Random{D: d, Seed: 1}}, 4)
		if err != nil {
			t.Fatal(err)
		}
		chain := lp.NewSolver(in, lp.Options{Method: lp.MethodIPM})
		attempt := func(sol *lp.Solution, err error) (Verdict, bool, error) {
			if err != nil {
				return Verdict{Status: Undecided, Note: err.Error()}, false, nil
			}
			v := Certify(sol, chain, DefaultEps)
			return v, v.Certified, nil
		}
		// A not-storable verdict of the IPM in doubt: residual 1e-8 of its scale.
		doubt := Verdict{Status: NotStorable, Certified: true, Solver: lp.MethodIPM,
			LambdaCheck: &lp.NotStorableCheck{OK: true, Residual: 1e-8, Scale: 1}}
		before := beyondMade
		v, err := confirm(ctx, chain, doubt, Verdict{}, attempt)
		if err != nil {
			t.Fatal(err)
		}
		const note = "not asked for a W: test-beyond (meant for d <= 5, not d = 6)"
		if d > 5 {
			if v.Status != NotStorable || !strings.Contains(v.Note, note) || beyondMade != before {
				t.Errorf("d = %d: %s, note %q, %d made; want not-storable noting %q, nothing made", d, v.Status, v.Note, beyondMade-before, note)
			}
			u, err := confirm(ctx, chain, doubt, Verdict{Status: Undecided, Margin: 1e-3}, attempt)
			if err != nil || u.Status != Undecided || !strings.Contains(u.Note, note) {
				t.Errorf("d = %d, t* > 0: %s, note %q, %v; want undecided noting %q", d, u.Status, u.Note, err, note)
			}
			continue
		}
		// The double is the simplex under another name: its solution says simplex.
		if v.Status != Storable || v.Disagreement == "" || beyondMade != before+1 {
			t.Errorf("d = %d: %s (%q), %d made; want the double's W", d, v.Status, v.Disagreement, beyondMade-before)
		}
	}
}
