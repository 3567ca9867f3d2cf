package lp

// normalSystem is the seam between the interior-point iteration (mehrotra) and
// its linear algebra: the normal matrix of one iteration,
//
//	LP (order n+1):  [A^T D A + diag(du + dl), -A^T D 1; -1^T D A, 1^T D 1]
//	QP (order n):     A^T D A + diag(du + dl)   (du = 1, dl = 0: I + A^T D A)
//
// with D = diag(dm) on the margin rows (p(Slots() - 1) of them). An implementation forms it for
// the scalings it is given, factors it (choosing its own precision and
// diagonal shift), solves with the factor and applies the matrix. The
// iteration asks nothing else of it: the products with A itself (margins,
// transpose) stay with the problem, which is where the instance lives.
//
// cpuNormal is the implementation lamcap runs (OpenBLAS or gonum, the
// Kronecker-structured GEMM and a mixed-precision dense Cholesky). Another
// backend (a GPU's cuSOLVER, ScaLAPACK across nodes) is one more
// implementation in its own file behind a build tag, with its own
// backendNormal (normal_backend.go's build constraint then excludes that tag).
type normalSystem interface {
	// factor forms and factors the normal matrix for sc. It fails (with
	// ErrIPMNumerics) when the matrix cannot be factored even after its shifts.
	factor(sc normalScaling) error
	// solve overwrites b (the system's order) with the solution of the
	// normal equations of the last factor, to double accuracy.
	solve(b []float64) error
	// roughSolve is solve without refinement: the factor alone (the LP's dual
	// polish tolerates its error).
	roughSolve(b []float64)
	// apply writes the normal matrix of the last factor times z into dst.
	apply(dst, z []float64)
}

// normalScaling is the diagonal scaling a normal matrix is formed for.
type normalScaling struct {
	dm     []float64 // p x Slots() margin scalings lambda / slack (row (mu, v) at mu*Slots()+v; own slots unused)
	du, dl []float64 // n box scalings, summed on the diagonal
	border bool      // the LP's t row and column (order n+1); without, the QP's order n
}

// newNormal returns the normal system a solve of s uses: s.normal if a test set
// one, otherwise the build's backend (backendNormal). wk is the solve's work
// space.
func (s *IPM) newNormal(wk *ipmWork) normalSystem {
	if s.normal != nil {
		return s.normal(s, wk)
	}
	return backendNormal(s, wk)
}
