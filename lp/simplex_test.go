package lp_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/lp/highs"
	"github.com/lamcap/lamcap/model"
)

// The implicit-pricing simplex and HiGHS constraint generation solve the same LP:
// their optimal margins agree, and each answer carries a certificate that holds.
func TestSimplexMatchesHiGHS(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct{ d, p int }{{4, 8}, {4, 12}, {6, 14}, {6, 22}, {8, 26}, {8, 34}, {10, 40}} {
		for _, kind := range []model.Model{model.Coupled, model.Decoupled} {
			for seed := uint64(1); seed <= 3; seed++ {
				in, err := model.NewInstance(model.Random{D: c.d, Seed: seed, Kind: kind}, c.p)
				if err != nil {
					t.Fatal(err)
				}
				ref, err := highs.NewMarginSolver(in, lp.Options{}, highs.Settings{}).Solve(ctx)
				if err != nil {
					t.Fatal(err)
				}
				sol, err := lp.NewSimplex(in, lp.Options{}).Solve(ctx)
				if err != nil {
					t.Fatalf("d=%d p=%d %v seed %d: %v", c.d, c.p, kind, seed, err)
				}
				if math.Abs(sol.T-ref.T) > 1e-7 {
					t.Errorf("d=%d p=%d %v seed %d: simplex t*=%.10g, HiGHS t*=%.10g", c.d, c.p, kind, seed, sol.T, ref.T)
				}
				if ref.T > 1e-6 {
					if ck := lp.CheckStorable(in, sol.W); !ck.OK {
						t.Errorf("d=%d p=%d seed %d: storable certificate fails (min margin %g)", c.d, c.p, seed, ck.MinMargin)
					}
				} else if ck := lp.CheckNotStorable(in, sol.Lambda, 1e-6); !ck.OK {
					t.Errorf("d=%d p=%d seed %d: not-storable certificate fails: %s", c.d, c.p, seed, ck.Reason)
				}
				t.Logf("d=%d p=%d %v seed %d: t*=%.6f iterations simplex %d HiGHS %d", c.d, c.p, kind, seed, sol.T, sol.Iterations, ref.Iterations)
			}
		}
	}
}

// Options.TimeLimit bounds the simplex as it bounds HiGHS: the solve ends with an
// error wrapping ErrSolverWarning, which Decide turns into a retry or undecided.
func TestSimplexTimeLimit(t *testing.T) {
	in, err := model.NewInstance(model.Random{D: 16, Seed: 1}, 60)
	if err != nil {
		t.Fatal(err)
	}
	_, err = lp.NewSimplex(in, lp.Options{TimeLimit: 1e-9}).Solve(context.Background())
	if !errors.Is(err, lp.ErrSolverWarning) {
		t.Fatalf("want a time-limit error wrapping ErrSolverWarning, got %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := lp.NewSimplex(in, lp.Options{}).Solve(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}

// The simplex's iteration cap is MaxRounds * SimplexIterationsPerRound, and
// reaching it is reported as such (wrapping ErrSimplexNumerics, so the chain
// falls to HiGHS), never a silent stop. d = 10, p = 32, seed 1 takes 310
// iterations; a cap of 100 stops it, the default cap does not.
func TestSimplexIterationCap(t *testing.T) {
	in, err := model.NewInstance(model.Random{D: 10, Seed: 1}, 32)
	if err != nil {
		t.Fatal(err)
	}
	_, err = lp.NewSimplex(in, lp.Options{MaxRounds: 1}).Solve(context.Background())
	if !errors.Is(err, lp.ErrSimplexIterationCap) || !errors.Is(err, lp.ErrSimplexNumerics) {
		t.Fatalf("MaxRounds 1: want an error wrapping ErrSimplexIterationCap and ErrSimplexNumerics, got %v", err)
	}
	if !strings.Contains(err.Error(), "after 100 iterations") {
		t.Errorf("error %q does not say where it stopped (100 iterations)", err)
	}
	sol, err := lp.NewSimplex(in, lp.Options{}).Solve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if sol.Iterations <= lp.SimplexIterationsPerRound {
		t.Errorf("the instance took %d iterations, not more than the cap of 100 the test relies on", sol.Iterations)
	}
}
