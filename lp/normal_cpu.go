package lp

import (
	"fmt"
	"math"
	"sync"
	"time"
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"

	"github.com/lamcap/lamcap/internal/linalg"
)

// cpuNormal is the normal system on this machine's BLAS (internal/linalg:
// OpenBLAS, or gonum's pure Go under the noopenblas tag): A^T D A formed from
// the instance's Kronecker structure by one GEMM of packed factors (formGram,
// fillNormal), factored by a dense Cholesky, in single precision with
// conjugate-gradient refinement while that works and in double precision with
// diagonal shifts otherwise (factor, solveNormal). Its matrix and scalings
// live in the solve's work space wk.
type cpuNormal struct {
	s      *IPM
	wk     *ipmWork
	border bool // the last factor was the LP's (order n+1)
	tmp    []float64
}

func (c *cpuNormal) factor(sc normalScaling) error {
	wk := c.wk
	// The structured code reads the scalings from the work space.
	for _, v := range [][2][]float64{{wk.dm, sc.dm}, {wk.du, sc.du}, {wk.dl, sc.dl}} {
		if &v[0][0] != &v[1][0] {
			copy(v[0], v[1])
		}
	}
	c.border = sc.border
	if sc.border {
		return c.s.factor(wk)
	}
	c.s.formGram(wk)
	if !c.s.factorQP(wk) {
		if err := wk.cancelled(); err != nil {
			return err
		}
		return fmt.Errorf("%w: max-margin normal matrix not positive definite", ErrIPMNumerics)
	}
	return nil
}

func (c *cpuNormal) solve(b []float64) error {
	if c.border {
		return c.s.solveNormal(c.wk, b)
	}
	n := c.s.n
	linalg.CholeskySolve(n, 1, c.wk.h[:n*n], n, b, 1)
	return nil
}

func (c *cpuNormal) roughSolve(b []float64) {
	if c.border {
		c.s.roughSolve(c.wk, b)
		return
	}
	n := c.s.n
	linalg.CholeskySolve(n, 1, c.wk.h[:n*n], n, b, 1)
}

// apply is applyNormal; without the border, with a zero t component.
func (c *cpuNormal) apply(dst, z []float64) {
	s, wk := c.s, c.wk
	if wk.pcgM == nil {
		wk.pcgM = make([]float64, s.p*s.slots)
	}
	if c.border {
		s.applyNormal(dst, z, wk)
		return
	}
	n := s.n
	if c.tmp == nil {
		c.tmp = make([]float64, 2*(n+1))
	}
	zz, out := c.tmp[:n+1], c.tmp[n+1:]
	copy(zz, z[:n])
	zz[n] = 0
	s.applyNormal(out, zz, wk)
	copy(dst[:n], out[:n])
}

// factor forms the normal matrix [A^T D A + Du + Dl, -A^T D 1; ., sum D] and
// factors it: in single precision when the solve may (IPM.single; solveNormal
// then refines every solution to double accuracy), otherwise, or when single
// precision fails, in double precision, shifting the diagonal when Cholesky
// fails.
func (s *IPM) factor(wk *ipmWork) error {
	defer addWall(&s.last.wall.factor, time.Now())
	t0 := time.Now()
	s.formGramRows(wk)
	addWall(&s.last.wall.formGram, t0)
	wk.gram32 = s.single && !wk.noSingle && (s.coupled || !s.applyGram) && !s.noGram32 && wk.cancelled() == nil && s.gramProduct32(wk)
	if wk.gram32 {
		s.last.gram32++
	} else {
		s.gramProduct(wk)
	}
	if err := wk.cancelled(); err != nil {
		return err
	}
	n := s.n
	s.gramBorder(wk)
	wk.sumD = 0
	for mu := 0; mu < s.p; mu++ {
		for v := 0; v < s.slots; v++ {
			if v != s.own[mu] {
				wk.sumD += wk.dm[mu*s.slots+v]
			}
		}
	}
	wk.single = false
	if s.single && !wk.noSingle {
		// A single-precision Cholesky breaks down when rounding makes a pivot
		// negative (the normal matrix's condition grows towards the optimum).
		// The factor is only a preconditioner: the conjugate gradients apply
		// the exact operator (applyNormal), so a factor of H + shift I serves
		// as well while they converge, and costs half a double factor. The
		// relative shift that worked is kept for the rest of the solve
		// (wk.shift32), since the condition does not improve.
		h := wk.h32()
		rel := wk.shift32
		tries := ipmShift32Tries
		if s.fixedPCG {
			tries = 0
		}
		for try := 0; try <= tries; try++ {
			var maxDiag float64
			if wk.gram32 {
				maxDiag = fillNormal(s, wk, h, wk.gs32(), 0)
			} else {
				maxDiag = fillNormal(s, wk, h, wk.gs, 0)
			}
			shift := rel * math.Max(maxDiag, wk.sumD)
			if shift > 0 {
				for k := 0; k < n; k++ {
					h[k*(n+1)+k] += float32(shift)
				}
			}
			for k, b := range wk.border {
				h[n*(n+1)+k] = float32(b)
			}
			h[n*(n+1)+n] = float32(wk.sumD + shift)
			if err := wk.cancelled(); err != nil {
				return err
			}
			if linalg.Cholesky32(n+1, h, n+1) {
				wk.single, wk.shift32 = true, rel
				s.last.single++
				if rel > 0 {
					s.last.shifted++
				}
				return nil
			}
			if rel == 0 {
				rel = ipmShift32Start
			} else {
				rel *= ipmShift32Growth
			}
		}
		wk.noSingle = true
	}
	return s.factorDouble(wk)
}

