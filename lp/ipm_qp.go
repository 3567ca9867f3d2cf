package lp

import (
	"context"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
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
	stop, err := s.begin()
	if err != nil {
		return nil, err
	}
	pq, n := s.p*s.slots, s.n
	wk := s.newWork()
	wk.ns = s.newNormal(wk)
	wk.ctx = ctx
	pr := &qpProblem{s: s, wk: wk, m: float64(s.in.Rows()), w: make([]float64, n), sl: make([]float64, pq), lam: make([]float64, pq)}
	for i := range pr.sl {
		if pr.off(i) {
			pr.sl[i], pr.lam[i] = 1, 1
		}
	}
	sol, err := mehrotra(ctx, stop, pr, wk.ns, &Solution{Rows: s.in.Rows(), Rounds: 1, Solver: MethodIPM})
	s.release(wk)
	if errors.Is(err, ErrIPMNumerics) {
		err = fmt.Errorf("%w (not storable?)", err)
	}
	return sol, err
}

// qpProblem is the max-margin QP of SolveMaxMargin as a mehrotraProblem: w
// (n), margin slacks sl = A w - 1 and duals lam (p x Slots(), own slots
// unused and zero). Its directions live in the work space's margin and w arrays: dw in
// wk.dzW, ds in wk.dsM, dlambda in wk.dyM, r_cent in wk.rcM.
type qpProblem struct {
	s          *IPM
	wk         *ipmWork
	m          float64 // margin rows
	w, sl, lam []float64
}

func (pr *qpProblem) off(i int) bool { return !pr.s.inert(i) }
func (pr *qpProblem) name() string   { return "max-margin problem: " }

func (pr *qpProblem) check(it int, out *Solution) (*Solution, float64, error) {
	s, wk, w, sl, lam := pr.s, pr.wk, pr.w, pr.sl, pr.lam
	q := s.slots
	rp, rd := wk.rpM, wk.rdW
	// Residuals: r_p = A w - s - 1, r_d = w - A^T lambda.
	s.margins(rp, w, wk)
	var pinf, comp float64
	minMargin := math.Inf(1)
	for i := range rp {
		if !pr.off(i) {
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
		out.Lambda = make([]Weighted, 0, s.in.Rows()) // every row at once: no garbage from growing it
		for i, l := range lam {
			if pr.off(i) && l > 0 {
				out.Lambda = append(out.Lambda, Weighted{Row{i / q, i % q}, l})
			}
		}
		return out, 0, nil
	}
	return nil, comp / pr.m, nil
}

// scaling is D = lambda / s on the margin rows and the identity of
// I + A^T D A through the box slots.
func (pr *qpProblem) scaling() normalScaling {
	wk := pr.wk
	for i := range wk.dm {
		wk.dm[i] = 0
		if pr.off(i) {
			wk.dm[i] = pr.lam[i] / pr.sl[i]
		}
	}
	for k := range wk.du {
		wk.du[k], wk.dl[k] = 1, 0
	}
	return normalScaling{dm: wk.dm, du: wk.du, dl: wk.dl}
}

func (pr *qpProblem) polish(*Solution) (*Solution, error) { return nil, nil }

func (pr *qpProblem) centring(sigmaMu float64, aff bool) {
	wk := pr.wk
	for i := range wk.rcM {
		if !pr.off(i) {
			wk.rcM[i] = 0
			continue
		}
		wk.rcM[i] = pr.sl[i]*pr.lam[i] - sigmaMu
		if aff {
			wk.rcM[i] += wk.dsM[i] * wk.dyM[i]
		}
	}
}

// direction computes the Newton step for the centring target in wk.rcM:
// (I + A^T D A) dw = -r_d - A^T (D r_p + r_c / s).
func (pr *qpProblem) direction() error {
	s, wk, sl, lam := pr.s, pr.wk, pr.sl, pr.lam
	rp, rc, ds, dl := wk.rpM, wk.rcM, wk.dsM, wk.dyM
	rhs := wk.rhs[:s.n]
	for i := range wk.qM {
		wk.qM[i] = 0
		if pr.off(i) {
			wk.qM[i] = wk.dm[i]*rp[i] + rc[i]/sl[i]
		}
	}
	s.transpose(rhs, wk.qM, wk)
	for k := range rhs {
		rhs[k] = -wk.rdW[k] - rhs[k]
	}
	if err := wk.ns.solve(rhs); err != nil {
		return err
	}
	copy(wk.dzW, rhs)
	s.margins(ds, wk.dzW, wk)
	for i := range ds {
		if !pr.off(i) {
			ds[i], dl[i] = 0, 0
			continue
		}
		ds[i] += rp[i]
		dl[i] = -(rc[i] + lam[i]*ds[i]) / sl[i]
	}
	return nil
}

func (pr *qpProblem) stepLengths(eta float64) (ap, ad float64) {
	ds, dl := pr.wk.dsM, pr.wk.dyM
	ap, ad = 1/eta, 1/eta
	for i := range pr.sl {
		if !pr.off(i) {
			continue
		}
		if ds[i] < 0 {
			ap = math.Min(ap, -pr.sl[i]/ds[i])
		}
		if dl[i] < 0 {
			ad = math.Min(ad, -pr.lam[i]/dl[i])
		}
	}
	return math.Min(1, eta*ap), math.Min(1, eta*ad)
}

func (pr *qpProblem) complementarity(ap, ad float64) float64 {
	ds, dl := pr.wk.dsM, pr.wk.dyM
	var c float64
	for i := range pr.sl {
		if pr.off(i) {
			c += (pr.sl[i] + ap*ds[i]) * (pr.lam[i] + ad*dl[i])
		}
	}
	return c / pr.m
}

// step takes ipmStep of the step to the boundary (no further correctors).
func (pr *qpProblem) step(float64) (float64, float64, error) {
	ap, ad := pr.stepLengths(ipmStep)
	return ap, ad, nil
}

func (pr *qpProblem) trace(int, float64, float64, float64) {}

func (pr *qpProblem) update(ap, ad float64) {
	floats.AddScaled(pr.w, ap, pr.wk.dzW)
	for i := range pr.sl {
		if pr.off(i) {
			pr.sl[i] += ap * pr.wk.dsM[i]
			pr.lam[i] += ad * pr.wk.dyM[i]
		}
	}
}
