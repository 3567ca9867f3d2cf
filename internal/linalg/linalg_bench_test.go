package linalg

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"
)

// BenchmarkCholesky measures the factorisation that bounds an interior-point
// iteration at large d (the normal matrix has order d^2 + 1): GFLOP/s of the
// single- and double-precision Cholesky at orders 4097 and 9217 (d = 64 and
// 96), and 16385 (d = 128) with LAMCAP_BENCH_HUGE=1. docs/benchmarks.md sets
// the measured seconds per iteration beside this floor.
func BenchmarkCholesky(b *testing.B) {
	ns := []int{4097, 9217}
	if os.Getenv("LAMCAP_BENCH_HUGE") != "" {
		ns = append(ns, 16385)
	}
	for _, n := range ns {
		flops := float64(n) * float64(n) * float64(n) / 3
		// A diagonally dominant symmetric matrix is positive definite and costs
		// O(n^2) to build; the factorisation's work does not depend on the values.
		r := rand.New(rand.NewPCG(uint64(n), 1))
		a := make([]float64, n*n)
		for i := 0; i < n; i++ {
			for j := 0; j < i; j++ {
				v := r.Float64() - 0.5
				a[i*n+j], a[j*n+i] = v, v
			}
			a[i*n+i] = float64(n)
		}
		b.Run(fmt.Sprintf("single/n=%d", n), func(b *testing.B) {
			if !Single() {
				b.Skip("no single-precision Cholesky on this backend")
			}
			w := make([]float32, n*n)
			var sec float64
			for i := 0; i < b.N; i++ {
				for k, v := range a {
					w[k] = float32(v)
				}
				t0 := time.Now()
				if !Cholesky32(n, w, n) {
					b.Fatal("not positive definite")
				}
				sec += time.Since(t0).Seconds()
			}
			b.ReportMetric(flops*float64(b.N)/sec/1e9, "GFLOP/s")
		})
		b.Run(fmt.Sprintf("double/n=%d", n), func(b *testing.B) {
			w := make([]float64, n*n)
			var sec float64
			for i := 0; i < b.N; i++ {
				copy(w, a)
				t0 := time.Now()
				if !Cholesky(n, w, n) {
					b.Fatal("not positive definite")
				}
				sec += time.Since(t0).Seconds()
			}
			b.ReportMetric(flops*float64(b.N)/sec/1e9, "GFLOP/s")
		})
	}
}
