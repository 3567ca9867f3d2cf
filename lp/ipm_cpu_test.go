package lp

import (
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuSeconds is the user CPU time of this process so far (all its threads,
// OpenBLAS's included).
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return time.Duration(ru.Utime.Nano()).Seconds()
}

// TestIPMCPU runs one sign-only verdict per item of LAMCAP_IPM_CPU, a
// space-separated list of d:model:seed:p (model coupled or decoupled), and
// prints for each its status, iterations, conjugate-gradient steps,
// projections, checked residual, and the user CPU seconds of the instance's
// construction and of the solve (getrusage: load-independent where wall time
// is not; run with LAMCAP_BLAS_THREADS=1 so that the seconds compare).
// LAMCAP_IPM_CORRECTORS, if set, limits Gondzio's correctors per iteration
// (negative: none). Diagnostics for issue 18; skipped without the variable.
func TestIPMCPU(t *testing.T) {
	spec := os.Getenv("LAMCAP_IPM_CPU")
	if spec == "" {
		t.Skip("set LAMCAP_IPM_CPU='d:model:seed:p ...'")
	}
	var build, solve float64
	var iters int
	for _, item := range strings.Fields(spec) {
		c0 := cpuSeconds()
		in := scanInstance(t, item)
		c1 := cpuSeconds()
		s := NewIPM(in, Options{Stop: StopVerdict, Eps: DefaultEps})
		s.correctors, _ = strconv.Atoi(os.Getenv("LAMCAP_IPM_CORRECTORS"))
		sol, err := s.Solve(context.Background())
		c2 := cpuSeconds()
		if err != nil {
			fmt.Printf("cpu %s: error %v\n", item, err)
			continue
		}
		res := math.NaN()
		if c := CheckNotStorable(in, NormaliseLambda(sol.Lambda), DefaultEps); c.OK {
			res = c.Residual
		}
		build += c1 - c0
		solve += c2 - c1
		iters += sol.Iterations
		fmt.Printf("cpu %s %s it=%d pcg=%d proj=%d res=%.3g build=%.2fs solve=%.2fs (%.3fs/it)\n",
			item, strings.ReplaceAll(sol.Status, " ", "_"), sol.Iterations, s.last.pcgSteps, s.last.polishSteps, res, c1-c0, c2-c1, (c2-c1)/float64(sol.Iterations))
	}
	fmt.Printf("cpu total: %d iterations, build %.2fs, solve %.2fs user CPU\n", iters, build, solve)
}
