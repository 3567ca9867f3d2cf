package lp

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// startDual builds a dual-feasible basis: W0 = sign(W_Hebbian), a vertex of the
// box, held by one slack per entry (s+_i where W0_i = 1, s-_i where W0_i = -1),
// and the lambda column of the row with the smallest margin under W0, so that
// t = that margin and every reduced cost (margin - t, or 1 -+ W0_i) is >= 0.
func (s *Simplex) startDual() {
	in := s.in
	h := in.Hebbian()
	w0 := mat.NewDense(in.D, in.D, nil)
	for i, v := range h.RawMatrix().Data {
		w0.RawMatrix().Data[i] = 1
		if v < 0 {
			w0.RawMatrix().Data[i] = -1
		}
	}
	m := in.Margins(w0)
	best, bestM := Row{0, 1 - in.Own(0)}, math.Inf(1)
	for mu := 0; mu < in.P; mu++ {
		for v, val := range m.RawRowView(mu) {
			if v != in.Own(mu) && val < bestM {
				best, bestM = Row{mu, v}, val
			}
		}
	}
	col := make([]float64, s.m)
	s.column(dualVar{kind: varLambda, row: best}, col)
	s.head = make([]dualVar, s.m)
	s.binv = make([]float64, s.m*s.m)
	s.x = make([]float64, s.m)
	s.pi = make([]float64, s.m)
	s.beta = make([]float64, s.m)
	n := s.n
	// B = [D a; 0 1] with D = diag(-+1), so B^-1 = [D -D a; 0 1].
	for i := 0; i < n; i++ {
		sign := 1.0 // s-_i: column +e_i
		s.head[i] = dualVar{kind: varMinus, i: i}
		if w0.RawMatrix().Data[i] > 0 { // s+_i: column -e_i
			sign = -1
			s.head[i] = dualVar{kind: varPlus, i: i}
		}
		s.binv[i*s.m+i] = sign
		s.binv[i*s.m+n] = -sign * col[i]
		s.beta[i] = 1 + col[i]*col[i]
	}
	s.head[n] = dualVar{kind: varLambda, row: best}
	s.binv[n*s.m+n] = 1
	s.beta[n] = 1
	s.upper, s.upperP = nil, 0
	s.growUpper()
	s.recomputeX()
	s.recomputePi()
	s.since = 0
}

// growUpper extends the at-upper-bound flags of the lambda columns (p x Slots(),
// row-major) to the instance's p (new columns start at their lower bound).
func (s *Simplex) growUpper() {
	p, q := s.in.P, s.in.Slots()
	if s.upperP == p && len(s.upper) == p*q {
		return
	}
	nu := make([]bool, p*q)
	if s.upperP > 0 {
		oq := len(s.upper) / s.upperP
		for mu := 0; mu < s.upperP; mu++ {
			copy(nu[mu*q:mu*q+oq], s.upper[mu*oq:(mu+1)*oq])
		}
	}
	s.upper, s.upperP = nu, p
}

// recomputeX sets x_B = B^-1 (e_n - sum of the columns at their upper bound 1).
func (s *Simplex) recomputeX() {
	rhs := make([]float64, s.m)
	rhs[s.n] = 1
	col := make([]float64, s.m)
	q := s.in.Slots()
	for k, up := range s.upper {
		if up {
			s.column(dualVar{kind: varLambda, row: Row{k / q, k % q}}, col)
			for i, c := range col {
				rhs[i] -= c
			}
		}
	}
	blas64.Gemv(blas.NoTrans, 1, s.binvGeneral(), blas64.Vector{N: s.m, Inc: 1, Data: rhs}, 0, blas64.Vector{N: s.m, Inc: 1, Data: s.x})
}

// rowNorms sets the dual steepest-edge weights beta_i = |e_i^T B^-1|^2.
func (s *Simplex) rowNorms() {
	for i := range s.beta {
		r := blas64.Vector{N: s.m, Inc: 1, Data: s.binv[i*s.m : (i+1)*s.m]}
		s.beta[i] = blas64.Dot(r, r)
	}
}

