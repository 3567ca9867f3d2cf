package lp

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/model"
)

// Simplex solves the bounded-margin LP
//
//	maximise t  subject to  a_r . W >= t for all rows r,  -1 <= W_ij <= 1
//
// through its dual,
//
//	minimise |A^T lambda|_1  subject to  lambda >= 0, sum(lambda) = 1,
//
// written in standard form with slacks g = A^T lambda = s+ - s- and solved by a
// revised simplex with an explicit dense basis inverse. The basis has only d^2 + 1
// rows whatever p is, and the p(p-1) columns lambda_r are never stored: the
// reduced cost of column r is the margin of row r under W = -pi (pi the simplex
// multipliers) minus t = pi_0, and entry r of the simplex's pivot row is the
// margin of row r under the matrix held in a row of B^-1, so both are the two
// matrix products of model.Instance.MarginsTo, O(d^2 p + d p^2), instead of the
// O(p^2 d^2) a general LP code spends on the p(p-1) dense rows. HiGHS has no hook
// for implicit pricing, so this solver is written by hand; certificates are
// checked outside it (CheckStorable, CheckNotStorable) exactly as for HiGHS, and
// its fallback (HiGHS) is the chain's (Chain).
//
// A cold solve is a dual simplex with dual steepest-edge pricing (solveDual) from
// a dual-feasible vertex; after the instance grows, which only adds columns, the
// primal simplex with Devex pricing (solvePrimal) continues from the previous
// optimum, still primal feasible. The primal simplex stops early once
// |A^T lambda|_1 reaches zero (the not-storable certificate; t* = 0 then).
//
// Simplex implements Solver. Not safe for concurrent use.
type Simplex struct {
	in   *model.Instance
	opts Options
	n, m int // n = d^2 unknowns of W; m = n + 1 basis rows

	head  []dualVar // basic variable of each basis row
	binv  []float64 // m x m explicit inverse of the basis, row-major
	x     []float64 // values of the basic variables
	pi    []float64 // simplex multipliers c_B^T B^-1
	since int       // basis updates since the last refactorisation

	// Devex reference weights of the lambda columns (index mu*Slots()+v) and of
	// the slacks.
	devex                 []float64
	devexP                int
	devexPlus, devexMinus []float64

	// Dual simplex state: steepest-edge weights |e_i^T B^-1|^2 and which nonbasic
	// lambda columns sit at their upper bound 1 (index mu*Slots()+v).
	beta   []float64
	upper  []bool
	upperP int
	// primalFeasible says the basis ended the last solve primal feasible (at an
	// optimum), so that after growth the primal simplex can continue from it.
	primalFeasible bool
	started        time.Time // start of the current Solve, for Options.TimeLimit
}

// dualVar is a column of the dual LP: lambda_row (kind varLambda), s+_i or s-_i.
type dualVar struct {
	kind int8
	i    int
	row  Row
}

const (
	varLambda int8 = iota
	varPlus        // s+_i: column -e_i, cost 1
	varMinus       // s-_i: column +e_i, cost 1
)

// Tolerances of the simplex. The verdict does not rest on them: certificates are
// recomputed from W and lambda outside the solver.
const (
	simplexPrimalTol   = 1e-10 // Harris ratio-test tolerance on basic values
	simplexDualTol     = 1e-9  // a reduced cost below -this prices a column in
	simplexPivotTol    = 1e-9  // smallest acceptable pivot, relative to max |alpha|
	simplexZeroObj     = 1e-10 // |A^T lambda|_1 at or below this ends the solve
	simplexDevexReset  = 1e6   // a Devex weight above this starts a new reference framework
	simplexRefactor    = 2000  // basis updates between refactorisations at most
	simplexCheckEvery  = 50    // updates between checks of the basic values' drift
	simplexResidualTol = 1e-11 // drift max |B x - e_n| that forces a refactorisation
)

// ErrSimplexNumerics reports a basis the simplex could not keep accurate; the
// caller falls back to HiGHS.
var ErrSimplexNumerics = errors.New("simplex lost numerical accuracy")

// SimplexIterationsPerRound sets the simplex's iteration cap: the simplex has
// no generation rounds, so one Solve (or one growth step) stops after
// Options.MaxRounds * SimplexIterationsPerRound iterations, 10^6 by default,
// with an error wrapping ErrSimplexIterationCap (and ErrSimplexNumerics, so the
// chain falls to HiGHS as for a lost basis). The cap is far above what lamcap's
// instances take (5-8 d^2 iterations for a cold solve near the threshold:
// 8230 at d = 32, docs/benchmarks.md); it stops a cycling simplex.
const SimplexIterationsPerRound = 100

