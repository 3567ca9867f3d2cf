package lp

import (
	"testing"

	"github.com/lamcap/lamcap/internal/memlimit"
	"github.com/lamcap/lamcap/model"
)

// oldEstimate is the estimate before it saturated, for sizes where int64 does
// not overflow: the rewrite must not change it there.
func oldEstimate(d, p int, m model.Model, full bool, rows Rows) int64 {
	b := int64(2*p*d)*8 + 3*8*int64(p)*int64(p)
	if m == model.Decoupled {
		b += int64(p) * int64(p) * int64(d) * 8
	}
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

func TestMemoryEstimateSaturates(t *testing.T) {
	for _, d := range []int{2, 8, 30, 200} {
		for _, p := range []int{2, 17, 400} {
			for _, m := range []model.Model{model.Coupled, model.Decoupled} {
				for _, rows := range []Rows{Implicit, Dense, Lifted} {
					for _, full := range []bool{false, true} {
						if got, want := MemoryEstimate(d, p, m, full, oldOptions(rows)), oldEstimate(d, p, m, full, rows); got != want {
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
		for _, rows := range []Rows{Implicit, Dense, Lifted} {
			if got := MemoryEstimate(c.d, c.p, model.Decoupled, false, Options{Rows: rows}); got < 1<<41 {
				t.Errorf("d=%d p=%d %v: estimate %d bytes", c.d, c.p, rows, got)
			}
		}
	}
	if got := MemoryEstimate(60000, 16, model.Coupled, false, Options{}); got != memlimit.Inf {
		t.Errorf("d=60000 implicit: %d, want saturation", got)
	}
}

// oldOptions picks the solver rows used to pick: the simplex for implicit rows,
// HiGHS otherwise.
func oldOptions(rows Rows) Options {
	if rows == Implicit {
		return Options{Rows: rows, Method: MethodSimplex}
	}
	return Options{Rows: rows, Method: MethodHiGHS}
}

// The interior-point estimate is dominated by the normal matrix: 2.1 GB at
// d = 128 (p = 1813), within the 6 GiB the issue allows, and auto picks it
// from IPMFromD on.
func TestIPMMemoryEstimate(t *testing.T) {
	got := MemoryEstimate(128, 1813, model.Coupled, false, Options{})
	if h := int64(8 * 16385 * 16385); got < h || got > 6<<30 {
		t.Errorf("d=128 p=1813: estimate %d bytes, want between %d and 6 GiB", got, h)
	}
	if MemoryEstimate(IPMFromD, 100, model.Coupled, false, Options{}) != MemoryEstimate(IPMFromD, 100, model.Coupled, false, Options{Method: MethodIPM}) {
		t.Error("auto does not estimate the interior-point method at IPMFromD")
	}
}
