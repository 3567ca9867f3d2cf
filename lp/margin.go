package lp

import (
	"context"
	"errors"
	"fmt"
	"sort"

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

// MarshalText writes the row form's String form.
func (r Rows) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads what MarshalText writes (ParseRows).
func (r *Rows) UnmarshalText(b []byte) error {
	v, err := ParseRows(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Solver solves the bounded-margin LP of one instance, which may grow between
// solves. It is all a new solver implements (with Retrier if it has other
// ways to solve cold); what to try when its answer cannot be certified is
// the chain's business (Chain), not the solver's.
type Solver interface {
	Instance() *model.Instance
	Solve(ctx context.Context) (*Solution, error)
}

// ErrSolverWarning reports a solve that stopped without a usable solution: a
// HiGHS run that ended with a warning status, or any solver's time limit
// (Options.TimeLimit). The wrapping error says which; the chain goes on to
// its next step, and a chain that runs out reports undecided.
var ErrSolverWarning = errors.New("the solver stopped without a solution")

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

// Options are what every solver shares (Rows, TimeLimit, Eps, Method) and the
// tuning of each (constraint generation, the interior-point stop and
// precision). Zero values take defaults.
type Options struct {
	// Rows is the row form (default Implicit): Dense and Lifted are for a
	// solver that writes the rows (HiGHS), which Auto then picks.
	Rows Rows
	// InitialPerMu and AddPerMu tune HiGHS constraint generation (Dense and
	// Lifted rows); Simplex prices every row and ignores them.
	// InitialPerMu is how many rows each association starts with: the competitors
	// with the smallest Hebbian margins (default DefaultInitialPerMu). A negative value, or one >= p-1,
	// puts every row in from the start (the full LP).
	InitialPerMu int
	// AddPerMu is the most violated rows added per association per round (default DefaultAddPerMu).
	AddPerMu int
	// TimeLimit is the time limit, in seconds, of each step of a chain, for
	// every solver (0: none); a solve that reaches it fails with an error
	// wrapping ErrSolverWarning, and the chain goes on. It is the one home of
	// the limit.
	TimeLimit float64
	// MaxRounds bounds the generation rounds of one Solve (default DefaultMaxRounds), and
	// the simplex's iterations: MaxRounds * SimplexIterationsPerRound.
	MaxRounds int
	// Method picks the solver (default Auto: chosen by size, see Method.For).
	Method Method
	// Stop says when the interior-point solver may end before the optimum
	// (default StopOptimal); the simplex and HiGHS ignore it.
	Stop Stop
	// Eps is the relative tolerance of the not-storable certificate an early
	// stop checks (default DefaultEps, relative to each margin row's scale:
	// CheckNotStorable).
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
	return o
}

// WithDefaults returns o with every zero field that has a default set to it:
// what a solver outside this package (lp/highs) starts from.
func (o Options) WithDefaults() Options { return o.withDefaults() }

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

// LowestRows returns, per association, up to k rows (mu, v) not skipped whose
// margins m[mu][v] fall below limit, lowest first (ties by v), in (mu, v) order.
// It is how constraint generation (package lp/highs) and the min-norm
// solver choose rows to add.
// own(mu) is the slot of mu that is not a row (model.Instance.Own).
func LowestRows(m *mat.Dense, own func(int) int, limit float64, k int, skip func(Row) bool) []Row {
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