// ErrSimplexIterationCap reports a simplex that reached its iteration cap
// (SimplexIterationsPerRound); it wraps ErrSimplexNumerics.
var ErrSimplexIterationCap = fmt.Errorf("%w: iteration cap reached", ErrSimplexNumerics)

// NewSimplex prepares the implicit-pricing simplex for in.
func NewSimplex(in *model.Instance, opts Options) *Simplex {
	opts = opts.withDefaults()
	n := in.D * in.D
	return &Simplex{in: in, opts: opts, n: n, m: n + 1}
}

// Instance returns the instance the solver works on.
func (s *Simplex) Instance() *model.Instance { return s.in }

// column writes the dual-LP column of v into dst (length m).
func (s *Simplex) column(v dualVar, dst []float64) {
	for i := range dst {
		dst[i] = 0
	}
	switch v.kind {
	case varPlus:
		dst[v.i] = -1
	case varMinus:
		dst[v.i] = 1
	default:
		d := s.in.D
		y := s.in.Y.RawRowView(v.row.Mu)
		c := s.in.Competitor(v.row.Mu, v.row.V)
		x := s.in.X.RawRowView(v.row.Mu)
		for i := 0; i < d; i++ {
			di := y[i] - c[i]
			if di == 0 {
				continue
			}
			blas64.Axpy(di, blas64.Vector{N: d, Inc: 1, Data: x}, blas64.Vector{N: d, Inc: 1, Data: dst[i*d : (i+1)*d]})
		}
		dst[s.n] = 1
	}
}

func (v dualVar) cost() float64 {
	if v.kind == varLambda {
		return 0
	}
	return 1
}

// recomputePi sets pi = c_B^T B^-1.
func (s *Simplex) recomputePi() {
	c := make([]float64, s.m)
	for k, v := range s.head {
		c[k] = v.cost()
	}
	blas64.Gemv(blas.Trans, 1, s.binvGeneral(), blas64.Vector{N: s.m, Inc: 1, Data: c}, 0, blas64.Vector{N: s.m, Inc: 1, Data: s.pi})
}

func (s *Simplex) binvGeneral() blas64.General {
	return blas64.General{Rows: s.m, Cols: s.m, Stride: s.m, Data: s.binv}
}

// refactor recomputes B^-1 from the basic columns, then x and pi.
func (s *Simplex) refactor() error {
	b := mat.NewDense(s.m, s.m, nil)
	col := make([]float64, s.m)
	for k, v := range s.head {
		s.column(v, col)
		b.SetCol(k, col)
	}
	var inv mat.Dense
	if err := inv.Inverse(b); err != nil {
		return fmt.Errorf("%w: refactorising the basis: %v", ErrSimplexNumerics, err)
	}
	copy(s.binv, inv.RawMatrix().Data)
	if s.upper != nil {
		s.recomputeX()
	} else {
		for k := range s.x { // x = B^-1 e_n
			s.x[k] = s.binv[k*s.m+s.n]
		}
	}
	s.recomputePi()
	s.since = 0
	return nil
}

// Solve runs the simplex on the instance as it is now, from the last basis.
//
// Pricing is Devex (Forrest and Goldfarb's reference-framework approximation of
// steepest edge): the pivot row it needs, e_r^T B^-1 A, is one more implicit
// product, the margins of every row under the matrix held in row r of B^-1.
func (s *Simplex) Solve(ctx context.Context) (*Solution, error) {
	if s.in.Rows() == 0 {
		return nil, fmt.Errorf("no margin rows: p = %d associations have no competitors (p >= 2, or a vocabulary model)", s.in.P)
	}
	s.started = time.Now()
	var sol *Solution
	var err error
	if s.primalFeasible {
		sol, err = s.solvePrimal(ctx)
	} else {
		sol, err = s.solveDual(ctx)
	}
	s.primalFeasible = err == nil && !s.anyUpper()
	return sol, err
}

