package lp

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/internal/linalg"
)

// Tolerances of the max-margin interior-point solve (relative to |W|_F^2, the
// objective's scale). The answer is certified outside by its kappa* interval.
const (
	qpFeasTol = 1e-10 // primal residual A w - s - 1 and dual residual w - A^T lambda
	qpGapTol  = 1e-12 // s.lambda relative to |W|_F^2
	// qpIntervalTol ends the solve once the kappa* interval of the current point
	// is this narrow, relative (a hundredth of what certification asks for):
	// near the optimum the dual residual stalls at rounding level while the
	// interval, which the certificate uses, is already tight.
	qpIntervalTol = 1e-8
)

// SolveMaxMargin solves the max-margin (min-norm) problem of a storable instance,
//
//	minimise |W|_F^2 / 2  subject to  a_r . W >= 1  for all p(p-1) rows,
//
// by the same primal-dual interior-point method as Solve: its normal matrix is
// I + A^T D A, formed from the instance's structure exactly as the LP's (without
// the box and the t border). At the optimum W = A^T lambda; the returned Lambda
// (all rows with positive weight) and W carry the kappa* interval that
// feasibility.SolveMaxMargin certifies. An instance that is not storable has no
// solution: the iteration then fails to converge and returns ErrIPMNumerics.
func (s *IPM) SolveMaxMargin(ctx context.Context) (*Solution, error) {
	in := s.in
	stop, err := s.begin()
	if err != nil {
		return nil, err
	}
	p, n := s.p, s.n
	wk := s.newWork()
	m := float64(p * (p - 1))
	w := make([]float64, n)
	sl, lam := make([]float64, p*p), make([]float64, p*p)
	off := func(i int) bool { return i/p != i%p }
	for i := range sl {
		if off(i) {
			sl[i], lam[i] = 1, 1
		}
	}
	rp, rd := wk.rpM, wk.rdW
	dw, ds, dl := wk.dzW, wk.dsM, wk.dyM
	rc := wk.rcM
	rhs := wk.rhs[:n]
	// solve computes the Newton step for the centring target in rc.
	solve := func() {
		for i := range wk.qM {
			wk.qM[i] = 0
			if off(i) {
				wk.qM[i] = wk.dm[i]*rp[i] + rc[i]/sl[i]
			}
		}
		s.transpose(rhs, wk.qM, wk)
		for k := range rhs {
			rhs[k] = -rd[k] - rhs[k]
		}
		linalg.CholeskySolve(n, 1, wk.h[:n*n], n, rhs, 1)
		copy(dw, rhs)
		s.margins(ds, dw, wk)
		for i := range ds {
			if !off(i) {
				ds[i], dl[i] = 0, 0
				continue
			}
			ds[i] += rp[i]
			dl[i] = -(rc[i] + lam[i]*ds[i]) / sl[i]
		}
	}
	steps := func(eta float64) (ap, ad float64) {
		ap, ad = 1/eta, 1/eta
		for i := range sl {
			if !off(i) {
				continue
			}
			if ds[i] < 0 {
				ap = math.Min(ap, -sl[i]/ds[i])
			}
			if dl[i] < 0 {
				ad = math.Min(ad, -lam[i]/dl[i])
			}
		}
		return math.Min(1, eta*ap), math.Min(1, eta*ad)
	}
	out := &Solution{Rows: in.Rows(), Rounds: 1, Solver: MethodIPM}
	for it := 0; it < ipmMaxIter; it++ {
		if err := stop(ctx); err != nil {
			return nil, err
		}
		// Residuals: r_p = A w - s - 1, r_d = w - A^T lambda.
		s.margins(rp, w, wk)
		var pinf, comp float64
		minMargin := math.Inf(1)
		for i := range rp {
			if !off(i) {
				rp[i] = 0
				continue
			}
			minMargin = math.Min(minMargin, rp[i])
			rp[i] -= sl[i] + 1
			pinf = math.Max(pinf, math.Abs(rp[i]))
			comp += sl[i] * lam[i]
		}
		s.transpose(rd, lam, wk)
		// The kappa* interval of the current point (as the certificate computes
		// it, without rounding bounds): d min margin / |W|_F from below and
		// d |A^T lambda|_F / sum(lambda) from above.
		lower := minMargin / math.Sqrt(floats.Dot(w, w))
		upper := floats.Norm(rd, 2) / floats.Sum(lam)
		var dinf float64
		for k := range rd {
			rd[k] = w[k] - rd[k]
			dinf = math.Max(dinf, math.Abs(rd[k]))
		}
		scale := math.Max(1, floats.Dot(w, w))
		if s.opts.Progress != nil {
			s.opts.Progress(it, math.Sqrt(scale), comp/scale)
		}
		if lower > 0 && upper-lower <= qpIntervalTol*lower || pinf <= qpFeasTol && dinf <= qpFeasTol*math.Sqrt(scale) && comp <= qpGapTol*scale {
			out.W = mat.NewDense(s.d, s.d, append([]float64(nil), w...))
			out.T, out.Status = 1, "optimal"
			for i, l := range lam {
				if off(i) && l > 0 {
					out.Lambda = append(out.Lambda, Weighted{Row{i / p, i % p}, l})
				}
			}
			return out, nil
		}
		out.Iterations++
		mu := comp / m
		for i := range wk.dm {
			wk.dm[i] = 0
			if off(i) {
				wk.dm[i] = lam[i] / sl[i]
			}
		}
		for k := range wk.du { // the identity of I + A^T D A, through the box slots
			wk.du[k], wk.dl[k] = 1, 0
		}
		s.formGram(wk)
		if !s.factorQP(wk) {
			return nil, fmt.Errorf("%w: max-margin normal matrix not positive definite", ErrIPMNumerics)
		}
		// Predictor, then Mehrotra's corrector.
		for i := range rc {
			rc[i] = sl[i] * lam[i]
		}
		solve()
		ap, ad := steps(1)
		var aff float64
		for i := range sl {
			if off(i) {
				aff += (sl[i] + ap*ds[i]) * (lam[i] + ad*dl[i])
			}
		}
		sigma := math.Min(1, math.Pow(aff/comp, 3))
		for i := range rc {
			if off(i) {
				rc[i] = sl[i]*lam[i] + ds[i]*dl[i] - sigma*mu
			}
		}
		solve()
		ap, ad = steps(ipmStep)
		if ap < 1e-12 && ad < 1e-12 {
			return nil, fmt.Errorf("%w: max-margin step length %.2g at iteration %d", ErrIPMNumerics, math.Max(ap, ad), it)
		}
		floats.AddScaled(w, ap, dw)
		for i := range sl {
			if off(i) {
				sl[i] += ap * ds[i]
				lam[i] += ad * dl[i]
			}
		}
	}
	return nil, fmt.Errorf("%w: max-margin problem did not converge in %d iterations (not storable?)", ErrIPMNumerics, ipmMaxIter)
}

// factorQP fills I + A^T D A (order n, leading dimension n) into wk.h and
// factors it.
func (s *IPM) factorQP(wk *ipmWork) bool {
	n := s.n
	h := wk.h[:n*n]
	// fillNormal writes with leading dimension n+1; write it there, then pack
	// the rows to leading dimension n (row r moves left by r entries).
	s.fillNormal(wk, 0)
	for r := 0; r < n; r++ {
		copy(h[r*n:r*n+r+1], wk.h[r*(n+1):r*(n+1)+r+1])
	}
	return linalg.Cholesky(n, h, n)
}
