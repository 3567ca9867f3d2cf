package lp_test

import (
	"context"
	"errors"
	"math"
	"os"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/internal/linalg"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/lp/highs"
	"github.com/lamcap/lamcap/model"
	"github.com/lamcap/lamcap/theory"
)

// ipmCase is an instance at a given fraction of the predicted capacity.
type ipmCase struct {
	d, p int
	seed uint64
	kind model.Model
}

// ipmCases lists instances at 85%, 95%, 100% and 110% of the finite-size
// prediction, so that storable and not-storable instances, and instances right at
// their own threshold, all occur.
func ipmCases(t *testing.T, ds []int, seeds int) []ipmCase {
	var out []ipmCase
	for _, d := range ds {
		pc, err := theory.CriticalP(float64(d*d), 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []float64{0.85, 0.95, 1.0, 1.1} {
			for _, kind := range []model.Model{model.Coupled, model.Decoupled} {
				for s := 1; s <= seeds; s++ {
					out = append(out, ipmCase{d, max(2, int(math.Round(f*pc))), uint64(100*d + s), kind})
				}
			}
		}
	}
	return out
}

// The interior-point method's t* equals the simplex's to 1e-8 on 240 instances
// (d = 4..14), and HiGHS's on the smaller ones; its W or lambda passes the
// external certificate every time. With LAMCAP_CHECK_LARGE=1, another 72 at
// d = 16, 20, 24, against the simplex or, where it stalls, HiGHS.
func TestIPMMatchesSimplexAndHiGHS(t *testing.T) {
	ctx := context.Background()
	ds := []int{4, 5, 6, 7, 8, 9, 10, 11, 12, 14}
	if testing.Short() {
		ds = []int{4, 6, 8}
	}
	if os.Getenv("LAMCAP_CHECK_LARGE") != "" {
		ds = append(ds, 16, 20, 24)
	}
	var storable, not int
	for _, c := range ipmCases(t, ds, 3) {
		in, err := model.NewInstance(model.Random{D: c.d, Seed: c.seed, Kind: c.kind}, c.p)
		if err != nil {
			t.Fatal(err)
		}
		sol, err := lp.NewIPM(in, lp.Options{}).Solve(ctx)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		if sol.Solver != lp.MethodIPM {
			t.Fatalf("solution says solver %q", sol.Solver)
		}
		// The reference is the simplex; from d = 16 a cold simplex can stall
		// near the threshold (the reason the IPM is the default there), and
		// HiGHS is the reference where it does.
		refOpts := lp.Options{}
		if c.d > 14 {
			refOpts.TimeLimit = 60
		}
		ref, err := lp.NewSimplex(in, refOpts).Solve(ctx)
		if err != nil && c.d > 14 {
			t.Logf("%+v: simplex: %v; HiGHS is the reference", c, err)
			ref, err = highs.NewMarginSolver(in, lp.Options{}, highs.Settings{}).Solve(ctx)
		}
		if err != nil {
			t.Fatalf("%+v: reference: %v", c, err)
		}
		if math.Abs(sol.T-ref.T) > 1e-8 {
			t.Errorf("%+v: ipm t*=%.12g reference (%s) t*=%.12g", c, sol.T, ref.Solver, ref.T)
		}
		if c.d <= 8 {
			hi, err := highs.NewMarginSolver(in, lp.Options{}, highs.Settings{}).Solve(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(sol.T-hi.T) > 1e-8 {
				t.Errorf("%+v: ipm t*=%.12g HiGHS t*=%.12g", c, sol.T, hi.T)
			}
		}
		// Exactly one of the IPM's certificates holds, and it is the storable
		// one wherever the reference's t* is clearly positive (above the 1e-8
		// agreement tolerance). A reference t* of a few 1e-9 is as often
		// rounding noise of a not-storable instance as a tiny true margin.
		st, ns := lp.CheckStorable(in, sol.W), lp.CheckNotStorable(in, sol.Lambda, lp.DefaultEps)
		switch {
		case st.OK == ns.OK:
			t.Errorf("%+v: storable certificate %v (min slack %g), not-storable %v (%s)", c, st.OK, st.MinSlack, ns.OK, ns.Reason)
		case !st.OK && ref.T > 1e-8:
			t.Errorf("%+v: certified not storable, reference t*=%g", c, ref.T)
		case st.OK:
			storable++
		default:
			not++
		}
	}
	if storable == 0 || not == 0 {
		t.Fatalf("want both kinds of instance, have %d storable and %d not", storable, not)
	}
	t.Logf("%d storable and %d not-storable instances agree", storable, not)
}

// Early stops end at a certified iterate: StopVerdict's storable T is a lower
// bound on t*, StopNotStorable's not-storable answer needs no optimum.
func TestIPMEarlyStop(t *testing.T) {
	ctx := context.Background()
	for _, c := range ipmCases(t, []int{10, 12}, 2) {
		in, _ := model.NewInstance(model.Random{D: c.d, Seed: c.seed, Kind: c.kind}, c.p)
		full, err := lp.NewIPM(in, lp.Options{}).Solve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		early, err := lp.NewIPM(in, lp.Options{Stop: lp.StopVerdict}).Solve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if early.Iterations > full.Iterations {
			t.Errorf("%+v: early stop took %d iterations, the full solve %d", c, early.Iterations, full.Iterations)
		}
		if full.T > 1e-9 {
			if ck := lp.CheckStorable(in, early.W); !ck.OK || early.T > full.T+1e-12 || early.T <= 0 {
				t.Errorf("%+v: early storable answer t=%g (t*=%g) certificate %v", c, early.T, full.T, ck.OK)
			}
			half, _ := lp.NewIPM(in, lp.Options{Stop: lp.StopNotStorable}).Solve(ctx)
			if math.Abs(half.T-full.T) > 1e-9 {
				t.Errorf("%+v: StopNotStorable changed a storable t* from %g to %g", c, full.T, half.T)
			}
		} else if ck := lp.CheckNotStorable(in, early.Lambda, lp.DefaultEps); !ck.OK {
			t.Errorf("%+v: early not-storable certificate fails: %s", c, ck.Reason)
		}
	}
}

// The pure-Go BLAS and OpenBLAS give the interior-point method the same verdicts
// and the same t* up to rounding.
func TestIPMBackendsAgree(t *testing.T) {
	if len(linalg.Available()) < 2 {
		t.Skip("this binary has only the pure-Go BLAS")
	}
	defer linalg.Use(linalg.Current())
	ctx := context.Background()
	for _, c := range ipmCases(t, []int{8, 12, 16}, 1) {
		in, _ := model.NewInstance(model.Random{D: c.d, Seed: c.seed, Kind: c.kind}, c.p)
		var ts [2]float64
		var ok [2]bool
		for i, b := range []linalg.Backend{linalg.Gonum, linalg.OpenBLAS} {
			if err := linalg.Use(b); err != nil {
				t.Fatal(err)
			}
			sol, err := lp.NewIPM(in, lp.Options{}).Solve(ctx)
			if err != nil {
				t.Fatalf("%s %+v: %v", b, c, err)
			}
			ts[i] = sol.T
			ok[i] = lp.CheckStorable(in, sol.W).OK
			if !ok[i] && !lp.CheckNotStorable(in, sol.Lambda, lp.DefaultEps).OK {
				t.Fatalf("%s %+v: neither certificate holds", b, c)
			}
		}
		if ok[0] != ok[1] || math.Abs(ts[0]-ts[1]) > 1e-9 {
			t.Errorf("%+v: gonum (storable %v, t*=%.12g) and OpenBLAS (storable %v, t*=%.12g) disagree", c, ok[0], ts[0], ok[1], ts[1])
		}
	}
}

// The time limit and a cancelled context stop the interior-point method.
func TestIPMLimits(t *testing.T) {
	in, err := model.NewInstance(model.Random{D: 12, Seed: 1}, 40)
	if err != nil {
		t.Fatal(err)
	}
	_, err = lp.NewIPM(in, lp.Options{TimeLimit: 1e-9}).Solve(context.Background())
	if !errors.Is(err, lp.ErrSolverWarning) {
		t.Fatalf("want a time-limit error wrapping ErrSolverWarning, got %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := lp.NewIPM(in, lp.Options{}).Solve(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	var iters int
	if _, err := lp.NewIPM(in, lp.Options{Progress: func(it int, _, _ float64) { iters = it + 1 }}).Solve(context.Background()); err != nil || iters < 2 {
		t.Fatalf("progress saw %d iterations (err %v)", iters, err)
	}
}

// Rank-deficient and nearly duplicated user embeddings: the interior-point
// method answers with a certified solution, or fails cleanly with
// ErrIPMNumerics (the fallback chain in feasibility.Decide then takes over);
// rank-deficient inputs alone must not make it fail.
func TestIPMDegenerateEmbeddings(t *testing.T) {
	ctx := context.Background()
	const d, p = 8, 20
	base, _ := model.NewInstance(model.Random{D: d, Seed: 5}, p)
	for name, tweak := range map[string]func(x, y []float64, mu int){
		"rank 3 inputs": func(x, _ []float64, mu int) {
			for i := 3; i < d; i++ {
				x[i] = x[i%3] * float64(i)
			}
		},
		"near-duplicate targets": func(_, y []float64, mu int) {
			if mu%2 == 1 {
				for i := range y {
					y[i] = base.Y.At(mu-1, i) + 1e-9*float64(i)
				}
			}
		},
	} {
		x, y := base.X.RawMatrix().Data, base.Y.RawMatrix().Data
		xs, ys := append([]float64(nil), x...), append([]float64(nil), y...)
		for mu := 0; mu < p; mu++ {
			tweak(xs[mu*d:(mu+1)*d], ys[mu*d:(mu+1)*d], mu)
		}
		src, err := model.NewMatrices(matrix(p, d, xs), matrix(p, d, ys))
		if err != nil {
			t.Fatal(err)
		}
		in, _ := model.NewInstance(src, p)
		sol, err := lp.NewIPM(in, lp.Options{}).Solve(ctx)
		if err != nil {
			if !errors.Is(err, lp.ErrIPMNumerics) || name == "rank 3 inputs" {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		st, ns := lp.CheckStorable(in, sol.W), lp.CheckNotStorable(in, sol.Lambda, lp.DefaultEps)
		if !st.OK && !ns.OK {
			t.Errorf("%s: t*=%g and neither certificate holds (%s)", name, sol.T, ns.Reason)
		}
	}
}

func matrix(r, c int, data []float64) *mat.Dense { return mat.NewDense(r, c, data) }