// factorDouble fills and factors the normal matrix in double precision from the
// Gram matrix and border of this iteration, shifting the diagonal when Cholesky
// fails.
func (s *IPM) factorDouble(wk *ipmWork) error {
	n := s.n
	if wk.gram32 {
		// The single-precision Gram matrix was good enough for a
		// preconditioner that failed: form the double one from the same
		// rows (wk.p1 is intact).
		s.gramProduct(wk)
		wk.gram32 = false
		if err := wk.cancelled(); err != nil {
			return err
		}
	}
	wk.single = false
	s.last.double++
	shift := 0.0
	for try := 0; try < ipmRegTries; try++ {
		maxDiag := s.fillNormal(wk, shift)
		copy(wk.h[n*(n+1):], wk.border)
		wk.h[n*(n+1)+n] = wk.sumD + shift
		if err := wk.cancelled(); err != nil {
			return err
		}
		if linalg.Cholesky(n+1, wk.h, n+1) {
			return nil
		}
		if shift == 0 {
			shift = ipmRegStart * math.Max(maxDiag, wk.sumD)
		} else {
			shift *= ipmRegGrowth
		}
	}
	return fmt.Errorf("%w: normal matrix not positive definite after regularisation", ErrIPMNumerics)
}

// h32 is the normal matrix's buffer seen as single precision: the single-
// precision factor lives in the first half of the double-precision buffer, so
// that the mixed-precision path needs no more memory than the double one.
func (wk *ipmWork) h32() []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(&wk.h[0])), len(wk.h))
}

// solveNormal overwrites b (length n+1) with the solution of the normal
// equations of this iteration. With a single-precision factor it runs
// preconditioned conjugate gradients on the exact (matrix-free, double
// precision) normal operator, preconditioned by that factor; when they do not
// reach ipmPCGTol in pcgBudget steps, the iteration is refactored in double
// precision and so is the rest of the solve.
func (s *IPM) solveNormal(wk *ipmWork, b []float64) error {
	n := s.n
	if wk.single {
		if s.pcg(wk, b) {
			return nil
		}
		if err := wk.cancelled(); err != nil {
			return err
		}
		wk.noSingle = true
		copy(b, wk.pcgB)
		if err := s.factorDouble(wk); err != nil {
			return err
		}
	}
	linalg.CholeskySolve(n+1, 1, wk.h, n+1, b, 1)
	return nil
}

