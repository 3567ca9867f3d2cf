package validation

import (
	"os"
	"testing"

	"github.com/lamcap/lamcap/internal/testblas"
)

// TestMain runs the tests with one BLAS thread (testblas.Setup: a second one
// only busy-waits on these sizes).
func TestMain(m *testing.M) {
	testblas.Setup()
	os.Exit(m.Run())
}
