package lp

import (
	"github.com/lamcap/lamcap/internal/memlimit"
	"github.com/lamcap/lamcap/model"
)

// BytesPerNonzero covers lamcap's row buffers and HiGHS's copies of the
// matrix (column-wise and row-wise, with indices), measured loosely on dense
// rows: the cost of one nonzero of an explicit row (RowsMemory).
const BytesPerNonzero = 64

// MemoryEstimate is the memory, in bytes, needed to decide an instance with p
// associations in dimension d: the instance, three p x p score matrices, and what
// the solver chosen by full and opts (Method.For) holds. full asks for every row
// at once (the plain LP on HiGHS). The count saturates at memlimit.Inf, so any size too large
// for the machine compares as too large; check it with memlimit.Check before
// allocating anything.
//
// Each solver states its own estimate (Capabilities.Memory); a method no solver
// is registered under (HiGHS, when package lp/highs is not imported) is
// estimated as the simplex, which NewSolver then gives.
func MemoryEstimate(d, p int, m model.Model, full bool, opts Options) int64 {
	rows := opts.Rows
	d64, p64 := int64(d), int64(p)
	base := memlimit.Add(model.MemoryBytes(d, p, m), memlimit.Mul(3*8, p64, p64))
	var solver int64
	if full {
		solver = fullLPMemory(d64, p64)
	} else if c, ok := opts.Method.For(d, rows).Capabilities(); ok {
		solver = c.Memory(d64, p64, rows)
	} else {
		solver = simplexMemory(d64, p64)
	}
	return memlimit.Add(base, solver)
}

// simplexMemory: lamcap's simplex on the dual holds a dense (d^2+1)^2 basis
// inverse (twice during a refactorisation, plus the matrix being inverted), a few
// p x p arrays and vectors of length d^2+1.
func simplexMemory(d, p int64) int64 {
	m := memlimit.Add(memlimit.Mul(d, d), 1)
	return memlimit.Add(memlimit.Mul(3*8, m, m), memlimit.Mul(8*8, p, p), memlimit.Mul(16*8, m))
}

// fullLPMemory: HiGHS holds all p(p-1) rows with d^2 + 1 nonzeros each.
func fullLPMemory(d, p int64) int64 {
	return RowsMemory(memlimit.Mul(p, p-1), memlimit.Add(memlimit.Mul(d, d), 1))
}

// RowsMemory is the memory of rows explicit margin rows of per nonzeros each
// in a solver that stores them (HiGHS), with a fixed cost per row.
func RowsMemory(rows, per int64) int64 {
	return memlimit.Add(memlimit.Mul(rows, per, BytesPerNonzero), memlimit.Mul(rows, 64))
}

// ipmMemory: the interior-point method holds the normal matrix ((d^2+1)^2), the
// product it is rearranged from ((d(d+1)/2)^2), the packed Kronecker factors (3 p
// rows of d(d+1)/2), about 25 p x p arrays (slacks, duals, residuals, steps,
// scratch) and the final lambda list of p(p-1) rows (24 bytes each).
func ipmMemory(d, p int64) int64 {
	n := memlimit.Add(memlimit.Mul(d, d), 1)
	n2 := memlimit.Mul(d, d+1) / 2
	return memlimit.Add(memlimit.Mul(8, n, n), memlimit.Mul(8, n2, n2), memlimit.Mul(3*8, p, n2),
		memlimit.Mul(25*8+24, p, p), memlimit.Mul(40*8, n))
}