// pcg solves H x = b by conjugate gradients preconditioned with the single-
// precision Cholesky factor of H, H applied matrix-free in double precision
// (applyNormal). It overwrites b with x and reports whether the residual fell
// below ipmPCGTol |b|; b's original is kept in wk.pcgB.
func (s *IPM) pcg(wk *ipmWork, b []float64) bool {
	if wk.pcgB == nil {
		f := func() []float64 { return make([]float64, s.n+1) }
		wk.pcgB, wk.pcgX, wk.pcgR, wk.pcgZ, wk.pcgP, wk.pcgQ = f(), f(), f(), f(), f(), f()
		wk.pcgM, wk.b32 = make([]float64, s.p*s.slots), make([]float32, s.n+1)
	}
	bb, x, r, z, pv, q := wk.pcgB, wk.pcgX, wk.pcgR, wk.pcgZ, wk.pcgP, wk.pcgQ
	copy(bb, b)
	bnorm := floats.Norm(bb, 2)
	if bnorm == 0 {
		return true
	}
	s.precondition(wk, x, bb)
	s.applyNormal(q, x, wk)
	floats.SubTo(r, bb, q)
	s.precondition(wk, z, r)
	copy(pv, z)
	rz := floats.Dot(r, z)
	for k := 0; ; k++ {
		if floats.Norm(r, 2) <= ipmPCGTol*bnorm {
			copy(b, x)
			wk.pcgSteps += k
			return true
		}
		if k == s.pcgBudget() || wk.cancelled() != nil {
			return false
		}
		s.applyNormal(q, pv, wk)
		pq := floats.Dot(pv, q)
		if !(pq > 0) {
			return false
		}
		alpha := rz / pq
		floats.AddScaled(x, alpha, pv)
		floats.AddScaled(r, -alpha, q)
		s.precondition(wk, z, r)
		rzNew := floats.Dot(r, z)
		beta := rzNew / rz
		rz = rzNew
		for i := range pv {
			pv[i] = z[i] + beta*pv[i]
		}
	}
}

// pcgBudget is the number of conjugate-gradient steps a solve with a
// single-precision factor may take before the solve turns to double
// precision: n/ipmPCGPerStep for the normal matrix's order n, within
// [ipmPCGMin, ipmPCGMax] (ipmPCGMin with IPM.fixedPCG).
func (s *IPM) pcgBudget() int {
	if s.fixedPCG {
		return ipmPCGMin
	}
	return min(max((s.n+1)/ipmPCGPerStep, ipmPCGMin), ipmPCGMax)
}

// precondition writes (L L^T)^-1 v into dst with the single-precision factor L,
// v scaled to unit max norm on the way so that single precision's range is
// never the limit.
func (s *IPM) precondition(wk *ipmWork, dst, v []float64) {
	scale := floats.Norm(v, math.Inf(1))
	if scale == 0 {
		clear(dst)
		return
	}
	for i, x := range v {
		wk.b32[i] = float32(x / scale)
	}
	linalg.CholeskySolve32(s.n+1, wk.h32(), s.n+1, wk.b32)
	for i, x := range wk.b32 {
		dst[i] = float64(x) * scale
	}
}

// applyNormal writes H z into dst, H the normal matrix of the last factor:
// on the coupled path (coupled and vocabulary) without forming H, with q = D (A z_W - z_t 1),
// H z = (A^T q + (Du + Dl) z_W, -sum q); for the decoupled model from the
// normal matrix's factor P1 (factorApply; from the formed Gram matrix,
// gramApply, with IPM.applyGram).
func (s *IPM) applyNormal(dst, z []float64, wk *ipmWork) {
	n := s.n
	q := wk.pcgM
	if !s.coupled {
		// From the normal matrix's factor P1: a pass over the decoupled
		// competitors would stream p^2 d doubles (factorApply).
		if s.applyGram {
			s.gramApply(dst, z, wk)
		} else {
			s.factorApply(dst, z, wk)
		}
		return
	}
	s.margins(q, z[:n], wk)
	var sum float64
	for i := range q {
		if s.inert(i) {
			q[i] = 0
			continue
		}
		q[i] = wk.dm[i] * (q[i] - z[n])
		sum += q[i]
	}
	s.transpose(dst[:n], q, wk)
	for k := 0; k < n; k++ {
		dst[k] += (wk.du[k] + wk.dl[k]) * z[k]
	}
	dst[n] = -sum
}

// formGram computes Gs = P1^T P2 with P1's row mu the packed
// M_mu = sum_v D_(mu,v) (y_mu - c_v)(y_mu - c_v)^T
//
//	= sum(D_mu) y_mu y_mu^T - y_mu g_mu^T - g_mu y_mu^T + sum_v D_(mu,v) c_v c_v^T,
//
// g_mu = sum_v D_(mu,v) c_v. On the coupled path (coupled and vocabulary
// models; D is p x Slots()) the last term of every mu is one product D Q (Q's
// row v the packed c_v c_v^T) and G = D C, and the rest is spread over the
// cores; for the decoupled model it is a small symmetric product per
// association (decoupledGram), one association at a time, each on all of the
// BLAS's threads (OpenBLAS's syrk goes to its thread pool, which callers on
// several goroutines would queue on: see serialGemvElems).
func (s *IPM) formGram(wk *ipmWork) {
	s.formGramRows(wk)
	s.gramProduct(wk)
}

