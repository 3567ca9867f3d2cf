package experiment

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// Wilson intervals against values computed by hand from the closed form
// (e.g. Newcombe 1998, Table I: 15/148 gives 0.0624 to 0.1605).
func TestWilsonKnownValues(t *testing.T) {
	ci := Wilson(15, 148, 1.959963984540054)
	if math.Abs(ci.Lo-0.0624) > 5e-5 || math.Abs(ci.Hi-0.1605) > 5e-5 {
		t.Errorf("Wilson(15,148) = %+v, want [0.0624, 0.1605]", ci)
	}
	ci = Wilson(0, 20, 1.959963984540054)
	if ci.Lo != 0 || math.Abs(ci.Hi-0.1611) > 5e-5 {
		t.Errorf("Wilson(0,20) = %+v, want [0, 0.1611]", ci)
	}
	ci = Wilson(20, 20, 1.959963984540054)
	if math.Abs(ci.Lo-0.8389) > 5e-5 || ci.Hi != 1 {
		t.Errorf("Wilson(20,20) = %+v", ci)
	}
}

// The order-statistic interval for n = 40 at 95% is [x_(14), x_(27)] (binomial
// tables), and its coverage, checked by simulation, is at least 95%.
func TestMedianCI(t *testing.T) {
	x := make([]float64, 40)
	for i := range x {
		x[i] = float64(i + 1)
	}
	ci := MedianCI(x, 0.95)
	if ci.Lo != 14 || ci.Hi != 27 {
		t.Errorf("n=40 interval %+v, want [14, 27]", ci)
	}
	if m := Median(x); m != 20.5 {
		t.Errorf("median %v", m)
	}
	// Coverage by Monte Carlo: exponential samples, true median log 2.
	e := distuv.Exponential{Rate: 1, Src: nil}
	hits, reps := 0, 4000
	for r := 0; r < reps; r++ {
		s := make([]float64, 25)
		for i := range s {
			s[i] = e.Rand()
		}
		ci := MedianCI(s, 0.95)
		if ci.Lo <= math.Ln2 && math.Ln2 <= ci.Hi {
			hits++
		}
	}
	cov := float64(hits) / float64(reps)
	if cov < 0.95-3*math.Sqrt(0.95*0.05/float64(reps)) {
		t.Errorf("coverage %v below 95%%", cov)
	}
}

// A hand-made record set: p* = 3, 4, 4, 6.
func TestStorableCurveHandMade(t *testing.T) {
	c := StorableCurve([]int{4, 3, 6, 4})
	want := map[int]int{3: 4, 4: 3, 5: 1, 6: 1, 7: 0}
	if len(c) != 5 {
		t.Fatalf("curve has %d points, want 5", len(c))
	}
	for _, pt := range c {
		if pt.Storable != want[pt.P] || pt.N != 4 {
			t.Errorf("p=%d: %d of %d storable, want %d of 4", pt.P, pt.Storable, pt.N, want[pt.P])
		}
		if !(pt.CI.Lo <= pt.Fraction && pt.Fraction <= pt.CI.Hi) {
			t.Errorf("p=%d: interval %+v misses %v", pt.P, pt.CI, pt.Fraction)
		}
	}
	if m := Median([]float64{4, 3, 6, 4}); m != 4 {
		t.Errorf("median %v, want 4", m)
	}
}
