package stats

import (
	"math"
	"testing"
)

// TestClopperPearson checks the exact interval against the binomial tails it
// inverts: at each end the tail probability is (1 - level)/2.
func TestClopperPearson(t *testing.T) {
	binom := func(k, n int, p float64) float64 { // P(X >= k)
		s := 0.0
		for j := k; j <= n; j++ {
			s += math.Exp(lgammaC(n, j) + float64(j)*math.Log(p) + float64(n-j)*math.Log1p(-p))
		}
		return s
	}
	for _, c := range []struct{ k, n int }{{0, 10}, {3, 10}, {10, 10}, {12, 25}} {
		iv := ClopperPearson(c.k, c.n, 0.95)
		if c.k > 0 {
			if got := binom(c.k, c.n, iv.Lo); math.Abs(got-0.025) > 1e-9 {
				t.Errorf("k=%d n=%d: P(X >= k | lo) = %v, want 0.025", c.k, c.n, got)
			}
		} else if iv.Lo != 0 {
			t.Errorf("k=0: lo = %v", iv.Lo)
		}
		if c.k < c.n {
			if got := 1 - binom(c.k+1, c.n, iv.Hi); math.Abs(got-0.025) > 1e-9 {
				t.Errorf("k=%d n=%d: P(X <= k | hi) = %v, want 0.025", c.k, c.n, got)
			}
		} else if iv.Hi != 1 {
			t.Errorf("k=n: hi = %v", iv.Hi)
		}
	}
}

func lgammaC(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}