func (s *Simplex) solvePrimal(ctx context.Context) (*Solution, error) {
	in := s.in
	if in.Rows() == 0 {
		return nil, fmt.Errorf("no margin rows: p = %d associations have no competitors (p >= 2, or a vocabulary model)", in.P)
	}
	if s.head == nil || s.anyUpper() {
		return nil, fmt.Errorf("%w: the primal simplex needs a primal-feasible basis", ErrSimplexNumerics)
	}
	s.growWeights()
	p, q, d, n, m := in.P, in.Slots(), in.D, s.n, s.m
	marks := s.basisFlags()
	out := &Solution{Solver: MethodSimplex}
	ws := s.newWorkspace()
	col, alpha, rowR, wData, w, red, pivRow, work := ws.col, ws.alpha, ws.rowR, ws.wData, ws.w, ws.red, ws.pivRow, ws.work
	fresh := false
	for it := 0; ; it++ {
		refactor, err := s.startIteration(ctx, it)
		if err != nil {
			return nil, err
		}
		if refactor {
			if err := s.refactor(); err != nil {
				return nil, err
			}
		}
		t := s.pi[n]
		s.setW(wData)
		obj := 0.0
		for k, v := range s.head {
			if v.kind != varLambda {
				obj += s.x[k]
			}
		}
		if obj <= simplexZeroObj {
			return s.finish(out, w, obj, "zero residual"), nil
		}
		// Pricing: the largest d_j^2 / weight_j among negative reduced costs. The
		// reduced costs of the lambda columns (margin - t) are updated from the
		// pivot row each iteration and recomputed from pi periodically and before
		// optimality is declared.
		if it == 0 || (!fresh && s.since%simplexCheckEvery == 0) {
			s.reducedCosts(red, work, w, t)
			fresh = true
		}
		enter, best, dq := s.price(red, wData, marks)
		if best == 0 && !fresh {
			s.reducedCosts(red, work, w, t)
			fresh = true
			enter, best, dq = s.price(red, wData, marks)
		}
		if best == 0 {
			return s.finish(out, w, t, "optimal"), nil
		}
		if !(best < math.Inf(1)) || s.weight(enter) > simplexDevexReset {
			s.resetWeights()
		}
		s.ftran(enter, col, alpha)
		// Harris ratio test.
		amax := 0.0
		for _, a := range alpha {
			amax = math.Max(amax, math.Abs(a))
		}
		piv := simplexPivotTol * math.Max(amax, 1)
		theta1 := math.Inf(1)
		for k, a := range alpha {
			if a > piv {
				theta1 = math.Min(theta1, (math.Max(s.x[k], 0)+simplexPrimalTol)/a)
			}
		}
		if math.IsInf(theta1, 1) {
			return nil, fmt.Errorf("%w: unbounded ratio test", ErrSimplexNumerics)
		}
		r, ar := -1, 0.0
		for k, a := range alpha {
			if a > piv && math.Max(s.x[k], 0)/a <= theta1 && a > ar {
				r, ar = k, a
			}
		}
		theta := math.Max(s.x[r], 0) / ar
		// Devex weights and reduced costs from the pivot row e_r^T B^-1 A (before
		// the update).
		copy(rowR, s.binv[r*m:(r+1)*m])
		thetaD := dq / ar
		fresh = false
		wq := s.weight(enter)
		in.MarginsTo(pivRow, work, mat.NewDense(d, d, rowR[:n]))
		for mu := 0; mu < p; mu++ {
			row := pivRow.RawRowView(mu)
			rd := red.RawRowView(mu)
			wt := s.devex[mu*q : (mu+1)*q]
			for v, a := range row {
				if v == in.Own(mu) {
					continue
				}
				a += rowR[n]
				rd[v] -= thetaD * a
				ratio := a / ar
				if u := ratio * ratio * wq; u > wt[v] {
					wt[v] = u
				}
			}
		}
		for i := 0; i < n; i++ { // the pivot-row entries of s+-_i are -+rowR_i
			ratio := rowR[i] / ar
			u := ratio * ratio * wq
			s.devexPlus[i] = math.Max(s.devexPlus[i], u)
			s.devexMinus[i] = math.Max(s.devexMinus[i], u)
		}
		leave := s.head[r]
		s.setWeight(leave, math.Max(wq/(ar*ar), 1))
		// Update x, pi and B^-1.
		for k, a := range alpha {
			s.x[k] -= theta * a
		}
		s.x[r] = theta
		blas64.Axpy(thetaD, blas64.Vector{N: m, Inc: 1, Data: rowR}, blas64.Vector{N: m, Inc: 1, Data: s.pi})
		s.pivotInverse(r, alpha, rowR, false)
		s.replaceBasic(r, enter, marks)
		out.Iterations++
	}
}

// reducedCosts sets red[mu][v] = margin of row (mu, v) under w, minus t.
func (s *Simplex) reducedCosts(red, work, w *mat.Dense, t float64) {
	s.in.MarginsTo(red, work, w)
	raw := red.RawMatrix()
	for i := range raw.Data[:raw.Rows*raw.Stride] {
		raw.Data[i] -= t
	}
}

