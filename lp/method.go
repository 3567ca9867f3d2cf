package lp

import (
	"github.com/lamcap/lamcap/model"
)

// Method names a solver of the bounded-margin LP.
type Method string

const (
	// Auto picks by size: the simplex below IPMFromD, the interior-point
	// method from there on.
	Auto Method = "auto"
	// MethodSimplex is lamcap's implicit-pricing simplex (Simplex): fastest at
	// small d, and it grows an instance warm.
	MethodSimplex Method = "simplex"
	// MethodIPM is the structured interior-point method (IPM): level-3 BLAS,
	// the only one that reaches d = 48..128.
	MethodIPM Method = "ipm"
	// MethodHiGHS is HiGHS constraint generation (highs.MarginSolver), which
	// package lp/highs registers when imported (feasibility imports it).
	MethodHiGHS Method = "highs"
)

// IPMFromD is the smallest d at which Auto picks the interior-point method.
// Measured on 2 cores (BenchmarkMethods, docs/benchmarks.md): at d = 16 a cold verdict near
// the threshold takes the simplex 0.20 s and the IPM about the same; from d = 20
// on the IPM is faster cold, and at d = 24 the simplex's cold verdicts stall on
// some instances (> 120 s) where the IPM takes under a second. Threshold
// searches keep the simplex's warm growth below this d.
const IPMFromD = 20

// ParseMethod reads auto or the name of a registered solver (simplex, ipm,
// highs, and any added by Register).
func ParseMethod(s string) (Method, error) {
	m := Method(s)
	switch m {
	case Auto:
		return m, nil
	case "":
		return Auto, nil
	}
	if _, ok := m.Capabilities(); ok {
		return m, nil
	}
	return "", unknownMethod(s)
}

// For resolves Auto (and the empty Method) for instances of dimension d under
// row form rows to the solver Auto prefers (autoChain): Dense or Lifted rows
// mean HiGHS, as they always have.
func (m Method) For(d int, rows Rows) Method {
	if m != Auto && m != "" {
		return m
	}
	return autoChain(d, rows)[0]
}

// Stop says when an interior-point solve may end before the optimum.
type Stop int

const (
	// StopOptimal solves to optimality: Solution.T is t*.
	StopOptimal Stop = iota
	// StopNotStorable ends as soon as the duals certify not storable (t* = 0
	// then, so nothing is lost); a storable answer still carries t*.
	StopNotStorable
	// StopSized ends a not-storable solve as StopNotStorable does, and a
	// storable one once its W is certified and the duality gap is below
	// SizedGap of t: T is then t* to that relative accuracy (a lower bound).
	// Threshold searches use it: they need the size of t*, not its last digits.
	StopSized
	// StopVerdict ends at the first certified iterate either way; a storable
	// answer's T is then only a lower bound on t*.
	StopVerdict
)

// SizedGap is the relative accuracy of t* at which StopSized ends a storable
// solve.
const SizedGap = 1e-3

// DefaultEps is the relative tolerance of not-storable certificates: a
// certificate says that no W with |W_ij| <= 1 has every margin above eps times
// that margin's own largest value |a_r|_1 = |y_mu - c_(mu,v)|_1 |x_mu|_1
// (CheckNotStorable), so verdicts do not change when the data, or any one
// input, are scaled. Solvers that test a residual themselves call
// CheckNotStorable.
const DefaultEps = 1e-6

// NewSolver returns the solver opts.Method names, in its fallback chain
// (Chain). Auto takes the first solver of its preferences (autoChain) that
// supports in (Capabilities.Supports). A name no solver is registered under
// (HiGHS without package lp/highs) gets the simplex.
func NewSolver(in *model.Instance, opts Options) *Chain {
	m := Resolve(in, opts)
	caps, ok := m.Capabilities()
	if !ok {
		m = MethodSimplex
		caps, _ = m.Capabilities()
	}
	return NewChain(caps.New(in, opts), m, opts)
}

// Resolve is the solver NewSolver uses for in: opts.Method, or for Auto the
// first solver of Auto's chain that supports in.
func Resolve(in *model.Instance, opts Options) Method {
	m := opts.Method
	if m != Auto && m != "" {
		return m
	}
	chain := autoChain(in.D, opts.Rows)
	for _, c := range chain {
		if caps, ok := c.Capabilities(); ok && (caps.Supports == nil || caps.Supports(in) == nil) {
			return c
		}
	}
	return chain[len(chain)-1]
}

// Precision chooses the arithmetic of the interior-point normal equations. The
// verdict does not depend on it (certificates are checked in double precision
// outside the solver); the time does.
type Precision int

const (
	// PrecisionAuto factors in single precision, refined to double accuracy by
	// conjugate gradients, where that is faster: from d = 48 on (IPMSingleFrom),
	// when the BLAS has single precision (OpenBLAS). An iteration whose refinement
	// does not converge is refactored in double precision, and so is the rest of
	// the solve.
	PrecisionAuto Precision = iota
	// PrecisionDouble factors in double precision throughout.
	PrecisionDouble
	// PrecisionMixed is PrecisionAuto at every size (for tests and measurements).
	PrecisionMixed
)

// IPMSingleFrom is the dimension from which PrecisionAuto factors in single
// precision. Measured (2 cores, OpenBLAS 0.3.21): the single-precision Cholesky
// is 2.1x faster at order 4097 and 2.4x at 9217, but below d = 48 the
// factorisation is a small part of an iteration and the refinement's extra
// solves cost more than it saves.
const IPMSingleFrom = 48
