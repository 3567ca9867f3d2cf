package lp

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"

	"github.com/lamcap/lamcap/internal/memlimit"
	"github.com/lamcap/lamcap/model"
)

// BytesPerNonzero covers lamcap's row buffers and HiGHS's copies of the
// matrix (column-wise and row-wise, with indices), measured loosely on dense
// rows: the cost of one nonzero of an explicit row (RowsMemory).
const BytesPerNonzero = 64

// MemoryEstimate is the memory, in bytes, needed to decide an instance of model
// m with p associations in dimension d: the instance, three p x Slots() score
// matrices, and what the solver chosen by full and opts (Method.For) holds.
// full asks for every row at once (the plain LP on HiGHS). The count
// saturates at memlimit.Inf, so any size too large for the machine compares
// as too large; check it with memlimit.Check before allocating anything.
//
// Each solver states its own estimate (Capabilities.Memory); a method no solver
// is registered under (HiGHS, when package lp/highs is not imported) is
// estimated as the simplex, which NewSolver then gives.
func MemoryEstimate(d, p int, m model.Model, full bool, opts Options) int64 {
	rows := opts.Rows
	d64, p64, q := int64(d), int64(p), Slots(m, p)
	base := memlimit.Add(model.MemoryBytes(d, p, m), memlimit.Mul(3*8, p64, q))
	var solver int64
	if full {
		solver = fullLPMemory(d64, p64, q)
	} else if c, ok := opts.Method.For(d, rows).Capabilities(); ok {
		solver = c.Memory(d64, p64, q, rows)
	} else {
		solver = simplexMemory(d64, p64, q)
	}
	return memlimit.Add(base, solver)
}

// Slots is the number of competitor slots per association of an instance of
// model m with p associations (model.Instance.Slots, without building it):
// the vocabulary size V for a vocabulary model, p for the others. The margin
// arrays of every solver are p x Slots, with p(Slots - 1) margin rows.
func Slots(m model.Model, p int) int64 {
	if m.IsVocabulary() {
		return int64(m.Vocab())
	}
	return int64(p)
}

// simplexMemory: lamcap's simplex on the dual holds a dense (d^2+1)^2 basis
// inverse (twice during a refactorisation, plus the matrix being inverted), a few
// p x slots arrays and vectors of length d^2+1.
func simplexMemory(d, p, slots int64) int64 {
	m := memlimit.Add(memlimit.Mul(d, d), 1)
	return memlimit.Add(memlimit.Mul(3*8, m, m), memlimit.Mul(8*8, p, slots), memlimit.Mul(16*8, m))
}

// fullLPMemory: HiGHS holds all p(slots-1) rows with d^2 + 1 nonzeros each.
func fullLPMemory(d, p, slots int64) int64 {
	return RowsMemory(MarginRows(p, slots), memlimit.Add(memlimit.Mul(d, d), 1))
}

// MarginRows is the number of margin rows of p associations with slots
// competitor slots each, p(slots-1) (model.Instance.Rows), saturating.
func MarginRows(p, slots int64) int64 { return memlimit.Mul(p, max(slots-1, 0)) }

// RowsMemory is the memory of rows explicit margin rows of per nonzeros each
// in a solver that stores them (HiGHS), with a fixed cost per row.
func RowsMemory(rows, per int64) int64 {
	return memlimit.Add(memlimit.Mul(rows, per, BytesPerNonzero), memlimit.Mul(rows, 64))
}

// The interior-point method's memory, in bytes per entry of a p x slots
// margin array (slots = Instance.Slots(): p, or V for the vocabulary model; a
// margin row is one entry).
const (
	// ipmMarginArrays is the number of float64 margin arrays a solve holds:
	// eleven in its work space (scalings, residuals, steps, centring, the
	// corrector's three saved ones, the conjugate gradients' product, the
	// polish's weights) and the slacks and duals of its point; and one more
	// for the decoupled model's fused passes (decoupledWork.q) and one of
	// headroom for its kernels' per-core scratch and the allocator's size
	// classes (TestIPMMemoryBound measured a decoupled solve within 2% of
	// the count without it), both counted for every model.
	ipmMarginArrays = 15
	// ipmLambdaBytes is the solution's lambda list: one Weighted per row.
	ipmLambdaBytes = 24
	// ipmAttemptBytes is the garbage one certificate attempt inside a solve
	// leaves (IPM.certifies: NormaliseLambda's copy of the list, and
	// CheckNotStorable's normalised and regrouped ones, 24 bytes a row each;
	// a storable attempt's margins and bounds take 16). A large solve
	// collects after each iteration that made one (IPM.collect), and an
	// iteration makes at most two (its check's and its polish's).
	ipmAttemptBytes = 3 * 24

	// ipmKeptBytes is what a threshold search keeps of an interior-point
	// not-storable verdict between solves: its lambda list (24 bytes a row,
	// every row weighted) and, in a sweep, the checkpoint's certificate line
	// (about 49 bytes a row of JSON). The simplex's and HiGHS's certificates
	// have at most d^2 + 1 rows.
	ipmKeptBytes = 24 + 56
	// ipmProcessBytes is the process beside its Go heap: the binary, the
	// runtime, OpenBLAS's buffers, and heap pages freed but not yet reused.
	ipmProcessBytes = 256 << 20
)

