// Package testblas sets how many BLAS threads a package's tests use.
//
// The instances of the test suites are small: a second OpenBLAS thread speeds
// none of them up, but it busy-waits between calls, and under go test ./...
// (two packages at once on two cores) that spinning was a third of the
// feasibility tests' CPU (issue #19: make test must stay under 10
// CPU-minutes on a busy 2-core machine). Every verdict is certified outside
// the solver, so the thread count changes no assertion.
package testblas

import (
	"flag"
	"os"
	"strconv"

	"github.com/lamcap/lamcap/internal/linalg"
)

// Setup, called from a TestMain before m.Run, gives the BLAS one thread,
// or LAMCAP_BLAS_THREADS of them when that is set (LAMCAP_BLAS_THREADS=2
// runs the multithreaded paths), and leaves the default when benchmarks run,
// which time the machine as users run it.
func Setup() {
	// The kernels this CPU supports, as the lamcap command loads them
	// (linalg.ReexecForCore: the test binary starts again once).
	_ = linalg.ReexecForCore()
	if !flag.Parsed() {
		flag.Parse()
	}
	if n, err := strconv.Atoi(os.Getenv("LAMCAP_BLAS_THREADS")); err == nil {
		linalg.SetThreads(n)
		return
	}
	if f := flag.Lookup("test.bench"); f != nil && f.Value.String() != "" {
		return
	}
	linalg.SetThreads(1)
}
