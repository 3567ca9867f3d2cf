package experiment

import (
	"testing"

	"github.com/lamcap/lamcap/stats"
)

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
	if m := stats.Median([]float64{4, 3, 6, 4}); m != 4 {
		t.Errorf("median %v, want 4", m)
	}
}