// ipmMemory is the most a threshold search's process holds while the
// interior-point method decides an instance: the solve (ipmSolveMemory), the
// certificate the search keeps from an earlier verdict (ipmKeptBytes) and the
// process beside the heap (ipmProcessBytes).
func ipmMemory(d, p, slots int64) int64 {
	return memlimit.Add(ipmSolveMemory(d, p, slots), memlimit.Mul(ipmKeptBytes, p, slots), ipmProcessBytes)
}

// ipmSolveMemory is the most Go heap a solve of the interior-point method
// holds at once, for p associations of slots competitor slots each: the
// normal matrix ((d^2+1)^2 doubles; the single-precision factor lives in its
// first half), the Gram product it is rearranged from ((d(d+1)/2)^2), the
// packed Kronecker factors P1 and P2 (p rows of d(d+1)/2 each) and Q (slots
// rows: one per shared competitor on the coupled path), the p x slots margin
// arrays, the solution's lambda list and the garbage of two certificate
// attempts (per margin row), about 44 vectors of length d^2+1 (four of them
// the decoupled model's fused passes') and two p x d scratch arrays. The
// bound holds because a large solve collects its garbage (begin, collect,
// release below): without that, Go's collector let the garbage grow to the
// size of the live data (docs/benchmarks.md, "Where the d = 160 peak comes
// from"). TestIPMMemoryBound checks it against the heap solves are measured
// to hold.
func ipmSolveMemory(d, p, slots int64) int64 {
	n := memlimit.Add(memlimit.Mul(d, d), 1)
	n2 := memlimit.Mul(d, d+1) / 2
	perEntry := int64(ipmMarginArrays*8 + ipmLambdaBytes + 2*ipmAttemptBytes)
	return memlimit.Add(memlimit.Mul(8, n, n), memlimit.Mul(8, n2, n2), memlimit.Mul(8, memlimit.Add(memlimit.Mul(2, p), slots), n2),
		memlimit.Mul(perEntry, p, slots), memlimit.Mul(44*8, n), memlimit.Mul(2*8, p, d))
}

// Memory management of a large solve. Go's collector lets the heap grow to
// twice what was live at its last collection (GOGC = 100) before it collects
// again. A solve whose normal matrix is large holds gigabytes of live buffers
// (6.4 GB of normal matrix and Gram product at d = 160), so the collector let
// as much garbage pile up beside them: the lambda lists and p x p arrays of
// the certificate attempts during the solve, and after it, while its dead
// buffers still counted as live, the search's own certificate checks and
// saved lines (at d = 160 the collector's goal was 14,402 MiB from the first
// iteration on, twice the 7.2 GiB then live, and the record's peak 14.4 GiB;
// docs/benchmarks.md). Collecting costs little here, since the big buffers hold no
// pointers and the collector does not scan them; so a large solve (large)
// collects where its garbage is made and returns its buffers as soon as it
// is done:
//
//   - begin (reclaim): before the buffers are allocated, the garbage of what
//     ran since the last solve is collected and its memory returned to the
//     operating system, so that the new buffers are the only new memory;
//   - each iteration (collect): after an iteration whose check or polish made
//     a certificate attempt, its copies are collected before the next one;
//   - the end (release): the work space is dropped and its memory returned at
//     once, before the caller checks and saves the certificate.
//
// Then the peak is the live data plus at most two attempts' garbage
// (ipmSolveMemory): at d = 160, p = 2748 a peak RSS of 4.85 GiB.

// large says whether a solve of s manages its memory: whether its normal
// matrix takes ipmCollectFrom bytes or more (IPM.collectFrom in tests).
func (s *IPM) large() bool {
	from := int64(ipmCollectFrom)
	if s.collectFrom > 0 {
		from = s.collectFrom
	}
	return memlimit.Mul(8, int64(s.n)+1, int64(s.n)+1) >= from
}

// reclaim collects the garbage left since the last solve and returns the
// memory to the operating system, for a large solve about to allocate.
func (s *IPM) reclaim() {
	if s.large() {
		s.noteHeap()
		debug.FreeOSMemory()
		s.last.collections++
	}
}

// collect collects the garbage of a large solve's certificate attempts; the
// memory stays with the process for the next attempt.
func (s *IPM) collect() {
	if s.large() {
		s.noteHeap()
		runtime.GC()
		s.last.collections++
	}
}

// release drops the work space wk of a finished large solve, and P2 and Q
// (built again by the next solve), and returns their memory to the operating
// system. Whatever still points at wk (its normal system does) holds nothing
// after it.
func (s *IPM) release(wk *ipmWork) {
	s.noteHeap()
	if !s.large() {
		return
	}
	*wk = ipmWork{}
	s.p2, s.q, s.p2For = nil, nil, 0
	debug.FreeOSMemory()
	s.last.collections++
}

// noteHeap keeps the largest size of the Go heap's objects seen in
// ipmStats.heapPeak. It is called where the heap of a solve peaks: before
// each collection and at the solve's end.
func (s *IPM) noteHeap() {
	m := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(m)
	if m[0].Value.Kind() == metrics.KindUint64 {
		s.last.heapPeak = max(s.last.heapPeak, m[0].Value.Uint64())
	}
}
