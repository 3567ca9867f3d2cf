package lp

import (
	"context"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/model"
)

// TestPolishAB solves one sign-only verdict per item of LAMCAP_POLISH_AB, a
// space-separated list of d:model:seed:p, with the accelerated dual polish
// (polishMix) and the plain one (IPM.plainPolish), back to back, and prints
// per solve its status, iterations, the polish's projections, the decoupled
// model's passes over the competitors, the certificate's checked residual
// and the CPU seconds (getrusage: comparable under load), and per arm the
// totals; LAMCAP_POLISH_TRACE=1 also prints each iteration's projections
// and polished residual. Diagnostics for issue 18; skipped without the
// variable.
func TestPolishAB(t *testing.T) {
	spec := os.Getenv("LAMCAP_POLISH_AB")
	if spec == "" {
		t.Skip("set LAMCAP_POLISH_AB='d:model:seed:p ...'")
	}
	type total struct {
		cpu          float64
		it, proj, ps int
	}
	totals := map[string]*total{}
	for _, item := range strings.Fields(spec) {
		in := scanInstance(t, item)
		for _, plain := range []bool{true, false} {
			s := NewIPM(in, Options{Stop: StopVerdict, Eps: DefaultEps})
			s.plainPolish = plain
			arm := "accel"
			if plain {
				arm = "plain"
			}
			if os.Getenv("LAMCAP_POLISH_TRACE") != "" {
				last := 0
				s.trace = func(r ipmTrace) {
					fmt.Printf("  it %d: t %.3e certres %.2g proj %d polish %.2g\n", r.it, r.t, r.certRes, r.proj-last, r.polish)
					last = r.proj
				}
			}
			r0 := decoupledReads.passes.Load()
			c0 := cpuUserSys()
			sol, err := s.Solve(context.Background())
			cpu := cpuUserSys() - c0
			if err != nil {
				fmt.Printf("polish %s [%s]: error %v\n", item, arm, err)
				continue
			}
			res := -1.0
			if len(sol.Lambda) > 0 && sol.T <= 0 {
				res = CheckNotStorable(in, NormaliseLambda(sol.Lambda), DefaultEps).Residual
			}
			key := strings.Split(item, ":")[1] + " [" + arm + "]"
			if totals[key] == nil {
				totals[key] = &total{}
			}
			tt := totals[key]
			passes := int(decoupledReads.passes.Load() - r0)
			tt.cpu += cpu
			tt.it += sol.Iterations
			tt.proj += s.last.polishSteps
			tt.ps += passes
			fmt.Printf("polish %s [%s] %s it=%d proj=%d passes=%d res=%.3g cpu=%.2fs\n", item, arm,
				strings.ReplaceAll(sol.Status, " ", "_"), sol.Iterations, s.last.polishSteps, passes, res, cpu)
		}
	}
	for k, tt := range totals {
		fmt.Printf("polish total %s: %d iterations, %d projections, %d passes, cpu %.2fs\n", k, tt.it, tt.proj, tt.ps, tt.cpu)
	}
}

