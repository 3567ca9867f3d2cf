package lp_test

import (
	"os"
	"testing"

	"github.com/lamcap/lamcap/internal/testblas"
)

// TestMain runs the tests with one BLAS thread (testblas.Setup: a second one
// only busy-waits on these sizes). No test here asserts a count or a value
// that the thread count changes: the package's tests passed, with the same
// logged iteration counts and values, with LAMCAP_BLAS_THREADS=1 and =2.
func TestMain(m *testing.M) {
	testblas.Setup()
	os.Exit(m.Run())
}
