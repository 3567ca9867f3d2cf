package lp

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/model"
)

// denseNormal is the plain second normal system, a test double for the seam:
// it forms G^T D G from the instance's explicit rows g_r = [a_r, -1] with
// a_r = (y_mu - c_v) (x) x_mu, v over the slots but Own(mu) (small d and p
// only: the rows are m x (n+1)),
// and factors it with gonum's mat.Cholesky in double precision, shifting the
// diagonal as cpuNormal's double path does when Cholesky fails. It shares no
// code with cpuNormal: no Kronecker structure, no packing, no single precision.
type denseNormal struct {
	p, n  int
	own   []int      // own[mu]: Instance.Own(mu); the slots are len(dm) / p
	rows  *mat.Dense // m x n: a_r for r = (mu, v), v != Own(mu), in row-major (mu, v) order
	h     *mat.SymDense
	chol  mat.Cholesky
	order int
}

func newDenseNormal(s *IPM, _ *ipmWork) normalSystem {
	in, p, d := s.in, s.p, s.d
	n := d * d
	rows := mat.NewDense(in.Rows(), n, nil)
	own := make([]int, p)
	r := 0
	for mu := 0; mu < p; mu++ {
		own[mu] = in.Own(mu)
		x, y := in.X.RawRowView(mu), in.Y.RawRowView(mu)
		for v := 0; v < in.Slots(); v++ {
			if v == own[mu] {
				continue
			}
			c, row := in.Competitor(mu, v), rows.RawRowView(r)
			for i := 0; i < d; i++ {
				for j := 0; j < d; j++ {
					row[i*d+j] = (y[i] - c[i]) * x[j]
				}
			}
			r++
		}
	}
	return &denseNormal{p: p, n: n, own: own, rows: rows}
}

func (dn *denseNormal) factor(sc normalScaling) error {
	p, n := dn.p, dn.n
	dn.order = n
	if sc.border {
		dn.order = n + 1
	}
	// Bt (order x m): column r is sqrt(D_r) g_r; H = Bt Bt^T + box diagonal.
	m, _ := dn.rows.Dims()
	q := len(sc.dm) / p
	bt := mat.NewDense(dn.order, m, nil)
	r := 0
	for mu := 0; mu < p; mu++ {
		for v := 0; v < q; v++ {
			if v == dn.own[mu] {
				continue
			}
			sq := math.Sqrt(sc.dm[mu*q+v])
			for k, a := range dn.rows.RawRowView(r) {
				bt.Set(k, r, sq*a)
			}
			if sc.border {
				bt.Set(n, r, -sq)
			}
			r++
		}
	}
	base := mat.NewSymDense(dn.order, nil)
	base.SymOuterK(1, bt)
	maxDiag := 0.0
	for k := 0; k < dn.order; k++ {
		if k < n {
			base.SetSym(k, k, base.At(k, k)+sc.du[k]+sc.dl[k])
		}
		maxDiag = math.Max(maxDiag, base.At(k, k))
	}
	shift := 0.0
	for try := 0; try < ipmRegTries; try++ {
		dn.h = mat.NewSymDense(dn.order, nil)
		dn.h.CopySym(base)
		for k := 0; k < dn.order; k++ {
			dn.h.SetSym(k, k, base.At(k, k)+shift)
		}
		if dn.chol.Factorize(dn.h) {
			return nil
		}
		if shift == 0 {
			shift = ipmRegStart * maxDiag
		} else {
			shift *= ipmRegGrowth
		}
	}
	return fmt.Errorf("%w: dense normal matrix not positive definite", ErrIPMNumerics)
}

func (dn *denseNormal) solve(b []float64) error {
	x := mat.NewVecDense(dn.order, nil)
	if err := dn.chol.SolveVecTo(x, mat.NewVecDense(dn.order, b[:dn.order])); err != nil {
		if _, ok := err.(mat.Condition); !ok {
			return err
		}
	}
	copy(b, x.RawVector().Data)
	return nil
}

func (dn *denseNormal) roughSolve(b []float64) { _ = dn.solve(b) }

func (dn *denseNormal) apply(dst, z []float64) {
	y := mat.NewVecDense(dn.order, dst[:dn.order])
	y.MulVec(dn.h, mat.NewVecDense(dn.order, z[:dn.order]))
}