// TestPolishMixFewerProjections checks the acceleration of the dual polish
// (polishMix) against the plain fixed-point iteration (IPM.plainPolish) on
// fixed instances just above the threshold (6% above theory's p_c), d = 12..24,
// both models, seeds 501-503: the two give the same verdict, every
// not-storable certificate of the accelerated one passes CheckNotStorable
// with a residual of at most 1e-10 (as a record saves it), and it takes at
// most 3/4 of the plain one's projections in all (measured: about half).
func TestPolishMixFewerProjections(t *testing.T) {
	pcs := map[int]float64{12: 40.0, 16: 61.65, 20: 86.87, 24: 115.47}
	var plainProj, mixProj, not, plainIt, mixIt int
	for _, d := range []int{12, 16, 20, 24} {
		for _, kind := range []model.Model{model.Coupled, model.Decoupled} {
			for seed := uint64(501); seed <= 503; seed++ {
				p := int(math.Round(1.06 * pcs[d]))
				in, err := model.NewInstance(model.Random{D: d, Seed: seed, Kind: kind}, p)
				if err != nil {
					t.Fatal(err)
				}
				var sols [2]*Solution
				for k, plain := range []bool{true, false} {
					s := NewIPM(in, Options{Stop: StopVerdict})
					s.plainPolish = plain
					if sols[k], err = s.Solve(context.Background()); err != nil {
						t.Fatalf("d=%d %v seed %d p=%d plain=%v: %v", d, kind, seed, p, plain, err)
					}
					if plain {
						plainProj += s.last.polishSteps
						plainIt += sols[k].Iterations
					} else {
						mixProj += s.last.polishSteps
						mixIt += sols[k].Iterations
					}
				}
				name := fmt.Sprintf("d=%d %v seed %d p=%d", d, kind, seed, p)
				st := [2]bool{CheckStorable(in, sols[0].W).OK, CheckStorable(in, sols[1].W).OK}
				if st[0] != st[1] {
					t.Errorf("%s: storable %v plain, %v accelerated", name, st[0], st[1])
				}
				if st[1] {
					continue
				}
				not++
				c := CheckNotStorable(in, NormaliseLambda(sols[1].Lambda), DefaultEps)
				if !c.OK || c.Residual > 1e-10 {
					t.Errorf("%s: accelerated certificate ok=%v residual %.3g, want <= 1e-10", name, c.OK, c.Residual)
				}
				if !CheckNotStorable(in, NormaliseLambda(sols[0].Lambda), DefaultEps).OK {
					t.Errorf("%s: the plain polish's certificate does not hold", name)
				}
			}
		}
	}
	t.Logf("%d not-storable verdicts; projections %d plain, %d accelerated; iterations %d plain, %d accelerated", not, plainProj, mixProj, plainIt, mixIt)
	if not < 12 {
		t.Errorf("only %d not-storable verdicts of 24: the set no longer tests the polish", not)
	}
	if 4*mixProj > 3*plainProj {
		t.Errorf("accelerated polish took %d projections, plain %d: want at most 3/4", mixProj, plainProj)
	}
}

// dataScale, the unit of ipmPolishGate, is about 1 for the Gaussian models
// (their vectors are N(0, I/d)) and grows with a user's data as the dual
// residuals do: inputs times 4 and targets times 8 (powers of two, so every
// product is exact) give 32 times the scale.
func TestPolishGateDataScale(t *testing.T) {
	for _, d := range []int{8, 16, 32} {
		for _, kind := range []model.Model{model.Coupled, model.Decoupled, vocabularyModel(t, 16)} {
			in, err := model.NewInstance(model.Random{D: d, Seed: 7, Kind: kind}, 3*d)
			if err != nil {
				t.Fatal(err)
			}
			// 3d^2 Gaussians a side: the mean square norm is within a few
			// percent of 1; the vocabulary's targets are its words.
			if sc := dataScale(in); math.Abs(sc-1) > 0.15 {
				t.Errorf("d=%d %v: data scale %.3f, want about 1", d, kind, sc)
			}
		}
	}
	in, err := model.NewInstance(model.Random{D: 8, Seed: 7}, 20)
	if err != nil {
		t.Fatal(err)
	}
	var x, y mat.Dense
	x.Scale(4, in.X)
	y.Scale(8, in.Y)
	src, err := model.NewMatrices(&x, &y)
	if err != nil {
		t.Fatal(err)
	}
	big, err := model.NewInstance(src, 20)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := dataScale(big), 32*dataScale(in); math.Abs(got-want) > 1e-12*want {
		t.Errorf("inputs times 4, targets times 8: data scale %.15g, want %.15g", got, want)
	}
	if s := NewIPM(big, Options{}); s.polishGate != ipmPolishGate*dataScale(big) {
		t.Errorf("the solver's polish gate %g, want %g", s.polishGate, ipmPolishGate*dataScale(big))
	}
}
