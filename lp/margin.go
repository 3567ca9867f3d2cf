package lp

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/lanl/highs"
	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/model"
)

// Rows says how a margin constraint is written.
type Rows int

const (
	// Implicit writes no rows at all: Simplex solves the dual LP and prices all
	// p(p-1) rows from two matrix products per iteration. The default.
	Implicit Rows = iota
	// Dense writes row (mu, v) as a_r . W - t >= 0 with a_r = (y_mu - c) (x) x_mu:
	// d^2 + 1 nonzeros (HiGHS constraint generation).
	Dense
	// Lifted adds u_mu = W x_mu as d free variables per association (d equality
	// rows of d + 1 nonzeros) and writes row (mu, v) as (y_mu - c) . u_mu - t >= 0:
	// d + 1 nonzeros (HiGHS constraint generation).
	Lifted
)

func (r Rows) String() string {
	switch r {
	case Lifted:
		return "lifted"
	case Implicit:
		return "implicit"
	}
	return "dense"
}

// ParseRows reads "dense", "lifted" or "implicit".
func ParseRows(s string) (Rows, error) {
	switch s {
	case "dense":
		return Dense, nil
	case "lifted":
		return Lifted, nil
	case "implicit":
		return Implicit, nil
	}
	return 0, fmt.Errorf("unknown row form %q (want implicit, dense or lifted)", s)
}

// Solver solves the bounded-margin LP of one instance, which may grow between
// solves. Retry solves again cold with other HiGHS settings, for answers that
// could not be certified.
type Solver interface {
	Instance() *model.Instance
	Solve(ctx context.Context) (*Solution, error)
	Retry(ctx context.Context, set Settings) (*Solution, error)
	RetrySettings() []Settings
}

// Row names margin constraint (Mu, V): association Mu against its competitor in
// slot V.
type Row struct{ Mu, V int }

// Weighted is a row with a dual weight.
type Weighted struct {
	Row
	Weight float64
}

// Defaults of Options (the zero values mean them).
const (
	DefaultInitialPerMu = 2     // HiGHS constraint generation: rows per association in the first round
	DefaultAddPerMu     = 4     // HiGHS constraint generation: most violated rows added per association per round
	DefaultMaxRounds    = 10000 // generation rounds of one Solve (and the simplex's cap, SimplexIterationsPerRound)
)

// Options tune the constraint-generation solver. Zero values take defaults.
type Options struct {
	// Rows picks the solver and, for HiGHS, the row form (default Implicit).
	Rows Rows
	// InitialPerMu and AddPerMu tune HiGHS constraint generation (Dense and
	// Lifted rows); Simplex prices every row and ignores them.
	// InitialPerMu is how many rows each association starts with: the competitors
	// with the smallest Hebbian margins (default DefaultInitialPerMu). A negative value, or one >= p-1,
	// puts every row in from the start (the full LP).
	InitialPerMu int
	// AddPerMu is the most violated rows added per association per round (default DefaultAddPerMu).
	AddPerMu int
	// TimeLimit is the time limit, in seconds, of each Solve or Retry call of
	// any solver (0: none); a solve that reaches it fails, and the chain goes
	// on. It is the one home of the limit: Settings.TimeLimit is what it is
	// passed to HiGHS as, and is read only when TimeLimit is zero.
	TimeLimit float64
	// Settings are the HiGHS options of the first attempt.
	Settings Settings
	// MaxRounds bounds the generation rounds of one Solve (default DefaultMaxRounds), and
	// the simplex's iterations: MaxRounds * SimplexIterationsPerRound.
	MaxRounds int
	// Method picks the solver (default Auto: chosen by size, see Method.For).
	Method Method
	// Stop says when the interior-point solver may end before the optimum
	// (default StopOptimal); the simplex and HiGHS ignore it.
	Stop Stop
	// Eps is the relative tolerance of the not-storable certificate an early
	// stop checks (default DefaultEps; the absolute one is
	// NotStorableTolerance(in, Eps)).
	Eps float64
	// Precision is the arithmetic of the interior-point normal equations
	// (default PrecisionAuto); the other solvers ignore it.
	Precision Precision
	// Progress, if set, is called by the interior-point solver once per
	// iteration with the current margin t and duality gap.
	Progress func(iter int, t, gap float64)
}