// solveDual runs the dual simplex with dual steepest-edge pricing. Every lambda
// column carries the redundant bound lambda <= 1 (sum(lambda) = 1 implies it), so
// that columns made dual infeasible by growth can sit at that bound and the basis
// stays dual feasible: W = -pi lies in the box and every margin is >= t, always.
func (s *Simplex) solveDual(ctx context.Context) (*Solution, error) {
	in := s.in
	if s.head == nil {
		s.startDual()
	}
	s.growUpper()
	p, q, d, n, m := in.P, in.Slots(), in.D, s.n, s.m
	marks := s.basisFlags()
	basic, plus, minus := marks.lambda, marks.plus, marks.minus
	ws := s.newWorkspace()
	col, alpha, rowR, wData, w, red, pivRow, work := ws.col, ws.alpha, ws.rowR, ws.wData, ws.w, ws.red, ws.pivRow, ws.work
	// fixBounds recomputes the reduced costs from pi and puts every nonbasic
	// lambda on the bound that makes it dual feasible; it reports whether any moved.
	fixBounds := func() bool {
		s.setW(wData)
		s.reducedCosts(red, work, w, s.pi[n])
		moved := false
		for mu := 0; mu < p; mu++ {
			rd := red.RawRowView(mu)
			for v, dj := range rd {
				k := mu*q + v
				if v == in.Own(mu) || basic[k] {
					continue
				}
				if dj < -simplexDualTol && !s.upper[k] {
					s.upper[k], moved = true, true
				} else if dj > simplexDualTol && s.upper[k] {
					s.upper[k], moved = false, true
				}
			}
		}
		return moved
	}
	if fixBounds() {
		s.recomputeX()
	}
	out := &Solution{Solver: MethodSimplex}
	var cands []candidate
	for it := 0; ; it++ {
		refactor, err := s.startIteration(ctx, it)
		if err != nil {
			return nil, err
		}
		if refactor {
			if err := s.refactor(); err != nil {
				return nil, err
			}
			s.rowNorms()
			if fixBounds() {
				s.recomputeX()
			}
		}
		s.setW(wData)
		t := s.pi[n]
		// Leaving row: the largest infeasibility^2 / beta.
		r, best, sigma := -1, 0.0, 0.0
		for k, xk := range s.x {
			var inf, sg float64
			switch {
			case xk < -simplexPrimalTol:
				inf, sg = -xk, 1
			case s.head[k].kind == varLambda && xk > 1+simplexPrimalTol:
				inf, sg = xk-1, -1
			default:
				continue
			}
			if sc := inf * inf / s.beta[k]; sc > best {
				r, best, sigma = k, sc, sg
			}
		}
		if r < 0 {
			return s.finish(out, w, t, "optimal"), nil
		}
		// Pivot row alpha_r = e_r^T B^-1 A over the nonbasic columns, and the dual
		// ratio test (Harris): d_j + sigma*s*alpha_rj must keep its sign.
		copy(rowR, s.binv[r*m:(r+1)*m])
		in.MarginsTo(pivRow, work, mat.NewDense(d, d, rowR[:n]))
		cands = cands[:0]
		consider := func(v dualVar, dj, a float64, atUpper bool) {
			sa := sigma * a
			switch {
			case !atUpper && sa < 0:
				cands = append(cands, candidate{v, math.Max(dj, 0), -sa, a})
			case atUpper && sa > 0:
				cands = append(cands, candidate{v, math.Max(-dj, 0), sa, a})
			}
		}
		for mu := 0; mu < p; mu++ {
			prow := pivRow.RawRowView(mu)
			rd := red.RawRowView(mu)
			for v, a := range prow {
				k := mu*q + v
				if v == in.Own(mu) || basic[k] {
					continue
				}
				a += rowR[n]
				prow[v] = a
				consider(dualVar{kind: varLambda, row: Row{mu, v}}, rd[v], a, s.upper[k])
			}
		}
		for i := 0; i < n; i++ {
			if !plus[i] {
				consider(dualVar{kind: varPlus, i: i}, 1-wData[i], -rowR[i], false)
			}
			if !minus[i] {
				consider(dualVar{kind: varMinus, i: i}, 1+wData[i], rowR[i], false)
			}
		}
		amax := 0.0
		for _, c := range cands {
			amax = math.Max(amax, c.abs)
		}
		piv := simplexPivotTol * math.Max(amax, 1)
		smax := math.Inf(1)
		for _, c := range cands {
			if c.abs > piv {
				smax = math.Min(smax, (c.slack+simplexDualTol)/c.abs)
			}
		}
		if math.IsInf(smax, 1) {
			return nil, fmt.Errorf("%w: dual ratio test found no entering column", ErrSimplexNumerics)
		}
		var enter candidate
		for _, c := range cands {
			if c.abs > piv && c.slack/c.abs <= smax && c.abs > enter.abs {
				enter = c
			}
		}
		step := enter.slack / enter.abs // s >= 0
		s.ftran(enter.v, col, alpha)
		ar := alpha[r]
		if math.Abs(ar) <= piv || math.Abs(ar-enter.a) > 1e-6*math.Max(1, math.Abs(ar)) {
			// FTRAN and the pivot row disagree: the inverse has drifted.
			if s.since == 0 {
				return nil, fmt.Errorf("%w: pivot %g vs row entry %g", ErrSimplexNumerics, ar, enter.a)
			}
			s.since = simplexRefactor
			continue
		}
		// Primal step: x_r moves to its violated bound.
		bound := 0.0
		if sigma < 0 {
			bound = 1
		}
		leave := s.head[r]
		delta := (s.x[r] - bound) / ar
		enterVal := delta
		if enter.v.kind == varLambda && s.upper[enter.v.row.Mu*q+enter.v.row.V] {
			enterVal += 1
			s.upper[enter.v.row.Mu*q+enter.v.row.V] = false
		}
		for k, a := range alpha {
			s.x[k] -= delta * a
		}
		s.x[r] = enterVal
		// Dual step: pi += theta rho_r with theta = -sigma*s; d_j -= theta alpha_rj.
		theta := -sigma * step
		for mu := 0; mu < p; mu++ {
			prow := pivRow.RawRowView(mu)
			rd := red.RawRowView(mu)
			for v := range rd {
				if v != in.Own(mu) && !basic[mu*q+v] {
					rd[v] -= theta * prow[v]
				}
			}
		}
		blas64.Axpy(theta, blas64.Vector{N: m, Inc: 1, Data: rowR}, blas64.Vector{N: m, Inc: 1, Data: s.pi})
		s.pivotInverse(r, alpha, rowR, true)
		// The leaving variable becomes nonbasic at its bound.
		if leave.kind == varLambda {
			s.upper[leave.row.Mu*q+leave.row.V] = sigma < 0
			red.RawRowView(leave.row.Mu)[leave.row.V] = sigma * step
		}
		if enter.v.kind == varLambda {
			red.RawRowView(enter.v.row.Mu)[enter.v.row.V] = 0
		}
		s.replaceBasic(r, enter.v, marks)
		out.Iterations++
	}
}