// formGramRows computes formGram's factor P1 into wk.p1 (and g_mu into wk.pd,
// which gramBorder uses): everything but the product P1^T P2.
func (s *IPM) formGramRows(wk *ipmWork) {
	p, d, n2, q := s.p, s.d, s.n2, s.slots
	in := s.in
	dmat := blas64.General{Rows: p, Cols: q, Stride: q, Data: wk.dm}
	g := wk.pd.RawMatrix() // row mu: g_mu
	if s.coupled {
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, dmat, blas64.General{Rows: q, Cols: n2, Stride: n2, Data: s.q}, 0,
			blas64.General{Rows: p, Cols: n2, Stride: n2, Data: wk.p1})
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, dmat, in.Competitors(0).RawMatrix(), 0, g)
	}
	var wg sync.WaitGroup
	workers := min(linalg.Threads(), p)
	if !s.coupled {
		workers = 1
	}
	per := (p + workers - 1) / workers
	for w0 := 0; w0 < p; w0 += per {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			var z, m []float64
			if !s.coupled {
				z, m = make([]float64, p*d), make([]float64, d*d)
			}
			for mu := lo; mu < hi; mu++ {
				if wk.cancelled() != nil {
					return
				}
				dmu := wk.dm[mu*q : (mu+1)*q]
				sum := floats.Sum(dmu)
				gr := g.Data[mu*g.Stride : mu*g.Stride+d]
				row := wk.p1[mu*n2 : (mu+1)*n2]
				if !s.coupled {
					s.decoupledGram(mu, dmu, gr, row, z, m)
				}
				y := in.Y.RawRowView(mu)
				for i := 0; i < d; i++ {
					for j := i; j < d; j++ {
						row[s.pk[i*d+j]] += sum*y[i]*y[j] - y[i]*gr[j] - gr[i]*y[j]
					}
				}
			}
		}(w0, min(w0+per, p))
	}
	wg.Wait()
}

// gramProduct computes the Gram matrix Gs = P1^T P2 into wk.gs in double
// precision: 2 p n2^2 flops, a quarter of the iteration's at d = 128.
func (s *IPM) gramProduct(wk *ipmWork) {
	if wk.cancelled() != nil {
		return
	}
	p, n2 := s.p, s.n2
	blas64.Gemm(blas.Trans, blas.NoTrans, 1,
		blas64.General{Rows: p, Cols: n2, Stride: n2, Data: wk.p1},
		blas64.General{Rows: p, Cols: n2, Stride: n2, Data: s.p2}, 0,
		blas64.General{Rows: n2, Cols: n2, Stride: n2, Data: wk.gs})
}

// gramProduct32 is gramProduct in single precision, for an iteration that
// factors in single precision: the factor rounds the matrix to single
// precision anyway, and the refinement applies the exact operator
// (applyNormal: matrix-free on the coupled path, from the double factor P1
// for the decoupled model, factorApply), never Gs, so only the preconditioner
// sees the product's rounding (relative p eps32 at worst, the size of the
// single-precision Cholesky's own backward error). The BLAS's sgemm takes
// half the time of its dgemm: at d = 128 the double product was 20% of an
// iteration (perf, seed 3, p = 1808).
//
// Nothing new is allocated: the product lives in the first half of wk.gs seen
// as single precision (gs32), and the two factors, rounded, in its second
// half, which holds them when 2 p <= n2 (p <= d (d + 1) / 4: p* is about
// d^2 / (2 ln p*), so from d = 12 on near the threshold). It reports false,
// having done nothing, when they do not fit or the BLAS has no single
// precision; factorDouble forms the double product when single precision
// fails after all.
func (s *IPM) gramProduct32(wk *ipmWork) bool {
	p, n2 := s.p, s.n2
	if 2*p > n2 || !linalg.Single() {
		return false
	}
	g := wk.gs32()
	gs, p1, p2 := g[:n2*n2], g[n2*n2:n2*n2+p*n2], g[n2*n2+p*n2:n2*n2+2*p*n2]
	for i, v := range wk.p1[:p*n2] {
		p1[i] = float32(v)
	}
	for i, v := range s.p2[:p*n2] {
		p2[i] = float32(v)
	}
	linalg.Gemm32(blas.Trans, blas.NoTrans, n2, n2, p, 1, p1, n2, p2, n2, 0, gs, n2)
	return true
}