// price returns the entering column with the largest d_j^2 / weight_j among
// nonbasic columns with d_j < -simplexDualTol, its score and d_j; score 0 means
// none. w holds W = -pi, so the slacks' reduced costs are 1 -+ W_i.
func (s *Simplex) price(red *mat.Dense, w []float64, b basisMarks) (dualVar, float64, float64) {
	p, q := s.in.P, s.in.Slots()
	enter, best, dq := dualVar{}, 0.0, 0.0
	for mu := 0; mu < p; mu++ {
		row := red.RawRowView(mu)
		wt := s.devex[mu*q : (mu+1)*q]
		own := s.in.Own(mu)
		for v, dj := range row {
			if v == own || dj >= -simplexDualTol || b.lambda[mu*q+v] {
				continue
			}
			if sc := dj * dj / wt[v]; sc > best || best == 0 {
				enter, best, dq = dualVar{kind: varLambda, row: Row{mu, v}}, sc, dj
			}
		}
	}
	for i, wi := range w {
		if dj := 1 - wi; dj < -simplexDualTol && !b.plus[i] { // s+_i: 1 + pi_i
			if sc := dj * dj / s.devexPlus[i]; sc > best || best == 0 {
				enter, best, dq = dualVar{kind: varPlus, i: i}, sc, dj
			}
		}
		if dj := 1 + wi; dj < -simplexDualTol && !b.minus[i] { // s-_i: 1 - pi_i
			if sc := dj * dj / s.devexMinus[i]; sc > best || best == 0 {
				enter, best, dq = dualVar{kind: varMinus, i: i}, sc, dj
			}
		}
	}
	return enter, best, dq
}

// workspace holds the buffers of one solve: columns of length m (col, alpha =
// B^-1 col, rowR = a row of B^-1), W = -pi (w over wData), the reduced costs and
// the pivot row of the lambda columns (red, pivRow: p x Slots()) and MarginsTo's p x d
// scratch space.
type workspace struct {
	col, alpha, rowR, wData []float64
	w, red, pivRow, work    *mat.Dense
}

func (s *Simplex) newWorkspace() workspace {
	p, q, d, m := s.in.P, s.in.Slots(), s.in.D, s.m
	ws := workspace{col: make([]float64, m), alpha: make([]float64, m), rowR: make([]float64, m), wData: make([]float64, s.n)}
	ws.w = mat.NewDense(d, d, ws.wData)
	ws.red = mat.NewDense(p, q, nil)
	ws.pivRow = mat.NewDense(p, q, nil)
	ws.work = mat.NewDense(p, d, nil)
	return ws
}

// basisMarks says which columns are basic: lambda_(mu,v) at index mu*q+v (q =
// Slots()), s+_i and s-_i.
type basisMarks struct {
	q                   int
	lambda, plus, minus []bool
}

func (b basisMarks) set(v dualVar, on bool) {
	switch v.kind {
	case varPlus:
		b.plus[v.i] = on
	case varMinus:
		b.minus[v.i] = on
	default:
		b.lambda[v.row.Mu*b.q+v.row.V] = on
	}
}

// basisFlags marks the columns of the current basis.
func (s *Simplex) basisFlags() basisMarks {
	p, q := s.in.P, s.in.Slots()
	b := basisMarks{q: q, lambda: make([]bool, p*q), plus: make([]bool, s.n), minus: make([]bool, s.n)}
	for _, v := range s.head {
		b.set(v, true)
	}
	return b
}

// replaceBasic puts enter in basis row r in place of the variable there.
func (s *Simplex) replaceBasic(r int, enter dualVar, b basisMarks) {
	b.set(s.head[r], false)
	b.set(enter, true)
	s.head[r] = enter
	s.since++
}

// ftran sets alpha = B^-1 times the column of v; col is scratch space.
func (s *Simplex) ftran(v dualVar, col, alpha []float64) {
	m := s.m
	if v.kind == varLambda {
		s.column(v, col)
		blas64.Gemv(blas.NoTrans, 1, s.binvGeneral(), blas64.Vector{N: m, Inc: 1, Data: col}, 0, blas64.Vector{N: m, Inc: 1, Data: alpha})
		return
	}
	sign := 1.0 // a slack column is -+e_i, so alpha is -+ column i of B^-1
	if v.kind == varPlus {
		sign = -1
	}
	for k := 0; k < m; k++ {
		alpha[k] = sign * s.binv[k*m+v.i]
	}
}

