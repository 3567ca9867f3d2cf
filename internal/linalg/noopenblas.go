//go:build !cgo || noopenblas

package linalg

// nativeBackend: this binary has no cgo BLAS; gonum's pure-Go one is used.
func nativeBackend() backend { return nil }

// loadedCore: no OpenBLAS, no kernels to name.
func loadedCore() string { return "" }

// ReexecForCore does nothing without OpenBLAS.
func ReexecForCore() error { return nil }
