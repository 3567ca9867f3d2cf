package feasibility

import (
	"flag"
	"os"
	"testing"

	"github.com/lamcap/lamcap/internal/linalg"
)

// TestMain runs the tests with one BLAS thread unless LAMCAP_BLAS_THREADS says
// otherwise or benchmarks run. The instances here are small: a second
// OpenBLAS thread speeds none of them up, but it busy-waits between calls,
// and under go test ./... (two packages at once on two cores) that spinning
// cost 28 CPU-seconds of this package's 74 (issue #19). Every verdict is
// certified outside the solver, so the thread count changes no assertion;
// LAMCAP_BLAS_THREADS=2 go test ./feasibility runs the multithreaded paths.
func TestMain(m *testing.M) {
	flag.Parse()
	if os.Getenv("LAMCAP_BLAS_THREADS") == "" && flag.Lookup("test.bench").Value.String() == "" {
		linalg.SetThreads(1)
	}
	os.Exit(m.Run())
}
