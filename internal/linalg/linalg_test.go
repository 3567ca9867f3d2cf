package linalg

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/mat"
)

// spd returns a random symmetric positive definite n x n matrix, row-major.
func spd(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	b := mat.NewDense(n, n+3, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n+3; j++ {
			b.Set(i, j, r.NormFloat64())
		}
	}
	var a mat.Dense
	a.Mul(b, b.T())
	return a.RawMatrix().Data
}

// TestCholeskyBackendsAgree factors and solves with every backend and checks the
// residual of the solve directly against the original matrix (an independent
// check), and that the two backends agree.
func TestCholeskyBackendsAgree(t *testing.T) {
	defer Use(Current())
	const n, nrhs = 150, 3
	a := spd(n, 7)
	rhs := make([]float64, n*nrhs)
	for i := range rhs {
		rhs[i] = float64(i%11) - 5
	}
	var sols [][]float64
	for _, b := range Available() {
		if err := Use(b); err != nil {
			t.Fatal(err)
		}
		l := append([]float64(nil), a...)
		if !Cholesky(n, l, n) {
			t.Fatalf("%s: Cholesky failed on an SPD matrix", b)
		}
		x := append([]float64(nil), rhs...)
		CholeskySolve(n, nrhs, l, n, x, nrhs)
		var res float64
		for i := 0; i < n; i++ {
			for k := 0; k < nrhs; k++ {
				s := -rhs[i*nrhs+k]
				for j := 0; j < n; j++ {
					s += a[i*n+j] * x[j*nrhs+k]
				}
				res = math.Max(res, math.Abs(s))
			}
		}
		if res > 1e-8 {
			t.Errorf("%s: residual %g", b, res)
		}
		one := append([]float64(nil), rhs[:n]...)
		for i := range one {
			one[i] = rhs[i*nrhs]
		}
		CholeskySolve(n, 1, l, n, one, 1)
		for i := range one {
			if math.Abs(one[i]-x[i*nrhs]) > 1e-10 {
				t.Fatalf("%s: single right-hand side differs from the first of three at %d", b, i)
			}
		}
		sols = append(sols, x)
	}
	for i := 1; i < len(sols); i++ {
		for j := range sols[0] {
			if math.Abs(sols[i][j]-sols[0][j]) > 1e-9*(1+math.Abs(sols[0][j])) {
				t.Fatalf("backends disagree at %d: %g vs %g", j, sols[0][j], sols[i][j])
			}
		}
	}
}

func TestCholeskyRejectsIndefinite(t *testing.T) {
	defer Use(Current())
	for _, b := range Available() {
		if err := Use(b); err != nil {
			t.Fatal(err)
		}
		a := []float64{1, 2, 2, 1} // eigenvalues 3 and -1
		if Cholesky(2, a, 2) {
			t.Errorf("%s: Cholesky accepted an indefinite matrix", b)
		}
	}
}

func TestUseUnknown(t *testing.T) {
	if err := Use("mkl"); err == nil {
		t.Fatal("Use accepted an unknown backend")
	}
}

// TestCholesky32 solves in single precision and checks the residual against the
// double-precision matrix (single precision: relative residual near 1e-6), and
// that the gonum backend says it has no single precision.
func TestCholesky32(t *testing.T) {
	defer Use(Current())
	const n = 120
	a := spd(n, 11)
	for _, b := range Available() {
		if err := Use(b); err != nil {
			t.Fatal(err)
		}
		l := make([]float32, n*n)
		for i := range a {
			l[i] = float32(a[i])
		}
		ok := Cholesky32(n, l, n)
		if ok != Single() || Single() != (b == OpenBLAS) {
			t.Fatalf("%s: Cholesky32 returned %v, Single %v", b, ok, Single())
		}
		if !ok {
			continue
		}
		rhs := make([]float32, n)
		for i := range rhs {
			rhs[i] = float32(i%7) - 3
		}
		x := append([]float32(nil), rhs...)
		CholeskySolve32(n, l, n, x)
		var res, norm float64
		for i := 0; i < n; i++ {
			s := -float64(rhs[i])
			for j := 0; j < n; j++ {
				s += a[i*n+j] * float64(x[j])
			}
			res = math.Max(res, math.Abs(s))
			norm = math.Max(norm, math.Abs(float64(rhs[i])))
		}
		if res > 1e-3*norm || res < 1e-12*norm {
			t.Errorf("%s: single-precision residual %g (rhs norm %g): not single precision", b, res, norm)
		}
		bad := []float32{1, 2, 2, 1}
		if Cholesky32(2, bad, 2) {
			t.Errorf("%s: Cholesky32 accepted an indefinite matrix", b)
		}
	}
}

// TestGemm32 holds the single-precision product against the same product in
// double precision, entry by entry within the bound of a single-precision sum,
// k eps32 sum_l |a_il| |b_lj| (the standard bound; a blocked or FMA sum stays
// inside it), and not so close that it could have been computed in double.
func TestGemm32(t *testing.T) {
	defer Use(Current())
	if err := Use(OpenBLAS); err != nil {
		t.Skip("no OpenBLAS in this binary")
	}
	const m, n, k = 37, 29, 301
	a, b := make([]float32, k*m), make([]float32, k*n) // op(A) = A^T: A is k x m
	x := uint64(5)
	next := func() float32 {
		x = x*6364136223846793005 + 1442695040888963407
		return float32(int64(x>>11)%2001-1000) / 997
	}
	for i := range a {
		a[i] = next()
	}
	for i := range b {
		b[i] = next()
	}
	c := make([]float32, m*n)
	Gemm32(blas.Trans, blas.NoTrans, m, n, k, 1, a, m, b, n, 0, c, n)
	const eps32 = 0x1p-24
	var worst float64
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var exact, abs float64
			for l := 0; l < k; l++ {
				exact += float64(a[l*m+i]) * float64(b[l*n+j])
				abs += math.Abs(float64(a[l*m+i]) * float64(b[l*n+j]))
			}
			err := math.Abs(float64(c[i*n+j]) - exact)
			if err > k*eps32*abs {
				t.Fatalf("C[%d,%d] = %g, double %g: error %g beyond k eps32 sum|a||b| = %g", i, j, c[i*n+j], exact, err, k*eps32*abs)
			}
			worst = math.Max(worst, err/abs)
		}
	}
	if worst < 1e-10 {
		t.Errorf("largest relative error %g: not a single-precision product", worst)
	}
}
