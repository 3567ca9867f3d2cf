package theory

import "sync"

// Predictions are pure functions of a few numbers, and a process asks for the
// same ones many times: a sweep's summary after every run and resume, the
// prior of every unit at one d, the test suites (where recomputing them was
// most of the experiment package's CPU time, issue #19). CriticalP,
// StorableProbability and Width remember their answers here.
var (
	criticalPs            memo[[2]float64, float64]
	storableProbabilities memo[[2]int, CurvePoint]
	widths                memo[float64, float64]
)

// memoLimit bounds each memo: past it, answers are computed and not kept.
const memoLimit = 1 << 16

// memo remembers f's answer (value and error) for each key; the answers are
// deterministic, so a remembered one is the one f would give again. Two
// goroutines that ask for a new key at once may both compute it.
type memo[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]memoEntry[V]
}

type memoEntry[V any] struct {
	v   V
	err error
}

func (c *memo[K, V]) do(k K, f func() (V, error)) (V, error) {
	c.mu.Lock()
	e, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return e.v, e.err
	}
	v, err := f()
	c.mu.Lock()
	if c.m == nil {
		c.m = map[K]memoEntry[V]{}
	}
	if len(c.m) < memoLimit {
		c.m[k] = memoEntry[V]{v, err}
	}
	c.mu.Unlock()
	return v, err
}
