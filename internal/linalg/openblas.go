//go:build cgo && !noopenblas

package linalg

/*
#cgo LDFLAGS: -lopenblas
#include <stdlib.h>

// LAPACK from the same OpenBLAS library (Debian's libopenblas carries LAPACK but
// not LAPACKE, so the Fortran symbols are called directly).
extern void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
extern void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda, double *b, const int *ldb, int *info);
extern void spotrf_(const char *uplo, const int *n, float *a, const int *lda, int *info);
extern void spotrs_(const char *uplo, const int *n, const int *nrhs, const float *a, const int *lda, float *b, const int *ldb, int *info);
extern void openblas_set_num_threads(int n);
extern char *openblas_get_config(void);
extern char *openblas_get_corename(void);
*/
import "C"

import (
	"os"
	"syscall"
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/netlib/blas/netlib"
)

// openblas is the cgo backend. Only the LAPACK calls and the thread setting are
// written here by hand: gonum's netlib binding has the BLAS but no LAPACK that
// works without LAPACKE, which Debian's OpenBLAS does not ship.
type openblas struct{}

func nativeBackend() backend { return openblas{} }

func (openblas) blas() blas.Float64 { return netlib.Implementation{} }

func (openblas) blas32() blas.Float32 { return netlib.Implementation{} }

// potrf factors the row-major lower triangle, which Fortran sees as the
// column-major upper triangle: dpotrf('U') gives U^T U = A with U^T our L.
func (openblas) potrf(n int, a []float64, lda int) bool {
	if n == 0 {
		return true
	}
	uplo := C.char('U')
	cn, clda := C.int(n), C.int(lda)
	var info C.int
	C.dpotrf_(&uplo, &cn, (*C.double)(unsafe.Pointer(&a[0])), &clda, &info)
	return info == 0
}

// potrs solves with the factor from potrf. b is row-major n x nrhs; Fortran
// wants it column-major, so for one right-hand side it is used as it is and for
// several it is transposed through a scratch copy.
func (openblas) potrs(n, nrhs int, l []float64, lda int, b []float64, ldb int) {
	if n == 0 || nrhs == 0 {
		return
	}
	uplo := C.char('U')
	cn, cr, clda := C.int(n), C.int(nrhs), C.int(lda)
	var info C.int
	if nrhs == 1 && ldb == 1 {
		cldb := C.int(n)
		C.dpotrs_(&uplo, &cn, &cr, (*C.double)(unsafe.Pointer(&l[0])), &clda, (*C.double)(unsafe.Pointer(&b[0])), &cldb, &info)
		return
	}
	t := make([]float64, n*nrhs)
	for i := 0; i < n; i++ {
		for j := 0; j < nrhs; j++ {
			t[j*n+i] = b[i*ldb+j]
		}
	}
	cldb := C.int(n)
	C.dpotrs_(&uplo, &cn, &cr, (*C.double)(unsafe.Pointer(&l[0])), &clda, (*C.double)(unsafe.Pointer(&t[0])), &cldb, &info)
	for i := 0; i < n; i++ {
		for j := 0; j < nrhs; j++ {
			b[i*ldb+j] = t[j*n+i]
		}
	}
}

// potrf32 and potrs32 are potrf and potrs in single precision, one right-hand side.
func (openblas) potrf32(n int, a []float32, lda int) bool {
	if n == 0 {
		return true
	}
	uplo := C.char('U')
	cn, clda := C.int(n), C.int(lda)
	var info C.int
	C.spotrf_(&uplo, &cn, (*C.float)(unsafe.Pointer(&a[0])), &clda, &info)
	return info == 0
}

func (openblas) potrs32(n int, l []float32, lda int, b []float32) {
	if n == 0 {
		return
	}
	uplo := C.char('U')
	cn, one, clda := C.int(n), C.int(1), C.int(lda)
	var info C.int
	C.spotrs_(&uplo, &cn, &one, (*C.float)(unsafe.Pointer(&l[0])), &clda, (*C.float)(unsafe.Pointer(&b[0])), &cn, &info)
}

func (openblas) setThreads(n int) { C.openblas_set_num_threads(C.int(n)) }

func (openblas) version() string { return C.GoString(C.openblas_get_config()) }

// loadedCore is the name of the kernels OpenBLAS chose when it loaded, e.g.
// "Haswell", "SkylakeX" or, for a CPU it does not know, "Prescott".
func loadedCore() string { return C.GoString(C.openblas_get_corename()) }

// ReexecForCore replaces the process by itself with OPENBLAS_CORETYPE set to
// CoreFix's kernels when CoreFix names some, and returns nil without doing
// anything otherwise. OpenBLAS picks its kernels once, as the library loads
// (before any Go code runs), so the choice can only be changed by starting
// again. The arguments and the rest of the environment are kept; the new
// process sees OPENBLAS_CORETYPE set and does not start again. A failed exec
// is returned and the process goes on with the kernels it has.
func ReexecForCore() error {
	core := CoreFix()
	if core == "" {
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	return syscall.Exec(exe, os.Args, append(os.Environ(), "OPENBLAS_CORETYPE="+core))
}