func (o Options) withDefaults() Options {
	if o.InitialPerMu == 0 {
		o.InitialPerMu = DefaultInitialPerMu
	}
	if o.AddPerMu == 0 {
		o.AddPerMu = DefaultAddPerMu
	}
	if o.MaxRounds == 0 {
		o.MaxRounds = DefaultMaxRounds
	}
	if o.Eps == 0 {
		o.Eps = DefaultEps
	}
	o.Settings = o.HiGHSSettings()
	o.TimeLimit = o.Settings.TimeLimit
	return o
}

// HiGHSSettings are o.Settings with o.TimeLimit, if set, as their time limit:
// what HiGHS is first called with.
func (o Options) HiGHSSettings() Settings {
	s := o.Settings
	if o.TimeLimit > 0 {
		s.TimeLimit = o.TimeLimit
	}
	return s
}

// Solution is the outcome of the bounded-margin LP
//
//	maximise t  subject to  a_r . W >= t for all rows r,  -1 <= W_ij <= 1,
//
// over all p(p-1) rows (constraint generation stops only when no row is violated).
// T is the optimal margin t*, W the optimal memory, Lambda the nonzero row duals
// (lambda >= 0 with sum 1 at an optimum: the dual certificate).
type Solution struct {
	T          float64
	W          *mat.Dense
	Lambda     []Weighted
	Status     string
	Solver     Method // the solver that produced this solution
	Rows       int    // margin rows in the LP when it ended
	Rounds     int    // LP solves in this call
	Iterations int    // simplex (and interior-point) iterations in this call
}

// MarginSolver solves the bounded-margin LP of an instance by constraint
// generation. It keeps its HiGHS model between calls, so after the instance grows
// (Instance.Grow), Solve adds only the new rows and re-solves from the previous
// basis. Not safe for concurrent use; use one per goroutine.
type MarginSolver struct {
	in   *model.Instance
	opts Options
	set  Settings

	raw     *highs.RawModel
	rows    []Row // margin rows in the model, in order
	modelRw []int // model row index of rows[i]
	nRows   int   // all model rows (margin and lifting equalities)
	have    map[Row]bool
	uCol    []int // lifted: first column of u_mu, or -1
	nCols   int

	w *mat.Dense
	t float64
}

// NewMarginSolver prepares a solver for in; nothing is solved until Solve.
// Implicit rows, which only Simplex knows, are written dense.
func NewMarginSolver(in *model.Instance, opts Options) *MarginSolver {
	opts = opts.withDefaults()
	if opts.Rows == Implicit {
		opts.Rows = Dense
	}
	return &MarginSolver{in: in, opts: opts, set: opts.Settings}
}

// Instance returns the instance the solver works on.
func (s *MarginSolver) Instance() *model.Instance { return s.in }