// pivotInverse replaces basic column r: B^-1 <- E B^-1 with alpha = B^-1 a_q
// and rowR the old row r of B^-1 (scaled in place to the new row r). Rows with
// alpha_k = 0 are untouched. With norms it also refreshes the dual steepest-edge
// weights of the rows it changes, while each row is in cache.
func (s *Simplex) pivotInverse(r int, alpha, rowR []float64, norms bool) {
	m := s.m
	inv := 1 / alpha[r]
	for j := range rowR {
		rowR[j] *= inv
	}
	rv := blas64.Vector{N: m, Inc: 1, Data: rowR}
	for k := 0; k < m; k++ {
		row := s.binv[k*m : (k+1)*m]
		if k == r {
			copy(row, rowR)
		} else if a := alpha[k]; a != 0 {
			blas64.Axpy(-a, rv, blas64.Vector{N: m, Inc: 1, Data: row})
		} else {
			continue
		}
		if norms {
			v := blas64.Vector{N: m, Inc: 1, Data: row}
			s.beta[k] = blas64.Dot(v, v)
		}
	}
}

// candidate is a column in the dual ratio test: its reduced cost's distance to
// infeasibility (slack) and |alpha_rj| (abs); a is alpha_rj itself.
type candidate struct {
	v          dualVar
	slack, abs float64
	a          float64
}

func (s *Simplex) anyUpper() bool {
	for _, u := range s.upper {
		if u {
			return true
		}
	}
	return false
}
