package lp

import "github.com/lamcap/lamcap/model"

// bytesPerNonzero covers lamcap's row buffers and HiGHS's copies of the matrix
// (column-wise and row-wise, with indices), measured loosely on dense rows.
const bytesPerNonzero = 64

// MemoryEstimate is the memory, in bytes, needed to decide an instance with p
// associations in dimension d: the instance, three p x p score matrices, and the
// LP. full asks for every row at once (the plain LP); otherwise constraint
// generation is assumed to keep at most a few times d^2 + 1 rows.
//
// Implicit rows need no LP matrix: the simplex holds a dense (d^2+1)^2 basis
// inverse (twice during a refactorisation) and a few p x p arrays.
func MemoryEstimate(d, p int, m model.Model, full bool, rows Rows) int64 {
	b := model.MemoryBytes(d, p, m) + 3*8*int64(p)*int64(p)
	d2 := int64(d) * int64(d)
	if rows == Implicit && !full {
		return b + 3*8*(d2+1)*(d2+1) + 8*8*int64(p)*int64(p) + 16*8*(d2+1)
	}
	nRows := int64(p) * int64(p-1)
	if !full && nRows > 6*(d2+1)+4*int64(p) {
		nRows = 6*(d2+1) + 4*int64(p)
	}
	per := d2 + 1
	if rows == Lifted && !full {
		per = int64(d) + 1
		b += int64(p) * int64(d) * (int64(d) + 1) * bytesPerNonzero
	}
	return b + nRows*per*bytesPerNonzero + nRows*64
}