// The shared Mehrotra iteration runs on the plain dense normal system and
// agrees with the CPU one: the same status and t* for the LP (run to the
// optimum and stopped at the first certified verdict), the same kappa* for the
// max-margin QP, and iteration counts within one, on storable and not-storable
// instances of the coupled, decoupled and vocabulary models (V = 2, 4 with
// Zipf answers, 16). And the two systems' matrices agree: H z from each after
// the same factor.
func TestIPMNormalSeamDoubleAgrees(t *testing.T) {
	ctx := context.Background()
	// Allowed differences between the two systems: the iterates differ by
	// rounding only (1e-12 or so), which moves t* far less than this. A
	// sign-only solve stops far from rounding level, so its iteration counts
	// agree within itTol. A solve to the optimum ends where the stopping test
	// reads quantities at rounding level (ipm.go), so its count moves with the
	// BLAS kernel's rounding: itTolOptimal (seen: 9 against 11 iterations on
	// an AVX-512 machine, vocabulary-16 d = 4, p = 4, the same t* to 1e-12).
	const tTol, kappaTol, itTol, itTolOptimal = 1e-8, 1e-8, 1, 3
	var lpRuns, qpRuns int
	kinds := append([]model.Model{model.Coupled, model.Decoupled}, seamVocabularies(t)...)
	for _, kind := range kinds {
		for _, c := range []struct{ d, p int }{{4, 4}, {4, 6}, {4, 12}, {5, 6}, {5, 10}, {5, 18}, {6, 8}, {6, 14}, {6, 22}} {
			in, err := model.NewInstance(model.Random{D: c.d, Seed: uint64(c.p), Kind: kind}, c.p)
			if err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("%v d=%d p=%d", kind, c.d, c.p)
			for _, stop := range []Stop{StopOptimal, StopVerdict} {
				o := Options{Precision: PrecisionDouble, Stop: stop}
				cpu, dbl := NewIPM(in, o), NewIPM(in, o)
				dbl.normal = newDenseNormal
				a, err := cpu.Solve(ctx)
				if err != nil {
					t.Fatalf("%s stop %v, CPU: %v", name, stop, err)
				}
				b, err := dbl.Solve(ctx)
				if err != nil {
					t.Fatalf("%s stop %v, dense: %v", name, stop, err)
				}
				its := itTol
				if stop == StopOptimal {
					its = itTolOptimal
				}
				if a.Status != b.Status || math.Abs(a.T-b.T) > tTol || abs(a.Iterations-b.Iterations) > its {
					t.Errorf("%s stop %v: CPU %q t=%.12g in %d iterations, dense %q t=%.12g in %d", name, stop, a.Status, a.T, a.Iterations, b.Status, b.T, b.Iterations)
				}
				t.Logf("%s stop %v: %q t=%.6g, %d iterations CPU, %d dense", name, stop, a.Status, a.T, a.Iterations, b.Iterations)
				lpRuns++
			}
			cpu, dbl := NewIPM(in, Options{}), NewIPM(in, Options{})
			dbl.normal = newDenseNormal
			a, errA := cpu.SolveMaxMargin(ctx)
			b, errB := dbl.SolveMaxMargin(ctx)
			if (errA == nil) != (errB == nil) {
				t.Fatalf("%s max margin: CPU error %v, dense error %v", name, errA, errB)
			}
			if errA != nil {
				continue // not storable: neither converges
			}
			ka, kb := float64(c.d)/mat.Norm(a.W, 2), float64(c.d)/mat.Norm(b.W, 2)
			if math.Abs(ka-kb) > kappaTol*ka || abs(a.Iterations-b.Iterations) > itTolOptimal {
				t.Errorf("%s max margin: CPU kappa*=%.12g in %d iterations, dense %.12g in %d", name, ka, a.Iterations, kb, b.Iterations)
			}
			t.Logf("%s max margin: kappa*=%.6g, %d iterations CPU, %d dense", name, ka, a.Iterations, b.Iterations)
			qpRuns++
		}
	}
	if lpRuns < 90 || qpRuns < 15 {
		t.Fatalf("only %d LP and %d QP comparisons ran", lpRuns, qpRuns)
	}
	// The matrices themselves, LP and QP, for one random scaling.
	for _, kind := range kinds {
		const d, p = 4, 9
		in, _ := model.NewInstance(model.Random{D: d, Seed: 5, Kind: kind}, p)
		s := NewIPM(in, Options{Precision: PrecisionDouble})
		if _, err := s.begin(); err != nil {
			t.Fatal(err)
		}
		wk := s.newWork()
		r := rand.New(rand.NewPCG(3, 4))
		for i := range wk.dm {
			if !s.inert(i) {
				wk.dm[i] = r.ExpFloat64()
			}
		}
		for k := range wk.du {
			wk.du[k], wk.dl[k] = r.ExpFloat64(), r.ExpFloat64()
		}
		z := make([]float64, d*d+1)
		for k := range z {
			z[k] = r.NormFloat64()
		}
		for _, border := range []bool{true, false} {
			sc := normalScaling{dm: wk.dm, du: wk.du, dl: wk.dl, border: border}
			cpu, dbl := s.newNormal(wk), newDenseNormal(s, wk)
			if err := cpu.factor(sc); err != nil {
				t.Fatal(err)
			}
			if err := dbl.factor(sc); err != nil {
				t.Fatal(err)
			}
			order := d * d
			if border {
				order++
			}
			hc, hd := make([]float64, order), make([]float64, order)
			cpu.apply(hc, z)
			dbl.apply(hd, z)
			if diff := floats.Distance(hc, hd, math.Inf(1)); diff > 1e-12*floats.Norm(hd, math.Inf(1)) {
				t.Errorf("%v border %v: H z differs by %g", kind, border, diff)
			}
			// And each solve inverts the other's matrix.
			x := append([]float64(nil), hd...)
			if err := cpu.solve(x); err != nil {
				t.Fatal(err)
			}
			if diff := floats.Distance(x[:order], z[:order], math.Inf(1)); diff > 1e-9*floats.Norm(z, math.Inf(1)) {
				t.Errorf("%v border %v: CPU solve of the dense H z is off by %g", kind, border, diff)
			}
		}
	}
}

// seamVocabularies are the vocabulary models the seam test runs: V = 2 and
// 16 with uniform answers, V = 4 with Zipf answers (exponent 1.1).
func seamVocabularies(t *testing.T) []model.Model {
	t.Helper()
	var out []model.Model
	for _, c := range []struct {
		v int
		a model.Answers
	}{{2, model.Answers{Kind: model.Uniform}}, {4, model.Answers{Kind: model.Zipf, S: 1.1}}, {16, model.Answers{Kind: model.Uniform}}} {
		m, err := model.Vocabulary(c.v, c.a)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func abs(k int) int {
	if k < 0 {
		return -k
	}
	return k
}
