package feasibility

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// coldDouble is a solver added only through lp.Register: it wraps lamcap's
// simplex but states that it cannot grow an instance warm, has no max-margin
// QP and no sign-only stop. Nothing else in lamcap names it, so the tests
// below show that a new solver needs only the interface and its capabilities.
type coldDouble struct {
	lp.Solver
	made *int
}

const methodColdDouble lp.Method = "test-cold-simplex"

var (
	coldMade     int
	registerCold sync.Once
)

// registerColdDouble registers coldDouble once for the package's tests.
func registerColdDouble(t *testing.T) {
	t.Helper()
	registerCold.Do(func() {
		err := lp.Register(methodColdDouble, lp.Capabilities{
			New: func(in *model.Instance, opts lp.Options) lp.Solver {
				coldMade++
				return coldDouble{Solver: lp.NewSimplex(in, opts), made: &coldMade}
			},
			Memory: func(d, p, _ int64, _ lp.Rows) int64 { return 7 * d * d * p },
			Work:   func(rows, _ int) string { return "test double" },
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// A registered solver is parsed by name, refused a second registration,
// estimated by its own Memory and reported by its own Work.
func TestRegisteredSolverCapabilities(t *testing.T) {
	registerColdDouble(t)
	if m, err := lp.ParseMethod(string(methodColdDouble)); err != nil || m != methodColdDouble {
		t.Fatalf("ParseMethod: %v, %v", m, err)
	}
	if err := lp.Register(methodColdDouble, lp.Capabilities{}); err == nil {
		t.Fatal("a second registration under the same name was accepted")
	}
	if err := lp.Register(lp.Auto, lp.Capabilities{}); err == nil {
		t.Fatal("registration under auto was accepted")
	}
	if _, err := lp.ParseMethod("no-such-solver"); err == nil || !strings.Contains(err.Error(), string(methodColdDouble)) {
		t.Fatalf("unknown-solver error does not list the registered solver: %v", err)
	}
	d, p := 10, 40
	base := lp.MemoryEstimate(d, p, model.Coupled, false, lp.Options{Method: lp.MethodHiGHS, Rows: lp.Dense})
	got := lp.MemoryEstimate(d, p, model.Coupled, false, lp.Options{Method: methodColdDouble})
	// Both share the instance's and score matrices' bytes, so the difference
	// is the double's estimate minus HiGHS's dense one, computed independently.
	per := int64(d*d + 1)
	rows := min(int64(p*(p-1)), 6*per+4*int64(p))
	highs := rows*per*64 + rows*64
	if want := base - highs + 7*int64(d*d*p); got != want {
		t.Fatalf("memory estimate %d, want %d from the double's Memory", got, want)
	}
	if w := methodColdDouble.Work(380, 1); w != "test double" {
		t.Fatalf("Work = %q", w)
	}
}

// A solver that states no WarmGrowth is searched by bracketing with a fresh
// solver per verdict, and finds the p* the warm simplex search finds; its
// verdicts are certified outside it as any other's, and the max-margin QP,
// which it lacks, falls to the others.
func TestColdDoubleThroughTheChain(t *testing.T) {
	registerColdDouble(t)
	ctx := context.Background()
	for seed := uint64(1); seed <= 3; seed++ {
		src := model.Random{D: 6, Seed: seed}
		ref, err := FindThreshold(ctx, src, ThresholdOptions{LP: lp.Options{Method: lp.MethodSimplex}})
		if err != nil {
			t.Fatal(err)
		}
		before := coldMade
		th, err := FindThreshold(ctx, src, ThresholdOptions{LP: lp.Options{Method: methodColdDouble}})
		if err != nil {
			t.Fatal(err)
		}
		if th.PStar != ref.PStar || th.PStar < 2 {
			t.Fatalf("seed %d: the double finds p* = %d, the simplex %d", seed, th.PStar, ref.PStar)
		}
		// The bracketing search makes one solver per verdict; the warm
		// search would make one per downward step and grow it.
		if made := coldMade - before; made != th.Solves {
			t.Fatalf("seed %d: %d solvers made for %d verdicts: not the cold search", seed, made, th.Solves)
		}
	}
	if got := lp.QPChain(6, lp.Options{Method: methodColdDouble}); len(got) != 2 || got[0] != lp.MethodSimplex || got[1] != lp.MethodIPM {
		t.Fatalf("QP chain of a solver without a QP: %v", got)
	}
	in, err := model.NewInstance(model.Random{D: 6, Seed: 1}, 10)
	if err != nil {
		t.Fatal(err)
	}
	mm, err := SolveMaxMargin(ctx, in, lp.Options{Method: methodColdDouble})
	if err != nil || !mm.Storable || !mm.Certified || len(mm.Methods) == 0 || mm.Methods[0] != lp.MethodSimplex {
		t.Fatalf("max margin through the double: %+v, %v", mm, err)
	}
	ref, err := SolveMaxMargin(ctx, in, lp.Options{Method: lp.MethodIPM})
	if err != nil || !ref.Certified || ref.Methods[0] != lp.MethodIPM {
		t.Fatalf("max margin through the interior-point QP: %+v, %v", ref, err)
	}
	// Two QPs, each certified to MaxMarginTolerance relative.
	if d := mm.Kappa - ref.Kappa; d > 2*MaxMarginTolerance*ref.Kappa || -d > 2*MaxMarginTolerance*ref.Kappa {
		t.Fatalf("kappa* %g through the double, %g through the interior-point QP", mm.Kappa, ref.Kappa)
	}
}

// betweenDouble is a fallback added only through lp.Register, with a place
// in the chains between the simplex and HiGHS (Fallback) and one retry of
// its own (Retries). It supports only instances of a marked source, so it
// joins no other test's chain, and it ignores the time limit (a fresh
// simplex without one). Its first fails attempts fail.
type betweenDouble struct {
	in            *model.Instance
	solves, tries *int
	fails         int
}

const methodBetween lp.Method = "test-between"

// marked is a random source the between double supports; fails is how many
// of the double's attempts fail.
type marked struct {
	model.Random
	fails int
}

var (
	betweenSolves, betweenTries int
	registerBetween             sync.Once
)

func (b betweenDouble) Instance() *model.Instance { return b.in }

func (b betweenDouble) Solve(ctx context.Context) (*lp.Solution, error) {
	*b.solves++
	return b.attempt(ctx, *b.solves)
}

func (b betweenDouble) Retry(ctx context.Context, k int) (*lp.Solution, error) {
	if k == 0 {
		return b.Solve(ctx)
	}
	*b.tries++
	return b.attempt(ctx, *b.solves+*b.tries)
}

func (b betweenDouble) attempt(ctx context.Context, n int) (*lp.Solution, error) {
	if n <= b.fails {
		return nil, fmt.Errorf("test double: attempt %d fails", n)
	}
	sol, err := lp.NewSimplex(b.in, lp.Options{}).Solve(ctx)
	if sol != nil {
		sol.Solver = methodBetween
	}
	return sol, err
}

func registerBetweenDouble(t *testing.T) {
	t.Helper()
	registerBetween.Do(func() {
		err := lp.Register(methodBetween, lp.Capabilities{
			New: func(in *model.Instance, _ lp.Options) lp.Solver {
				return betweenDouble{in: in, solves: &betweenSolves, tries: &betweenTries, fails: in.Src.(marked).fails}
			},
			Supports: func(in *model.Instance) error {
				if _, ok := in.Src.(marked); !ok {
					return errors.New("test double: unmarked instance")
				}
				return nil
			},
			Memory:   func(d, p, _ int64, _ lp.Rows) int64 { return d * d * p },
			Retries:  1,
			Fallback: lp.FallbackSimplex + 1,
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// The fallback chain is built from the capabilities: a solver registered
// between the simplex and HiGHS is tried between them, its retry right
// after its own solve, and each failure falls to the next step. The simplex
// fails here by its time limit, which HiGHS honours too.
func TestChainOrderWithDouble(t *testing.T) {
	registerBetweenDouble(t)
	ctx := context.Background()
	opts := lp.Options{Method: lp.MethodSimplex, TimeLimit: 1e-9}
	for _, c := range []struct {
		fails, attempts int
		status          Status
		solver          lp.Method
	}{
		{0, 2, Storable, methodBetween},   // simplex fails; the double's solve certifies
		{1, 3, Storable, methodBetween},   // its solve fails too; its retry certifies
		{2, 6, Undecided, lp.MethodHiGHS}, // both fail; so do HiGHS's three steps
	} {
		betweenSolves, betweenTries = 0, 0
		in, err := model.NewInstance(marked{model.Random{D: 6, Seed: 1}, c.fails}, 10)
		if err != nil {
			t.Fatal(err)
		}
		chain := lp.NewSolver(in, opts)
		var got []string
		for _, st := range chain.Steps() {
			got = append(got, st.String())
		}
		want := "simplex, test-between, test-between (retry 1), highs, highs (retry 1), highs (retry 2)"
		if g := strings.Join(got, ", "); g != want {
			t.Fatalf("chain %s, want %s", g, want)
		}
		v, err := Decide(ctx, chain, DefaultEps)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != c.status || v.Attempts != c.attempts || betweenSolves != 1 || betweenTries != min(c.fails, 1) {
			t.Errorf("%d failures: %s after %d attempts (double: %d solves, %d retries), want %s after %d (%s)",
				c.fails, v.Status, v.Attempts, betweenSolves, betweenTries, c.status, c.attempts, v.Note)
		}
		if v.Certified && v.Solver != c.solver {
			t.Errorf("%d failures: certified by %s, want %s", c.fails, v.Solver, c.solver)
		}
	}
	// Unmarked instances do not have the double in their chain.
	in, _ := model.NewInstance(model.Random{D: 6, Seed: 1}, 10)
	for _, st := range lp.NewSolver(in, opts).Steps() {
		if st.Method == methodBetween {
			t.Fatal("the double joined the chain of an instance it does not support")
		}
	}
}
