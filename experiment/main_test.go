package experiment

import (
	"os"
	"testing"

	"github.com/lamcap/lamcap/internal/testblas"
)

// TestMain runs the tests with one BLAS thread (testblas.Setup).
func TestMain(m *testing.M) {
	testblas.Setup()
	os.Exit(m.Run())
}
