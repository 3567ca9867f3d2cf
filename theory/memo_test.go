package theory

import (
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
)

// memo computes each key once, however many goroutines ask at the same time,
// and gives every caller that one value (and error); a NaN argument is
// computed at every call and never stored.
func TestMemoOnce(t *testing.T) {
	var m sync.Map
	var calls atomic.Int32
	errOdd := errors.New("odd")
	f := func(k float64) func() (float64, error) {
		return func() (float64, error) {
			calls.Add(1)
			if int(k)%2 == 1 {
				return 0, errOdd
			}
			return 10 * k, nil
		}
	}
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0.0; k < 4; k++ {
				v, err := memoFloat(&m, k, 0.5, f(k))
				if int(k)%2 == 1 && (err != errOdd || v != 0) || int(k)%2 == 0 && (err != nil || v != 10*k) {
					t.Errorf("key %g: %g, %v", k, v, err)
				}
			}
		}()
	}
	wg.Wait()
	if n := calls.Load(); n != 4 {
		t.Errorf("4 keys asked by 16 goroutines: %d computations, want 4", n)
	}
	for i := 0; i < 3; i++ {
		memoFloat(&m, math.NaN(), 0, f(0))
	}
	if n := calls.Load(); n != 7 {
		t.Errorf("a NaN key: %d computations after 3 calls, want 7", n)
	}
	size := 0
	m.Range(func(any, any) bool { size++; return true })
	if size != 4 {
		t.Errorf("%d entries, want 4 (NaN never stored)", size)
	}
}

// The memoised CriticalP is the root finder's value, bit for bit, and asking
// again returns it unchanged.
func TestCriticalPMemoised(t *testing.T) {
	n := 144.0
	direct, err := solveCapacity(n, func(p float64) (float64, error) { return StatDim(p, 0) })
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if pc, err := CriticalP(n, 0); err != nil || pc != direct {
			t.Errorf("call %d: CriticalP(%g, 0) = %v, %v; the root finder gives %v", i, n, pc, err, direct)
		}
	}
	if _, err := CriticalP(1, 0); err == nil {
		t.Error("CriticalP(1, 0): no error")
	}
}

// The memoised StorableProbability is the computation's value, and a second
// call returns it unchanged.
func TestStorableProbabilityMemoised(t *testing.T) {
	direct, err := storableProbability(40, 100)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if got, err := StorableProbability(40, 100); err != nil || got != direct {
			t.Errorf("call %d: StorableProbability(40, 100) = %+v, %v; computed %+v", i, got, err, direct)
		}
	}
}
