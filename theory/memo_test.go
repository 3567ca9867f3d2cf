package theory

import (
	"errors"
	"testing"
)

// A memo gives f's value and error, computes each key once, and past
// memoLimit keys computes without keeping; CriticalP remembered is CriticalP
// computed.
func TestMemo(t *testing.T) {
	var c memo[int, float64]
	calls := 0
	f := func(k int) func() (float64, error) {
		return func() (float64, error) {
			calls++
			if k < 0 {
				return 0, errors.New("negative")
			}
			return float64(k) / 2, nil
		}
	}
	for range 2 {
		if v, err := c.do(3, f(3)); v != 1.5 || err != nil {
			t.Fatalf("do(3) = %v, %v", v, err)
		}
		if _, err := c.do(-1, f(-1)); err == nil || err.Error() != "negative" {
			t.Fatalf("do(-1): error %v", err)
		}
	}
	if calls != 2 {
		t.Errorf("%d calls for 2 keys asked twice each", calls)
	}
	for k := range memoLimit + 10 {
		c.do(k, f(k))
	}
	if len(c.m) != memoLimit {
		t.Errorf("%d keys kept, want the limit %d", len(c.m), memoLimit)
	}

	const n, kappa = 64, 0.5
	a, err := CriticalP(n, kappa)
	if err != nil {
		t.Fatal(err)
	}
	b, err := solveCapacity(n, func(p float64) (float64, error) { return StatDim(p, kappa) })
	if err != nil || a != b {
		t.Errorf("CriticalP remembered %v, computed %v (%v)", a, b, err)
	}
	if again, _ := CriticalP(n, kappa); again != a {
		t.Errorf("CriticalP gave %v, then %v", a, again)
	}
}
