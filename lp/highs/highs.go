package highs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"

	binding "github.com/lanl/highs"

	"github.com/lamcap/lamcap/lp"
)

// Settings are the HiGHS options lamcap varies between attempts; the zero
// value means the defaults. The time limit is lp.Options.TimeLimit, the one
// home of every solver's limit.
type Settings struct {
	Solver    string  // "simplex" (default), "ipm" or "pdlp"
	Presolve  string  // "off" (default for warm re-solves), "on" or "choose"
	Tolerance float64 // primal and dual feasibility tolerance (default 1e-9)
	Threads   int     // HiGHS threads (default 1: lamcap parallelises over instances)
}

func (s Settings) withDefaults() Settings {
	if s.Solver == "" {
		s.Solver = "simplex"
	}
	if s.Presolve == "" {
		s.Presolve = "off"
	}
	if s.Tolerance == 0 {
		s.Tolerance = 1e-9
	}
	if s.Threads == 0 {
		s.Threads = 1
	}
	return s
}

// retrySettings are HiGHS's retries (MarginSolver.Retry 1 and 2, the steps
// of lp.Chain after its own solve), tried in order when a solve ends with a
// warning or its answer cannot be certified: a cold dual simplex with default
// tolerances, then an interior-point solve with crossover and presolve.
var retrySettings = []Settings{
	{Solver: "simplex", Presolve: "on", Tolerance: 1e-7},
	{Solver: "ipm", Presolve: "on", Tolerance: 1e-8},
}

// newRaw returns a HiGHS model with lamcap's options set and timeLimit
// seconds per Solve call (0: none).
func newRaw(s Settings, timeLimit float64) (*binding.RawModel, error) {
	s = s.withDefaults()
	m := binding.NewRawModel()
	set := []struct {
		name string
		fn   func() error
	}{
		// LAMCAP_HIGHS_LOG=1 shows HiGHS's own log on stdout, for diagnosing solves.
		{"output_flag", func() error { return m.SetBoolOption("output_flag", os.Getenv("LAMCAP_HIGHS_LOG") != "") }},
		{"small_matrix_value", func() error { return m.SetFloat64Option("small_matrix_value", 1e-12) }},
		{"solver", func() error { return m.SetStringOption("solver", s.Solver) }},
		{"presolve", func() error { return m.SetStringOption("presolve", s.Presolve) }},
		{"threads", func() error { return m.SetIntOption("threads", s.Threads) }},
		{"primal_feasibility_tolerance", func() error {
			return m.SetFloat64Option("primal_feasibility_tolerance", s.Tolerance)
		}},
		{"dual_feasibility_tolerance", func() error {
			return m.SetFloat64Option("dual_feasibility_tolerance", s.Tolerance)
		}},
	}
	if timeLimit > 0 {
		set = append(set, struct {
			name string
			fn   func() error
		}{"time_limit", func() error { return m.SetFloat64Option("time_limit", timeLimit) }})
	}
	for _, o := range set {
		if err := o.fn(); err != nil {
			return nil, fmt.Errorf("highs option %s: %w", o.name, err)
		}
	}
	return m, nil
}

// errHiGHSWarning is lp.ErrSolverWarning from a HiGHS warning status (for
// example model status Unknown near a storage threshold; the binding then
// returns no solution).
var errHiGHSWarning = fmt.Errorf("%w (HiGHS ended with a warning status)", lp.ErrSolverWarning)

// solveOutcome is what one HiGHS run gave.
type solveOutcome struct {
	sol        *binding.RawSolution
	status     binding.ModelStatus
	iterations int
}

