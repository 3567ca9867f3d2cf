package lp

import (
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDecoupledAB solves one sign-only verdict per item of LAMCAP_DEC_AB, a
// space-separated list of d:model:seed:p, once per setting of LAMCAP_DEC_ARMS
// (space-separated arms, each a comma-separated list of the knobs of
// decoupledKnobs, "-" for none; default "- applygram"), the arms of one item
// back to back, and prints per solve its status, iterations, conjugate-
// gradient steps, the dual polish's projections, the single-precision Gram
// products, the passes over the competitors and what else they read
// (decoupledReads), and the CPU seconds
// (user + system, getrusage: comparable under load where wall time is not)
// and wall seconds of the solve with where the wall time went (ipmWall: on
// an idle machine, with the BLAS's threads, it shows which phases run on
// fewer cores than the coupled model's), and per arm the totals. Diagnostics for the
// A/B of the decoupled model's products (issue 18); LAMCAP_DEC_TRACE=1 also
// prints each iteration's passes and projections. Skipped without the
// variable.
func TestDecoupledAB(t *testing.T) {
	spec := os.Getenv("LAMCAP_DEC_AB")
	if spec == "" {
		t.Skip("set LAMCAP_DEC_AB='d:model:seed:p ...'")
	}
	arms := strings.Fields(os.Getenv("LAMCAP_DEC_ARMS"))
	if len(arms) == 0 {
		arms = []string{"-", "applygram"}
	}
	type total struct {
		cpu, wall float64
		it, pcg   int
	}
	totals := make(map[string]*total)
	for _, item := range strings.Fields(spec) {
		in := scanInstance(t, item)
		for _, arm := range arms {
			s := NewIPM(in, Options{Stop: StopVerdict, Eps: DefaultEps})
			decoupledKnobs(t, s, arm)
			r0, g0, q0 := decoupledReads.passes.Load(), decoupledReads.gram.Load(), decoupledReads.rows.Load()
			if os.Getenv("LAMCAP_DEC_TRACE") != "" {
				last, lastProj := r0, 0
				s.trace = func(r ipmTrace) {
					now := decoupledReads.passes.Load()
					fmt.Printf("  it %d: t %.3e passes %d proj %d pcg %d step %.3f sigma %.2g certres %.2g polish %.2g\n", r.it, r.t, now-last, r.proj-lastProj, r.pcg, math.Min(r.ap, r.ad), r.sigma, r.certRes, r.polish)
					last, lastProj = now, r.proj
				}
			}
			c0, w0 := cpuUserSys(), time.Now()
			sol, err := s.Solve(context.Background())
			cpu, wall := cpuUserSys()-c0, time.Since(w0).Seconds()
			if err != nil {
				fmt.Printf("ab %s [%s]: error %v\n", item, arm, err)
				continue
			}
			m := strings.Split(item, ":")[1]
			key := m + " [" + arm + "]"
			if totals[key] == nil {
				totals[key] = &total{}
			}
			tt := totals[key]
			tt.cpu += cpu
			tt.wall += wall
			tt.it += sol.Iterations
			tt.pcg += s.last.pcgSteps
			fmt.Printf("ab %s [%s] %s it=%d pcg=%d proj=%d gram32=%d double=%d passes=%d gram=%d rows=%d cpu=%.2fs wall=%.2fs\n",
				item, arm, strings.ReplaceAll(sol.Status, " ", "_"), sol.Iterations, s.last.pcgSteps, s.last.polishSteps, s.last.gram32, s.last.double,
				decoupledReads.passes.Load()-r0, decoupledReads.gram.Load()-g0, decoupledReads.rows.Load()-q0, cpu, wall)
			w := s.last.wall
			fmt.Printf("   wall s: formGram %.2f, factor %.2f (with formGram), check %.2f, polish %.2f, directions %.2f, probe %.2f, rest %.2f\n",
				w.formGram.Seconds(), w.factor.Seconds(), w.check.Seconds(), w.polish.Seconds(), w.direction.Seconds(), w.probe.Seconds(),
				wall-(w.factor+w.check+w.polish+w.direction+w.probe).Seconds())
		}
	}
	for k, tt := range totals {
		fmt.Printf("ab total %s: %d iterations, %d CG steps, cpu %.2fs, wall %.2fs\n", k, tt.it, tt.pcg, tt.cpu, tt.wall)
	}
}

// decoupledKnobs sets the diagnostic settings named in arm (comma-separated,
// "-" for none) on s: applygram (IPM.applyGram), nogram32 (IPM.noGram32),
// polishalways (IPM.polishAlways), corr=N (IPM.correctors).
func decoupledKnobs(t *testing.T, s *IPM, arm string) {
	t.Helper()
	if arm == "-" {
		return
	}
	for _, kv := range strings.Split(arm, ",") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "corr":
			n, err := strconv.Atoi(v)
			if err != nil {
				t.Fatalf("LAMCAP_DEC_ARMS: %q: %v", kv, err)
			}
			s.correctors = n
		case "applygram":
			s.applyGram = true
		case "nogram32":
			s.noGram32 = true
		case "polishalways":
			s.polishAlways = true
		default:
			t.Fatalf("LAMCAP_DEC_ARMS: unknown knob %q", k)
		}
	}
}