// gs32 is wk.gs seen as single precision (twice as many entries).
func (wk *ipmWork) gs32() []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(&wk.gs[0])), 2*len(wk.gs))
}

// cancelled is the error of the solve's context, which the long loops of
// forming the normal matrix (formGram per association, fillNormal per row
// block), the conjugate-gradient steps and factor before each Cholesky check:
// at d = 96 an iteration is seconds, and a cancelled solve stops within one
// such step (a Cholesky once started runs to its end). A check is a few
// nanoseconds against microseconds of work per association.
func (wk *ipmWork) cancelled() error {
	if wk.ctx == nil {
		return nil
	}
	return wk.ctx.Err()
}

// fillNormal writes the lower triangle of the w block of the normal matrix into
// wk.h from Gs: H[(i,j),(i',j')] = Gs[{i,i'}, {j,j'}] plus the box terms and
// shift on the diagonal. It returns the largest diagonal entry.
func (s *IPM) fillNormal(wk *ipmWork, shift float64) float64 {
	return fillNormal(s, wk, wk.h, wk.gs, shift)
}

// fillNormal is IPM.fillNormal into h from the Gram matrix gs, each double or
// single precision (the diagonal is summed in double precision before it is
// rounded).
func fillNormal[T, G float32 | float64](s *IPM, wk *ipmWork, h []T, gs []G, shift float64) float64 {
	d, n, n2 := s.d, s.n, s.n2
	ld := n + 1
	var wg sync.WaitGroup
	workers := linalg.Threads()
	maxes := make([]float64, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < d; i += workers {
				if wk.cancelled() != nil {
					return
				}
				for j := 0; j < d; j++ {
					r := i*d + j
					hr := h[r*ld : r*ld+r+1]
					for i2 := 0; i2 <= i; i2++ {
						grow := gs[s.pk[i*d+i2]*n2:]
						pkj := s.pk[j*d : j*d+d]
						last := d
						if i2 == i {
							last = j + 1
						}
						dst := hr[i2*d : i2*d+last]
						for j2 := range dst {
							dst[j2] = T(grow[pkj[j2]])
						}
					}
					diag := float64(gs[s.pk[i*d+i]*n2+s.pk[j*d+j]]) + wk.du[r] + wk.dl[r] + shift
					hr[r] = T(diag)
					maxes[w] = math.Max(maxes[w], diag)
				}
			}
		}(w)
	}
	wg.Wait()
	return floats.Max(maxes)
}

// roughSolve overwrites b with an approximate solution of the normal equations
// of this iteration: with the factor alone, without conjugate-gradient
// refinement. polishDual's projections are a fixed-point iteration that
// tolerates the error (each new weight vector is checked by its own residual,
// and the certificate outside the solver), and they would otherwise spend most
// of their time refining.
func (s *IPM) roughSolve(wk *ipmWork, b []float64) {
	if wk.single {
		if wk.b32 == nil {
			wk.b32 = make([]float32, s.n+1)
		}
		s.precondition(wk, b, b)
		return
	}
	linalg.CholeskySolve(s.n+1, 1, wk.h, s.n+1, b, 1)
}

// factorQP fills I + A^T D A (order n, leading dimension n) into wk.h and
// factors it.
func (s *IPM) factorQP(wk *ipmWork) bool {
	n := s.n
	h := wk.h[:n*n]
	// fillNormal writes with leading dimension n+1; write it there, then pack
	// the rows to leading dimension n (row r moves left by r entries).
	s.fillNormal(wk, 0)
	if wk.cancelled() != nil {
		return false // factor returns the context's error
	}
	for r := 0; r < n; r++ {
		copy(h[r*n:r*n+r+1], wk.h[r*(n+1):r*(n+1)+r+1])
	}
	return linalg.Cholesky(n, h, n)
}