// reset drops the HiGHS model (the rows chosen so far are kept for a rebuild).
func (s *MarginSolver) reset(set Settings) error {
	raw, err := newRaw(set)
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
	s.have = make(map[Row]bool, len(old))
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
func (s *MarginSolver) addMarginRows(rows []Row) error {
	d := s.in.D
	d2 := d * d
	if s.opts.Rows == Lifted {
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
	if s.opts.Rows == Lifted {
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
		if s.opts.Rows == Lifted {
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

// lowestRows returns, per association, up to k rows (mu, v) not skipped whose
// margins m[mu][v] fall below limit, lowest first (ties by v), in (mu, v) order.
// It is how both the LP and the min-norm solver choose rows to add.
// own(mu) is the slot of mu that is not a row (model.Instance.Own).
func lowestRows(m *mat.Dense, own func(int) int, limit float64, k int, skip func(Row) bool) []Row {
	var out []Row
	type cand struct {
		v int
		m float64
	}
	var cs []cand
	p, q := m.Dims()
	for mu := 0; mu < p; mu++ {
		row := m.RawRowView(mu)
		cs = cs[:0]
		for v := 0; v < q; v++ {
			if v == own(mu) || row[v] >= limit || skip(Row{mu, v}) {
				continue
			}
			cs = append(cs, cand{v, row[v]})
		}
		if len(cs) > k {
			sort.Slice(cs, func(a, b int) bool { return cs[a].m < cs[b].m || (cs[a].m == cs[b].m && cs[a].v < cs[b].v) })
			cs = cs[:k]
		}
		for _, c := range cs {
			out = append(out, Row{mu, c.v})
		}
	}
	sort.Slice(out, func(a, b int) bool {
		return out[a].Mu < out[b].Mu || (out[a].Mu == out[b].Mu && out[a].V < out[b].V)
	})
	return out
}

// pickRows returns, per association, up to k rows not in the model whose margins
// under the current W fall below limit, most violated first.
func (s *MarginSolver) pickRows(m *mat.Dense, limit float64, k int) []Row {
	return lowestRows(m, s.in.Own, limit, k, func(r Row) bool { return s.have[r] })
}

// violationTolerance is how far below t a margin may sit and still count as
// satisfied when deciding whether to add its row.
const violationTolerance = 1e-9

// Solve runs constraint generation on the instance as it is now. A solve that ends
// with a HiGHS warning is rebuilt and retried with other settings before an error
// is returned; the error then wraps ErrSolverWarning.
func (s *MarginSolver) Solve(ctx context.Context) (*Solution, error) {
	sol, err := s.solveWith(ctx, s.set)
	if err == nil || !errors.Is(err, ErrSolverWarning) {
		return sol, err
	}
	for _, set := range retrySettings {
		set.TimeLimit = s.opts.Settings.TimeLimit
		if err = s.reset(set); err != nil {
			return nil, err
		}
		sol, err = s.solveWith(ctx, set)
		if err == nil || !errors.Is(err, ErrSolverWarning) {
			return sol, err
		}
	}
	return nil, err
}

// Retry rebuilds the HiGHS model cold with the given settings and solves again;
// callers use it when a solution could not be certified.
func (s *MarginSolver) Retry(ctx context.Context, set Settings) (*Solution, error) {
	set.TimeLimit = s.opts.Settings.TimeLimit
	if err := s.reset(set); err != nil {
		return nil, err
	}
	return s.solveWith(ctx, set)
}

// RetrySettings lists the settings Retry is meant to be called with, in order.
func (s *MarginSolver) RetrySettings() []Settings { return append([]Settings(nil), retrySettings...) }

func (s *MarginSolver) solveWith(ctx context.Context, set Settings) (*Solution, error) {
	in := s.in
	if in.P < 2 {
		return nil, fmt.Errorf("need p >= 2 associations, have %d", in.P)
	}
	if s.raw == nil {
		if err := s.reset(set); err != nil {
			return nil, err
		}
	}
	out := &Solution{Solver: MethodHiGHS}
	// Seed rows: everything for the full LP; otherwise the rows the current W (or
	// the Hebbian W before the first solve) violates most.
	k := s.opts.InitialPerMu
	if k < 0 || k >= in.Slots()-1 {
		var all []Row
		for mu := 0; mu < in.P; mu++ {
			for v := 0; v < in.Slots(); v++ {
				if v != in.Own(mu) {
					all = append(all, Row{mu, v})
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
		seed := lowestRows(m, in.Own, math.Inf(1), k, func(r Row) bool { return !fresh[r.Mu] })
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
		res, err := runSolve(s.raw)
		out.Rounds++
		out.Iterations += res.iterations
		if err != nil {
			return nil, err
		}
		if res.status != highs.Optimal {
			return nil, fmt.Errorf("%w (HiGHS model status %v)", ErrSolverWarning, res.status)
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
		if v != s.in.Own(mu) && s.have[Row{mu, v}] {
			return true
		}
	}
	return false
}

// duals returns the margin-row duals as nonnegative weights. HiGHS's sign
// convention for a maximisation makes them all of one sign; the sign is taken from
// their sum and entries of the other sign (round-off) are dropped.
func (s *MarginSolver) duals(rowDual []float64) []Weighted {
	var sum float64
	for _, i := range s.modelRw {
		sum += rowDual[i]
	}
	sign := 1.0
	if sum < 0 {
		sign = -1
	}
	var out []Weighted
	for k, i := range s.modelRw {
		if v := sign * rowDual[i]; v > 0 {
			out = append(out, Weighted{s.rows[k], v})
		}
	}
	return out
}