// startIteration checks the context and the time limit every 32 iterations and
// the iteration cap (SimplexIterationsPerRound) every iteration, and says whether the basis inverse is due for
// refactorisation (by count, or by the drift of the basic values).
func (s *Simplex) startIteration(ctx context.Context, it int) (refactor bool, err error) {
	if it%32 == 0 {
		if err := s.checkTime(ctx); err != nil {
			return false, err
		}
	}
	if max := s.opts.MaxRounds * SimplexIterationsPerRound; it >= max {
		return false, fmt.Errorf("%w: no optimum after %d iterations (lp.Options.MaxRounds %d x SimplexIterationsPerRound %d)",
			ErrSimplexIterationCap, it, s.opts.MaxRounds, SimplexIterationsPerRound)
	}
	return s.since >= simplexRefactor || (s.since > 0 && s.since%simplexCheckEvery == 0 && s.residual() > simplexResidualTol), nil
}

// setW writes W = -pi (the primal memory of the current basis) into w.
func (s *Simplex) setW(w []float64) {
	for i := range w {
		w[i] = -s.pi[i]
	}
}

// checkTime returns the context's error, or an error wrapping ErrSolverWarning
// (as HiGHS's time limit does) once Options.TimeLimit seconds have passed.
func (s *Simplex) checkTime(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if lim := s.opts.TimeLimit; lim > 0 && time.Since(s.started).Seconds() > lim {
		return fmt.Errorf("%w (simplex time limit of %g s reached)", ErrSolverWarning, lim)
	}
	return nil
}

// growWeights extends the Devex weights (p x Slots(), row-major) to the
// instance's p: new columns start in the reference framework with weight 1.
func (s *Simplex) growWeights() {
	p, q := s.in.P, s.in.Slots()
	if s.devexPlus == nil {
		s.devexPlus = ones(s.n)
		s.devexMinus = ones(s.n)
	}
	if s.devexP == p && len(s.devex) == p*q {
		return
	}
	nw := ones(p * q)
	if s.devexP > 0 {
		oq := len(s.devex) / s.devexP
		for mu := 0; mu < s.devexP; mu++ {
			copy(nw[mu*q:mu*q+oq], s.devex[mu*oq:(mu+1)*oq])
		}
	}
	s.devex, s.devexP = nw, p
}

// resetWeights starts a new Devex reference framework: every weight 1.
func (s *Simplex) resetWeights() {
	for _, ws := range [][]float64{s.devex, s.devexPlus, s.devexMinus} {
		for i := range ws {
			ws[i] = 1
		}
	}
}

func ones(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 1
	}
	return v
}

func (s *Simplex) weight(v dualVar) float64 { return *s.weightOf(v) }

func (s *Simplex) setWeight(v dualVar, w float64) { *s.weightOf(v) = w }

// weightOf points at the Devex weight of column v.
func (s *Simplex) weightOf(v dualVar) *float64 {
	switch v.kind {
	case varPlus:
		return &s.devexPlus[v.i]
	case varMinus:
		return &s.devexMinus[v.i]
	}
	return &s.devex[v.row.Mu*s.in.Slots()+v.row.V]
}

// residual is max |B x - e_n|, the drift of the basic values since the last
// refactorisation.
func (s *Simplex) residual() float64 {
	res := make([]float64, s.m)
	res[s.n] = -1
	col := make([]float64, s.m)
	for k, v := range s.head {
		s.column(v, col)
		blas64.Axpy(s.x[k], blas64.Vector{N: s.m, Inc: 1, Data: col}, blas64.Vector{N: s.m, Inc: 1, Data: res})
	}
	worst := 0.0
	for _, r := range res {
		worst = math.Max(worst, math.Abs(r))
	}
	return worst
}

// finish fills the solution from the current basis: W = -pi (clipped to the box),
// t = pi_0 and lambda the positive basic lambda values.
func (s *Simplex) finish(out *Solution, w *mat.Dense, t float64, status string) *Solution {
	wc := mat.DenseCopyOf(w)
	raw := wc.RawMatrix().Data
	for i, v := range raw {
		raw[i] = math.Max(-1, math.Min(1, v))
	}
	out.W, out.T, out.Status = wc, t, status
	out.Rows = s.in.Rows()
	out.Rounds = 1
	out.Lambda = out.Lambda[:0]
	for k, v := range s.head {
		if v.kind == varLambda && s.x[k] > 0 {
			out.Lambda = append(out.Lambda, Weighted{v.row, s.x[k]})
		}
	}
	return out
}
