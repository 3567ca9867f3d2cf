// Package linalg chooses the BLAS under gonum and supplies the dense Cholesky
// factorisation lamcap's interior-point solver needs.
//
// Two backends exist:
//   - "openblas": Debian's OpenBLAS through cgo (gonum.org/v1/netlib/blas/netlib for
//     the BLAS, and LAPACK's dpotrf/dpotrs from the same library for Cholesky). It is
//     the default when the binary was built with cgo and without the noopenblas tag.
//   - "gonum": gonum's pure-Go BLAS and LAPACK, always present, the fallback.
//
// Use switches the backend for the whole process: gonum's mat package (through
// blas64.Use) and this package's Cholesky both follow it. SetThreads sets how many
// threads OpenBLAS may use; callers that run several solves at once give each a
// share of the cores (see Share), so that the machine is never oversubscribed.
//
// Contract: both backends give the same answers up to rounding; Cholesky reports
// failure (a matrix that is not numerically positive definite) as false, never by
// panicking.
package linalg
