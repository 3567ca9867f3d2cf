package feasibility

import (
	"os"
	"testing"

	"github.com/lamcap/lamcap/internal/testblas"
)

// TestMain runs the tests with one BLAS thread (testblas.Setup: a second one
// only busy-waits on these sizes; it cost 28 of this package's 74 CPU-seconds).
func TestMain(m *testing.M) {
	testblas.Setup()
	os.Exit(m.Run())
}
