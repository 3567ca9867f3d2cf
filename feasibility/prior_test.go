package feasibility

import (
	"math"
	"testing"

	"github.com/lamcap/lamcap/theory"
)

// StartGuess is pinned to the values it had when it carried its own Newton
// iteration for p log p = n (before theory.AsymptoticP replaced it).
func TestStartGuessPinned(t *testing.T) {
	want := map[int]int{2: 3, 3: 5, 4: 8, 6: 14, 8: 21, 10: 29, 12: 38, 16: 59, 20: 84, 24: 112, 28: 142,
		32: 176, 48: 340, 64: 547, 96: 1079, 128: 1758}
	for d, w := range want {
		if got := StartGuess(d); got != w {
			t.Errorf("StartGuess(%d) = %d, was %d", d, got, w)
		}
	}
}

// The fallback of PriorFor, the root of p log p = n, is theory.AsymptoticP at
// 2n; pinned to the values of the Newton iteration it replaced.
func TestPriorFallbackPinned(t *testing.T) {
	want := map[int]float64{4: 3.3273223226, 9: 5.36028111098, 16: 7.79274145282, 100: 29.5365990543,
		1024: 194.324711488, 16384: 2136.91725163}
	for n, w := range want {
		if got := math.Max(2, theory.AsymptoticP(2*float64(n))); math.Abs(got-w) > 1e-9*w {
			t.Errorf("root of p log p = %d: %.12g, was %.12g", n, got, w)
		}
	}
}
