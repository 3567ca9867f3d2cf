package highs

import (
	"testing"

	"github.com/lamcap/lamcap/internal/memlimit"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// oldEstimate is the estimate before it saturated, for sizes where int64 does
// not overflow: the rewrite must not change it there.
func oldEstimate(d, p int, m model.Model, full bool, rows lp.Rows) int64 {
	b := int64(2*p*d)*8 + 3*8*int64(p)*int64(p)
	if m == model.Decoupled {
		b += int64(p) * int64(p) * int64(d) * 8
	}
	d2 := int64(d) * int64(d)
	if rows == lp.Implicit && !full {
		return b + 3*8*(d2+1)*(d2+1) + 8*8*int64(p)*int64(p) + 16*8*(d2+1)
	}
	nRows := int64(p) * int64(p-1)
	if !full && nRows > 6*(d2+1)+4*int64(p) {
		nRows = 6*(d2+1) + 4*int64(p)
	}
	per := d2 + 1
	if rows == lp.Lifted && !full {
		per = int64(d) + 1
		b += int64(p) * int64(d) * (int64(d) + 1) * lp.BytesPerNonzero
	}
	return b + nRows*per*lp.BytesPerNonzero + nRows*64
}

func TestMemoryEstimateSaturates(t *testing.T) {
	for _, d := range []int{2, 8, 30, 200} {
		for _, p := range []int{2, 17, 400} {
			for _, m := range []model.Model{model.Coupled, model.Decoupled} {
				for _, rows := range []lp.Rows{lp.Implicit, lp.Dense, lp.Lifted} {
					for _, full := range []bool{false, true} {
						if got, want := lp.MemoryEstimate(d, p, m, full, oldOptions(rows)), oldEstimate(d, p, m, full, rows); got != want {
							t.Errorf("d=%d p=%d %v %v full=%v: %d, before %d", d, p, m, rows, full, got, want)
						}
					}
				}
			}
		}
	}
	// Sizes whose products wrapped in int64 (the issue: threshold --d 46341,
	// solve --d 60000, sweep --d 100000) now saturate.
	for _, c := range []struct{ d, p int }{{46341, 3 * 2000}, {60000, 16}, {100000, 80000}, {1 << 40, 1 << 40}} {
		for _, rows := range []lp.Rows{lp.Implicit, lp.Dense, lp.Lifted} {
			if got := lp.MemoryEstimate(c.d, c.p, model.Decoupled, false, lp.Options{Rows: rows}); got < 1<<41 {
				t.Errorf("d=%d p=%d %v: estimate %d bytes", c.d, c.p, rows, got)
			}
		}
	}
	if got := lp.MemoryEstimate(60000, 16, model.Coupled, false, lp.Options{}); got != memlimit.Inf {
		t.Errorf("d=60000 implicit: %d, want saturation", got)
	}
}

// oldOptions picks the solver rows used to pick: the simplex for implicit rows,
// HiGHS otherwise.
func oldOptions(rows lp.Rows) lp.Options {
	if rows == lp.Implicit {
		return lp.Options{Rows: rows, Method: lp.MethodSimplex}
	}
	return lp.Options{Rows: rows, Method: lp.MethodHiGHS}
}

// The interior-point estimate is dominated by the normal matrix: 2.1 GB at
// d = 128 (p = 1813), within the 6 GiB the issue allows, and auto picks it
// from lp.IPMFromD on.
func TestIPMMemoryEstimate(t *testing.T) {
	got := lp.MemoryEstimate(128, 1813, model.Coupled, false, lp.Options{})
	if h := int64(8 * 16385 * 16385); got < h || got > 6<<30 {
		t.Errorf("d=128 p=1813: estimate %d bytes, want between %d and 6 GiB", got, h)
	}
	if lp.MemoryEstimate(lp.IPMFromD, 100, model.Coupled, false, lp.Options{}) != lp.MemoryEstimate(lp.IPMFromD, 100, model.Coupled, false, lp.Options{Method: lp.MethodIPM}) {
		t.Error("auto does not estimate the interior-point method at lp.IPMFromD")
	}
}
