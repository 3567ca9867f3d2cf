//go:build !cgo || noopenblas

package linalg

// nativeBackend: this binary has no cgo BLAS; gonum's pure-Go one is used.
func nativeBackend() backend { return nil }
