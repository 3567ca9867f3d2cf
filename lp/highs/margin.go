package highs

import (
	"context"
	"errors"
	"fmt"
	"math"

	binding "github.com/lanl/highs"
	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// MarginSolver solves the bounded-margin LP of an instance by constraint
// generation. It keeps its HiGHS model between calls, so after the instance grows
// (Instance.Grow), Solve adds only the new rows and re-solves from the previous
// basis. Not safe for concurrent use; use one per goroutine.
type MarginSolver struct {
	in    *model.Instance
	opts  lp.Options
	set   Settings // of the current model
	first Settings // of the first attempt (Retry 0)

	raw     *binding.RawModel
	rows    []lp.Row // margin rows in the model, in order
	modelRw []int    // model row index of rows[i]
	nRows   int      // all model rows (margin and lifting equalities)
	have    map[lp.Row]bool
	uCol    []int // lifted: first column of u_mu, or -1
	nCols   int

	w *mat.Dense
	t float64
}

// NewMarginSolver prepares a solver for in under opts (lp.Options: row
// form, generation sizes, time limit) with the HiGHS options set of its first
// attempt (zero value: defaults); nothing is solved until Solve. Implicit
// rows, which only lamcap's own solvers know, are written dense.
func NewMarginSolver(in *model.Instance, opts lp.Options, set Settings) *MarginSolver {
	opts = opts.WithDefaults()
	if opts.Rows == lp.Implicit {
		opts.Rows = lp.Dense
	}
	return &MarginSolver{in: in, opts: opts, set: set, first: set}
}

// Instance returns the instance the solver works on.
func (s *MarginSolver) Instance() *model.Instance { return s.in }

// reset drops the HiGHS model (the rows chosen so far are kept for a rebuild).
func (s *MarginSolver) reset(set Settings) error {
	raw, err := newRaw(set, s.opts.TimeLimit)
	if err != nil {
		return err
	}
	d2 := s.in.D * s.in.D
	nc := d2 + 1
	lb := make([]float64, nc)
	ub := make([]float64, nc)
	for i := 0; i < d2; i++ {
		lb[i], ub[i] = -1, 1
	}
	lb[d2], ub[d2] = math.Inf(-1), math.Inf(1)
	if err := raw.AddColumnBounds(lb, ub); err != nil {
		return fmt.Errorf("adding W columns: %w", err)
	}
	costs := make([]float64, nc)
	costs[d2] = 1
	if err := raw.SetColumnCosts(costs); err != nil {
		return fmt.Errorf("setting costs: %w", err)
	}
	if err := raw.SetMaximization(true); err != nil {
		return fmt.Errorf("setting the objective sense: %w", err)
	}
	s.raw, s.set = raw, set
	s.nCols, s.nRows = nc, 0
	s.uCol = s.uCol[:0]
	old := s.rows
	s.rows, s.modelRw = nil, nil
	s.have = make(map[lp.Row]bool, len(old))
	return s.addMarginRows(old)
}

// ensureU adds the lifted variables u_mu and their d equality rows.
func (s *MarginSolver) ensureU(mu int) error {
	for len(s.uCol) <= mu {
		s.uCol = append(s.uCol, -1)
	}
	if s.uCol[mu] >= 0 {
		return nil
	}
	d := s.in.D
	first := s.nCols
	lb := make([]float64, d)
	ub := make([]float64, d)
	for i := range lb {
		lb[i], ub[i] = math.Inf(-1), math.Inf(1)
	}
	if err := s.raw.AddColumnBounds(lb, ub); err != nil {
		return fmt.Errorf("adding u columns: %w", err)
	}
	s.nCols += d
	// u_mu,i - sum_j W_ij x_mu,j = 0
	x := s.in.X.RawRowView(mu)
	start := make([]int, d)
	index := make([]int, 0, d*(d+1))
	value := make([]float64, 0, d*(d+1))
	zero := make([]float64, d)
	for i := 0; i < d; i++ {
		start[i] = len(index)
		for j := 0; j < d; j++ {
			if x[j] != 0 {
				index = append(index, i*d+j)
				value = append(value, -x[j])
			}
		}
		index = append(index, first+i)
		value = append(value, 1)
	}
	if err := addRows(s.raw, zero, zero, start, index, value); err != nil {
		return err
	}
	s.nRows += d
	s.uCol[mu] = first
	return nil
}

// addMarginRows adds rows (in one batch) that are not yet in the model.
func (s *MarginSolver) addMarginRows(rows []lp.Row) error {
	d := s.in.D
	d2 := d * d
	if s.opts.Rows == lp.Lifted {
		for _, r := range rows {
			if err := s.ensureU(r.Mu); err != nil {
				return err
			}
		}
	}
	lb := make([]float64, 0, len(rows))
	ub := make([]float64, 0, len(rows))
	start := make([]int, 0, len(rows))
	per := d2 + 1
	if s.opts.Rows == lp.Lifted {
		per = d + 1
	}
	index := make([]int, 0, len(rows)*per)
	value := make([]float64, 0, len(rows)*per)
	diff := make([]float64, d)
	for _, r := range rows {
		if s.have[r] {
			continue
		}
		s.have[r] = true
		y := s.in.Y.RawRowView(r.Mu)
		c := s.in.Competitor(r.Mu, r.V)
		for i := range diff {
			diff[i] = y[i] - c[i]
		}
		start = append(start, len(index))
		if s.opts.Rows == lp.Lifted {
			u := s.uCol[r.Mu]
			for i, v := range diff {
				if v != 0 {
					index = append(index, u+i)
					value = append(value, v)
				}
			}
		} else {
			index, value = appendDenseRow(s.in, r, 0, index, value)
		}
		index = append(index, d2)
		value = append(value, -1)
		lb = append(lb, 0)
		ub = append(ub, math.Inf(1))
		s.rows = append(s.rows, r)
		s.modelRw = append(s.modelRw, s.nRows)
		s.nRows++
	}
	return addRows(s.raw, lb, ub, start, index, value)
}

// pickRows returns, per association, up to k rows not in the model whose margins
// under the current W fall below limit, most violated first.
func (s *MarginSolver) pickRows(m *mat.Dense, limit float64, k int) []lp.Row {
	return lp.LowestRows(m, s.in.Own, limit, k, func(r lp.Row) bool { return s.have[r] })
}

// violationTolerance is how far below t a margin may sit and still count as
// satisfied when deciding whether to add its row.
const violationTolerance = 1e-9

// Solve runs constraint generation on the instance as it is now. A solve that ends
// with a HiGHS warning is rebuilt and retried with the settings of Retry 1
// and 2 before an error is returned; the error then wraps lp.ErrSolverWarning.
func (s *MarginSolver) Solve(ctx context.Context) (*lp.Solution, error) {
	sol, err := s.solveWith(ctx, s.set)
	if err == nil || !errors.Is(err, lp.ErrSolverWarning) {
		return sol, err
	}
	for _, set := range retrySettings {
		if err = s.reset(set); err != nil {
			return nil, err
		}
		sol, err = s.solveWith(ctx, set)
		if err == nil || !errors.Is(err, lp.ErrSolverWarning) {
			return sol, err
		}
	}
	return nil, err
}

// Retry rebuilds the HiGHS model cold and solves again: k = 0 with the
// settings of the first attempt, k = 1, 2 with the retry settings (a cold dual simplex with presolve
// and looser tolerances, then HiGHS's interior-point method with crossover)
// (lp.Retrier). lp.Chain calls it when an answer could not be certified; the
// rows chosen so far are kept.
func (s *MarginSolver) Retry(ctx context.Context, k int) (*lp.Solution, error) {
	set := s.first
	switch {
	case k < 0 || k > len(retrySettings):
		return nil, fmt.Errorf("HiGHS retry %d: want 0..%d", k, len(retrySettings))
	case k > 0:
		set = retrySettings[k-1]
	}
	if err := s.reset(set); err != nil {
		return nil, err
	}
	return s.solveWith(ctx, set)
}

func (s *MarginSolver) solveWith(ctx context.Context, set Settings) (*lp.Solution, error) {
	in := s.in
	if in.Rows() == 0 {
		return nil, fmt.Errorf("no margin rows: p = %d associations have no competitors (p >= 2, or a vocabulary model)", in.P)
	}
	if s.raw == nil {
		if err := s.reset(set); err != nil {
			return nil, err
		}
	}
	out := &lp.Solution{Solver: lp.MethodHiGHS}
	// Seed rows: everything for the full LP; otherwise the rows the current W (or
	// the Hebbian W before the first solve) violates most.
	k := s.opts.InitialPerMu
	if k < 0 || k >= in.Slots()-1 {
		var all []lp.Row
		for mu := 0; mu < in.P; mu++ {
			for v := 0; v < in.Slots(); v++ {
				if v != in.Own(mu) {
					all = append(all, lp.Row{Mu: mu, V: v})
				}
			}
		}
		if err := s.addMarginRows(all); err != nil {
			return nil, err
		}
	} else {
		w := s.w
		limit := s.t - violationTolerance
		if w == nil {
			w, limit = in.Hebbian(), math.Inf(1)
		}
		// Every association needs rows before its first solve: its k competitors
		// with the smallest margins under w.
		m := in.Margins(w)
		fresh := make([]bool, in.P)
		for mu := range fresh {
			fresh[mu] = !s.hasAny(mu)
		}
		seed := lp.LowestRows(m, in.Own, math.Inf(1), k, func(r lp.Row) bool { return !fresh[r.Mu] })
		seed = append(seed, s.pickRows(m, limit, s.opts.AddPerMu)...)
		if err := s.addMarginRows(seed); err != nil {
			return nil, err
		}
	}
	d2 := in.D * in.D
	for out.Rounds < s.opts.MaxRounds {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res, abandoned, err := runSolveContext(ctx, s.raw)
		if abandoned {
			s.raw = nil // still in HiGHS's hands: a later solve starts a new model
		}
		out.Rounds++
		out.Iterations += res.iterations
		if err != nil {
			return nil, err
		}
		if res.status != binding.Optimal {
			return nil, fmt.Errorf("%w (HiGHS model status %v)", lp.ErrSolverWarning, res.status)
		}
		x := res.sol.ColumnPrimal
		w := mat.NewDense(in.D, in.D, append([]float64(nil), x[:d2]...))
		s.w, s.t = w, x[d2]
		out.T, out.W = s.t, w
		out.Status = res.status.String()
		out.Lambda = out.Lambda[:0]
		if len(res.sol.RowDual) == s.nRows {
			out.Lambda = s.duals(res.sol.RowDual)
		}
		add := s.pickRows(in.Margins(w), s.t-violationTolerance, s.opts.AddPerMu)
		if len(add) == 0 {
			out.Rows = len(s.rows)
			return out, nil
		}
		if err := s.addMarginRows(add); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("constraint generation did not converge in %d rounds", s.opts.MaxRounds)
}

func (s *MarginSolver) hasAny(mu int) bool {
	for v := 0; v < s.in.Slots(); v++ {
		if v != s.in.Own(mu) && s.have[lp.Row{Mu: mu, V: v}] {
			return true
		}
	}
	return false
}

// duals returns the margin-row duals as nonnegative weights. HiGHS's sign
// convention for a maximisation makes them all of one sign; the sign is taken from
// their sum and entries of the other sign (round-off) are dropped.
func (s *MarginSolver) duals(rowDual []float64) []lp.Weighted {
	var sum float64
	for _, i := range s.modelRw {
		sum += rowDual[i]
	}
	sign := 1.0
	if sum < 0 {
		sign = -1
	}
	var out []lp.Weighted
	for k, i := range s.modelRw {
		if v := sign * rowDual[i]; v > 0 {
			out = append(out, lp.Weighted{Row: s.rows[k], Weight: v})
		}
	}
	return out
}
