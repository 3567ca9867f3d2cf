package lp

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestPolishAB solves one sign-only verdict per item of LAMCAP_POLISH_AB, a
// space-separated list of d:model:seed:p, with the accelerated dual polish
// (polishMix) and the plain one (IPM.plainPolish), back to back, and prints
// per solve its status, iterations, the polish's projections, the decoupled
// model's passes over the competitors, the certificate's checked residual
// and the CPU seconds (getrusage: comparable under load), and per arm the
// totals. Diagnostics for issue 18; skipped without the variable.
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
