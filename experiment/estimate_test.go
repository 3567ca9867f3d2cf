package experiment

import (
	"math"
	"testing"
)

// EstimateThreshold is mean p* + 1/2 with a Student t interval, checked
// against closed forms: at n = 2 the t law has one degree of freedom (the
// Cauchy law, quantile tan(0.475 pi), two-sided p-value 1 - 2 atan(|z|) /
// pi); at n = 4, three, whose 97.5% quantile is 3.182446305284263 (tables).
func TestEstimateThreshold(t *testing.T) {
	// n = 4: mean 22, sample sd sqrt(14/3), SE sqrt(14/3) / 2.
	e := EstimateThreshold([]float64{20, 21, 22, 25})
	se := math.Sqrt(14.0/3) / 2
	h := 3.182446305284263 * se
	if e.N != 4 || e.Mean != 22 || math.Abs(e.MeanSE-se) > 1e-12 || e.Value != 22.5 || !e.Tested ||
		math.Abs(e.CI.Lo-(22.5-h)) > 1e-9 || math.Abs(e.CI.Hi-(22.5+h)) > 1e-9 {
		t.Fatalf("%+v, want value 22.5, SE %g, interval 22.5 +- %g", e, se, h)
	}
	dev, ci := e.Deviation(20)
	if math.Abs(dev-0.125) > 1e-12 || math.Abs(ci.Lo-(2.5-h)/20) > 1e-9 || math.Abs(ci.Hi-(2.5+h)/20) > 1e-9 {
		t.Errorf("deviation from 20: %g %v, want 0.125 +- %g", dev, ci, h/20)
	}
	// The median of these p* is 21.5: a deviation taken from it would be
	// -2.3% from 22, where mean + 1/2 is +2.3%.
	if dev, _ := e.Deviation(22); math.Abs(dev-0.5/22) > 1e-12 {
		t.Errorf("deviation from 22: %g, want %g", dev, 0.5/22)
	}

	// n = 2: mean 11, SE 1.
	e = EstimateThreshold([]float64{10, 12})
	q := math.Tan(0.475 * math.Pi)
	if e.Value != 11.5 || math.Abs(e.MeanSE-1) > 1e-12 || math.Abs(e.CI.Lo-(11.5-q)) > 1e-9 || math.Abs(e.CI.Hi-(11.5+q)) > 1e-9 {
		t.Errorf("n = 2: %+v, want 11.5 +- %g", e, q)
	}
	z, p := e.Z(10)
	if math.Abs(z-1.5) > 1e-12 || math.Abs(p-(1-2*math.Atan(1.5)/math.Pi)) > 1e-9 {
		t.Errorf("n = 2: z = %g, p = %g; want 1.5, %g", z, p, 1-2*math.Atan(1.5)/math.Pi)
	}

	// No spread: one p*, or all equal: the point itself, untested.
	for _, ps := range [][]float64{{7}, {7, 7, 7}} {
		e := EstimateThreshold(ps)
		if e.Tested || e.Value != 7.5 || e.MeanSE != 0 || e.CI.Lo != 7.5 || e.CI.Hi != 7.5 {
			t.Errorf("%v: %+v, want 7.5 untested", ps, e)
		}
		if z, p := e.Z(7); z != 0 || p != 1 {
			t.Errorf("%v: z = %g, p = %g, want 0 and 1 untested", ps, z, p)
		}
	}
	// Nothing certified, or no theory: no deviation.
	if e := EstimateThreshold(nil); e.N != 0 || e.Value != 0 {
		t.Errorf("empty: %+v", e)
	} else if dev, _ := e.Deviation(10); dev != 0 {
		t.Errorf("empty: deviation %g", dev)
	}
	if dev, _ := EstimateThreshold([]float64{10, 12}).Deviation(0); dev != 0 {
		t.Errorf("no theory: deviation %g", dev)
	}
}
