package linalg

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/cpu"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// Backend names a BLAS implementation.
type Backend string

const (
	OpenBLAS Backend = "openblas"
	Gonum    Backend = "gonum"
)

var (
	mu      sync.Mutex
	current = Gonum
	threads = 1
)

// native is the backend compiled in through cgo, when there is one.
var native = nativeBackend()

// backend is what a cgo BLAS provides.
type backend interface {
	blas() blas.Float64
	blas32() blas.Float32
	potrf(n int, a []float64, lda int) bool
	potrs(n, nrhs int, l []float64, lda int, b []float64, ldb int)
	potrf32(n int, a []float32, lda int) bool
	potrs32(n int, l []float32, lda int, b []float32)
	setThreads(n int)
	version() string
}

func init() {
	want := Backend(os.Getenv("LAMCAP_BLAS"))
	if want == "" {
		want = OpenBLAS
	}
	if err := Use(want); err != nil {
		_ = Use(Gonum)
	}
	threads := runtime.NumCPU()
	if v, err := strconv.Atoi(os.Getenv("LAMCAP_BLAS_THREADS")); err == nil && v > 0 {
		threads = v
	}
	SetThreads(threads)
}

// Available lists the backends this binary can use.
func Available() []Backend {
	if native != nil {
		return []Backend{OpenBLAS, Gonum}
	}
	return []Backend{Gonum}
}

// Use makes b the BLAS of the process, for gonum's mat package and for Cholesky.
func Use(b Backend) error {
	mu.Lock()
	defer mu.Unlock()
	switch b {
	case Gonum:
		blas64.Use(gonum.Implementation{})
	case OpenBLAS:
		if native == nil {
			return fmt.Errorf("BLAS backend openblas is not in this binary (built without cgo or with the noopenblas tag)")
		}
		blas64.Use(native.blas())
	default:
		return fmt.Errorf("unknown BLAS backend %q (want openblas or gonum)", b)
	}
	current = b
	return nil
}

// Current returns the backend in use.
func Current() Backend {
	mu.Lock()
	defer mu.Unlock()
	return current
}

// SetThreads sets how many threads the BLAS may use (at least 1). gonum's
// pure-Go BLAS takes no such setting; its level-3 routines use all cores.
func SetThreads(n int) {
	if n < 1 {
		n = 1
	}
	mu.Lock()
	defer mu.Unlock()
	threads = n
	if native != nil {
		native.setThreads(n)
	}
}

// Threads returns the BLAS thread count last set.
func Threads() int {
	mu.Lock()
	defer mu.Unlock()
	return threads
}

// Share returns the BLAS threads each of workers concurrent solves should use so
// that together they fill, and do not oversubscribe, the machine's cores.
func Share(workers int) int {
	if workers < 1 {
		workers = 1
	}
	t := runtime.NumCPU() / workers
	if t < 1 {
		t = 1
	}
	return t
}

// Version describes the backend in use, its kernels and threads, e.g.
// "OpenBLAS 0.3.21 (SkylakeX kernels), 2 thread(s)" or "gonum (pure Go)";
// Config has the library's full build line.
func Version() string {
	if Current() == OpenBLAS {
		f := strings.Fields(native.version())
		return fmt.Sprintf("%s (%s kernels), %d thread(s)", strings.Join(f[:min(2, len(f))], " "), loadedCore(), Threads())
	}
	return "gonum (pure Go)"
}

// preAVXCores are OpenBLAS kernels for CPUs without AVX: what its runtime
// dispatch falls back to when it does not know the CPU model. Debian 12's
// OpenBLAS 0.3.21 loads Prescott on an Emerald Rapids Xeon (family 6, model
// 207), whose single-precision Cholesky of order 4097 then runs at 51 GFLOP/s
// against 191 with its SkylakeX kernels (internal/linalg's BenchmarkCholesky,
// 2026-12-08).
var preAVXCores = []string{"prescott", "core2", "penryn", "dunnington", "nehalem", "atom",
	"katmai", "coppermine", "northwood", "banias", "athlon", "opteron", "opteron_sse3", "barcelona", "bobcat"}

