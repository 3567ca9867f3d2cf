package lp

import (
	"context"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"

	"github.com/lamcap/lamcap/model"
)

// TestIPMMemoryBound checks the interior-point method's memory estimate
// (ipmSolveMemory) against the heap its solves are measured to hold. The
// collector is off but for the solve's own collections, which the solves
// run as a large one does (IPM.collectFrom); between two collections the
// heap then only grows, so its objects just before each one and at the end
// (ipmStats.heapPeak, IPM.noteHeap) are the most the solve held. The
// verdicts are the thresholds' two sides (p* and p* + 1 of the science
// records, seed 1; for the vocabulary models, of docs/data/vocab at V = 4
// and of lamcap threshold --d 16 --seeds 1 --model vocabulary --vocab 256
// with the simplex and the IPM), where certificate attempts are made. At
// V = 256 there are far more words than associations (V > p), so that the
// p x V margin arrays and the V x d(d+1)/2 factor Q outweigh the p x p
// arrays an estimate blind to V would count; at V = 4 they are far smaller.
// The estimate must
// cover the most the solve held above the heap before it, and count it
// closely: within a factor of 2.5 (the allowance for two certificate
// attempts that a verdict need not make), so that a change making a solve
// hold more shows here.
func TestIPMMemoryBound(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	vocab := func(v int) model.Model {
		m, err := model.Vocabulary(v, model.Answers{Kind: model.Uniform})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	for _, c := range []struct {
		d, p int
		kind model.Model
		want bool // storable
	}{
		{16, 61, model.Coupled, true}, {16, 62, model.Coupled, false},
		{24, 123, model.Coupled, true}, {24, 124, model.Coupled, false},
		{16, 57, model.Decoupled, true}, {16, 58, model.Decoupled, false},
		{16, 39, vocab(256), true}, {16, 40, vocab(256), false},
		{16, 47, vocab(4), true}, {16, 48, vocab(4), false},
	} {
		in, err := model.NewInstance(model.Random{D: c.d, Seed: 1, Kind: c.kind}, c.p)
		if err != nil {
			t.Fatal(err)
		}
		s := NewIPM(in, Options{Stop: StopVerdict, Eps: DefaultEps})
		s.collectFrom = 1
		runtime.GC()
		before := heapObjects()
		sol, err := s.Solve(context.Background())
		if err != nil {
			t.Fatalf("d=%d p=%d %v: %v", c.d, c.p, c.kind, err)
		}
		if got := sol.T > 0; got != c.want {
			t.Fatalf("d=%d p=%d %v: t = %g, want storable %v", c.d, c.p, c.kind, sol.T, c.want)
		}
		held := int64(s.last.heapPeak) - int64(before)
		slots := Slots(c.kind, c.p)
		if slots != int64(in.Slots()) {
			t.Fatalf("d=%d p=%d %v: Slots %d, the instance has %d", c.d, c.p, c.kind, slots, in.Slots())
		}
		est := ipmSolveMemory(int64(c.d), int64(c.p), slots)
		t.Logf("d=%d p=%d %v (%s, %d iterations, %d collections): held %d bytes, estimate %d (%.2fx)",
			c.d, c.p, c.kind, sol.Status, sol.Iterations, s.last.collections, held, est, float64(est)/float64(held))
		if s.last.collections < 2 {
			t.Errorf("d=%d p=%d %v: %d collections, want at least begin's and release's", c.d, c.p, c.kind, s.last.collections)
		}
		if held > est || 2.5*float64(held) < float64(est) {
			t.Errorf("d=%d p=%d %v: the solve held %d bytes of heap, estimate %d: want held <= estimate <= 2.5 held",
				c.d, c.p, c.kind, held, est)
		}
		if after := heapObjects(); after > before+uint64(est)/4 {
			t.Errorf("d=%d p=%d %v: %d bytes of heap after the solve, %d before: the work space was not released",
				c.d, c.p, c.kind, after, before)
		}
		runtime.KeepAlive(sol)
	}
}

// heapObjects is the bytes of the Go heap's objects now.
func heapObjects() uint64 {
	m := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(m)
	return m[0].Value.Uint64()
}