// runSolve calls Solve without ever letting the binding crash the process: a
// warning becomes lp.ErrSolverWarning, a panic inside the binding an error, and the
// iteration count is read only from a solution that holds a HiGHS object.
//
// It keeps m alive to its end: the binding's Solve copies m's C handle into the
// solution and then no longer uses m, so the garbage collector could finalize
// m (Highs_destroy) while the solution is still read through that handle, a
// use after free that crashed the lp tests once under load (SIGSEGV in
// Highs_getDoubleInfoValue called from the binding's Solve).
func runSolve(m *binding.RawModel) (out solveOutcome, err error) {
	defer runtime.KeepAlive(m)
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("HiGHS binding panicked: %v", r)
		}
	}()
	sol, err := m.Solve()
	if err != nil {
		var cs binding.CallStatus
		if errors.As(err, &cs) && cs.IsWarning() {
			return out, errHiGHSWarning
		}
		return out, fmt.Errorf("HiGHS solve: %w", err)
	}
	if sol == nil || len(sol.ColumnPrimal) == 0 {
		return out, errHiGHSWarning
	}
	out.sol = sol
	out.status = sol.Status
	if it, e := sol.GetIntInfo("simplex_iteration_count"); e == nil {
		out.iterations = it
	}
	if it, e := sol.GetIntInfo("ipm_iteration_count"); e == nil {
		out.iterations += it
	}
	return out, nil
}

// runSolveContext is runSolve that returns as soon as ctx is done. Written by
// hand because HiGHS's C solve cannot be interrupted from Go: the binding
// (github.com/lanl/highs) exposes neither HiGHS's interrupt callbacks nor the
// model's handle to set one. So the solve runs in its own goroutine, and on
// cancellation it is abandoned: it runs on in the background until HiGHS
// stops (a process that exits, as lamcap's commands do on Ctrl-C or SIGTERM,
// ends it at once), and its model must not be touched again, which the
// caller learns from abandoned. Near-degenerate user data made one HiGHS
// solve run for minutes, deaf to Ctrl-C and to Slurm's SIGTERM.
func runSolveContext(ctx context.Context, m *binding.RawModel) (out solveOutcome, abandoned bool, err error) {
	if err := ctx.Err(); err != nil {
		return out, false, err
	}
	type result struct {
		out solveOutcome
		err error
	}
	done := make(chan result, 1) // buffered: an abandoned solve never blocks
	go func() {
		o, e := runSolve(m)
		done <- result{o, e}
	}()
	select {
	case r := <-done:
		return r.out, false, r.err
	case <-ctx.Done():
		return out, true, ctx.Err()
	}
}

// addRows appends rows in compressed sparse form; a batch of zero rows is a no-op
// (the binding panics on it).
func addRows(m *binding.RawModel, lb, ub []float64, start, index []int, value []float64) error {
	if len(lb) == 0 {
		return nil
	}
	// A warning here means HiGHS dropped coefficients below small_matrix_value
	// (set to its minimum, 1e-12): the rows are in, and every certificate is
	// checked against the exact instance data, so it is not an error.
	err := m.AddCompSparseRows(lb, start, index, value, ub)
	var cs binding.CallStatus
	if err != nil && !(errors.As(err, &cs) && cs.IsWarning()) {
		return fmt.Errorf("adding %d rows: %w", len(lb), err)
	}
	return nil
}

// FileResult is HiGHS's answer for a model read from a file.
type FileResult struct {
	Status    binding.ModelStatus
	Objective float64
	Columns   []float64
}

// SolveFile reads an MPS or LP file (by its extension) with HiGHS and solves it;
// lamcap uses it to check that exported files describe the problem it solves.
// A run that ends with a warning is retried with the settings of the main solver.
func SolveFile(path string) (FileResult, error) {
	var last error
	for _, set := range append([]Settings{{Presolve: "on"}}, retrySettings...) {
		m, err := newRaw(set, 0)
		if err != nil {
			return FileResult{}, err
		}
		if err := m.ReadModelFromFile(path); err != nil {
			var cs binding.CallStatus
			if !(errors.As(err, &cs) && cs.IsWarning()) {
				return FileResult{}, fmt.Errorf("HiGHS reading %s: %w", path, err)
			}
		}
		res, err := runSolve(m)
		if err == nil {
			return FileResult{Status: res.status, Objective: res.sol.Objective, Columns: res.sol.ColumnPrimal}, nil
		}
		if !errors.Is(err, lp.ErrSolverWarning) {
			return FileResult{}, err
		}
		last = err
	}
	return FileResult{}, last
}
