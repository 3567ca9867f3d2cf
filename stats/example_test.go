package stats_test

import (
	"fmt"
	"math"

	"github.com/lamcap/lamcap/stats"
)

// Fit a gap that may tend to a nonzero limit, a + b/d, and read the marginal
// errors and the correlation of its parameters from the full covariance.
func ExampleFitLinear() {
	d := []float64{8, 16, 32, 64}
	y := []float64{0.045, 0.031, 0.024, 0.020}
	se := []float64{0.004, 0.002, 0.002, 0.002}
	one := func(float64) float64 { return 1 }
	inv := func(x float64) float64 { return 1 / x }
	f, err := stats.FitLinear("a + b / d", []string{"a", "b"}, d, y, se, one, inv)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("a = %.4f +- %.4f, b = %.3f +- %.3f, corr %.2f\n", f.Params[0], f.SE[0], f.Params[1], f.SE[1], f.Corr(0, 1))
	fmt.Printf("chi2 = %.2f on %d, p = %.2f; at d = 128: %.4f +- %.4f\n", f.Chi2, f.DoF, f.PValue, f.At(128), f.SEAt(128))
	// Output:
	// a = 0.0166 +- 0.0019, b = 0.229 +- 0.037, corr -0.82
	// chi2 = 0.03 on 2, p = 0.99; at d = 128: 0.0184 +- 0.0017
}

// Holm's correction of four p-values: only the smallest survives at 5%.
func ExampleHolm() {
	for _, p := range stats.Holm([]float64{0.013, 0.001, 0.2, 0.04}) {
		fmt.Printf("%.3f ", math.Min(p, 1))
	}
	fmt.Println()
	// Output:
	// 0.039 0.004 0.200 0.080
}