// CoreFix names the OpenBLAS kernels (an OPENBLAS_CORETYPE value) to load
// instead of the ones loaded, or "": it names SkylakeX on a CPU with AVX-512
// (F, CD, BW, DQ, VL) and Haswell on one with AVX2 and FMA, as the CPU and
// the operating system report them (golang.org/x/sys/cpu), but only when
// OpenBLAS loaded kernels without AVX (preAVXCores) and OPENBLAS_CORETYPE is
// not set: it never replaces a choice OpenBLAS made knowingly, or the user's.
func CoreFix() string {
	if os.Getenv("OPENBLAS_CORETYPE") != "" || !slices.Contains(preAVXCores, strings.ToLower(loadedCore())) {
		return ""
	}
	return coreFor(cpu.X86.HasAVX512F && cpu.X86.HasAVX512CD && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512VL,
		cpu.X86.HasAVX2 && cpu.X86.HasFMA)
}

// coreFor is the kernels for a CPU with (or without) AVX-512 and AVX2 + FMA.
func coreFor(avx512, avx2 bool) string {
	switch {
	case avx512:
		return "SkylakeX"
	case avx2:
		return "Haswell"
	}
	return ""
}

// Core is the name of the OpenBLAS kernels in use ("" without OpenBLAS).
func Core() string {
	if Current() == OpenBLAS {
		return loadedCore()
	}
	return ""
}

// Config is the BLAS library's own description of its build ("" for gonum).
func Config() string {
	if Current() == OpenBLAS {
		return native.version()
	}
	return ""
}

// Cholesky factors the symmetric positive definite n x n matrix held row-major in
// a (leading dimension lda, lower triangle read) as L L^T, overwriting the lower
// triangle with L. It returns false when the matrix is not numerically positive
// definite; a is then garbage.
func Cholesky(n int, a []float64, lda int) bool {
	if Current() == OpenBLAS {
		return native.potrf(n, a, lda)
	}
	_, ok := lapack64.Potrf(blas64.Symmetric{N: n, Stride: lda, Data: a, Uplo: blas.Lower})
	return ok
}

// CholeskySolve overwrites the n x nrhs row-major matrix b with the solution of
// L L^T X = b, L from Cholesky.
func CholeskySolve(n, nrhs int, l []float64, lda int, b []float64, ldb int) {
	if Current() == OpenBLAS {
		native.potrs(n, nrhs, l, lda, b, ldb)
		return
	}
	lapack64.Potrs(blas64.Triangular{N: n, Stride: lda, Data: l, Uplo: blas.Lower, Diag: blas.NonUnit},
		blas64.General{Rows: n, Cols: nrhs, Stride: ldb, Data: b})
}

// Single reports whether the backend in use has a single-precision Cholesky
// (Cholesky32). OpenBLAS has; gonum's LAPACK is double precision only.
func Single() bool { return Current() == OpenBLAS }

// Cholesky32 is Cholesky in single precision, about twice as fast (measured with
// OpenBLAS 0.3.21 on 2 cores at n = 9217: 313 against 130 GFLOP/s). It returns
// false when the matrix is not numerically positive definite in single precision,
// and when the backend has no single precision (see Single).
func Cholesky32(n int, a []float32, lda int) bool {
	if !Single() {
		return false
	}
	return native.potrf32(n, a, lda)
}

// Gemm32 computes C = alpha op(A) op(B) + beta C in single precision, all
// three row-major (op(A) m x k, op(B) k x n), on the native BLAS (the BLAS's
// sgemm, about twice as fast as its dgemm). It must only be called when Single
// reports true.
func Gemm32(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	native.blas32().Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// CholeskySolve32 overwrites b with the solution of L L^T x = b, L from
// Cholesky32. It must only be called after Cholesky32 succeeded.
func CholeskySolve32(n int, l []float32, lda int, b []float32) {
	native.potrs32(n, l, lda, b)
}
