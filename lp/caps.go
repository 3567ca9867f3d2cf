package lp

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/internal/linalg"
	"github.com/lamcap/lamcap/model"
)

// Capabilities are what a solver of the bounded-margin LP can do. Callers ask
// a Method for them (Method.Capabilities) instead of comparing its name: the
// fallback chain (Chain), the threshold search, the max-margin QP, the memory
// check and the CLI's report all read these fields. A new solver is one
// Register call with a filled Capabilities; nothing else in lamcap names it.
type Capabilities struct {
	// New returns the solver for in. Required.
	New func(in *model.Instance, opts Options) Solver
	// WarmGrowth says the solver re-solves an instance grown by one
	// association from its previous basis (Instance.Grow): threshold searches
	// then grow one instance upwards. A solver without it is searched by
	// bracketing, which needs few cold verdicts.
	WarmGrowth bool
	// SignOnly says the solver honours Options.Stop: it can end once the sign
	// of t* is certified, before the optimum.
	SignOnly bool
	// Supports, if set, says why the solver cannot solve in (nil: it can).
	// Auto skips a preferred solver that does not support the instance.
	Supports func(in *model.Instance) error
	// Memory is the solver's own memory, in bytes, for p associations of
	// slots competitor slots each (Instance.Slots: p, or V for the
	// vocabulary model; the margin arrays are p x slots, the margin rows
	// p(slots-1)) in dimension d with rows rows (saturating at
	// memlimit.Inf). Required.
	Memory func(d, p, slots int64, rows Rows) int64
	// MaxMargin, if set, solves the min-norm QP (the maximal margin kappa*) of
	// a storable instance, started from start (a certified W of the LP) where
	// the method can use it; QPName names it in notes.
	MaxMargin func(ctx context.Context, in *model.Instance, start *mat.Dense, opts Options) (*Solution, error)
	QPName    string
	// Work describes, for a report, how the solver covered rows margin rows
	// in rounds LP solves (e.g. "lamcap simplex, all 380 rows priced
	// implicitly").
	Work func(rows, rounds int) string
	// Retries is how many other ways the solver has to solve an instance
	// cold (HiGHS: other settings); its solvers then implement Retrier, and
	// a chain tries them, in order, right after the solver's own solve.
	Retries int
	// Fallback places the solver in the fallback chains (Chain): when an
	// answer cannot be certified, a chain goes on to every registered solver
	// whose Fallback is above that of the solver it started with, lowest
	// first (ties by name). 0: never a fallback. lamcap's: the simplex
	// FallbackSimplex, HiGHS twice that (the last resort); the
	// interior-point method is never one.
	Fallback int
	// MaxD, if positive, is the largest d the solver is meant for: beyond it
	// a fallback chain (Chain.Run) and feasibility's confirmation of a
	// verdict in doubt do not ask it, and say so. It bounds time, where
	// Memory bounds space: the simplex's dense basis inverse is 6.4 GB at
	// d = 128, which a 24 GiB machine holds, but its cold solve there would
	// run for hours. 0: no limit. The first solver of a chain, the caller's
	// choice, is never refused by it.
	MaxD int
}

// MeantFor says why the solver is not meant for instances of dimension d
// (MaxD), or nil if it is.
func (c Capabilities) MeantFor(d int) error {
	if c.MaxD > 0 && d > c.MaxD {
		return fmt.Errorf("meant for d <= %d, not d = %d", c.MaxD, d)
	}
	return nil
}

// SimplexMaxD is the simplex's MaxD. Its cold solves grow as about 5-8 d^2
// iterations, each over a dense basis inverse of order d^2 + 1 and every
// margin row: an exact p* at d = 48 took it 1847 s against the IPM's 6 s
// (docs/benchmarks.md), and from d = 96 a single cold verdict would take
// hours.
const SimplexMaxD = 64

// FallbackSimplex is the simplex's place in the fallback chains
// (Capabilities.Fallback). A solver registered with a Fallback between it and
// HiGHS's (2 FallbackSimplex) is tried between them.
const FallbackSimplex = 10

var (
	registryMu sync.RWMutex
	// registry holds the solvers by Method (HiGHS registers itself from
	// package lp/highs). qpOrder is the order in which max-margin QPs are
	// tried after the LP solver's own.
	registry = map[Method]Capabilities{
		MethodSimplex: {
			New:        func(in *model.Instance, opts Options) Solver { return NewSimplex(in, opts) },
			WarmGrowth: true,
			Memory:     func(d, p, slots int64, _ Rows) int64 { return simplexMemory(d, p, slots) },
			MaxMargin: func(ctx context.Context, in *model.Instance, start *mat.Dense, _ Options) (*Solution, error) {
				return SolveMinNorm(ctx, in, start, Options{})
			},
			QPName: "active-set",
			Work: func(rows, _ int) string {
				return fmt.Sprintf("lamcap simplex, all %d rows priced implicitly", rows)
			},
			Fallback: FallbackSimplex,
			MaxD:     SimplexMaxD,
		},
		MethodIPM: {
			New:      func(in *model.Instance, opts Options) Solver { return NewIPM(in, opts) },
			SignOnly: true,
			Memory:   func(d, p, slots int64, _ Rows) int64 { return ipmMemory(d, p, slots) },
			MaxMargin: func(ctx context.Context, in *model.Instance, _ *mat.Dense, opts Options) (*Solution, error) {
				return NewIPM(in, opts).SolveMaxMargin(ctx)
			},
			QPName: "interior-point",
			Work: func(rows, _ int) string {
				return fmt.Sprintf("lamcap interior point (%s), all %d rows through the structured normal matrix", linalg.Version(), rows)
			},
		},
	}
	qpOrder = []Method{MethodSimplex, MethodIPM}
)

// workGenerated is the report of a constraint-generation solver, and of any
// solver that states no Work.
func workGenerated(rows, rounds int) string {
	return fmt.Sprintf("%d rows, %d rounds", rows, rounds)
}

// Register adds a solver under the name m, so that ParseMethod accepts it and
// NewSolver, the searches and the reports use it by its capabilities. Call it
// before any solve (from an init function or a test's start); it refuses an
// empty or taken name, a name Auto resolves to, and capabilities without New
// or Memory.
func Register(m Method, c Capabilities) error {
	if m == "" || m == Auto {
		return fmt.Errorf("register solver: reserved name %q", m)
	}
	if c.New == nil || c.Memory == nil {
		return fmt.Errorf("register solver %q: New and Memory are required", m)
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, ok := registry[m]; ok {
		return fmt.Errorf("register solver %q: name taken", m)
	}
	registry[m] = c
	return nil
}

// Capabilities returns what the solver m names can do (ok false for a name no
// solver is registered under). Auto and the empty Method are not solvers:
// resolve them first (For).
func (m Method) Capabilities() (c Capabilities, ok bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	c, ok = registry[m]
	return c, ok
}

// Work describes for a report how the solver m covered rows margin rows in
// rounds LP solves (Capabilities.Work, or a row and round count).
func (m Method) Work(rows, rounds int) string {
	if c, ok := m.Capabilities(); ok && c.Work != nil {
		return c.Work(rows, rounds)
	}
	return workGenerated(rows, rounds)
}

// methodNames lists the registered solvers, sorted.
func methodNames() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	names := make([]string, 0, len(registry))
	for m := range registry {
		names = append(names, string(m))
	}
	sort.Strings(names)
	return names
}

// autoChain is the one place Auto chooses: the solvers it prefers for
// dimension d and row form rows, best first. Dense or Lifted rows mean HiGHS
// (registered by package lp/highs; without it NewSolver gives the simplex);
// from IPMFromD on the interior-point method, then the simplex for instances
// it does not support; below IPMFromD the simplex. The fallbacks after the
// solver chosen are not its business: they follow from Capabilities.Fallback
// (Chain.Steps).
func autoChain(d int, rows Rows) []Method {
	switch {
	case rows != Implicit:
		return []Method{MethodHiGHS}
	case d >= IPMFromD:
		return []Method{MethodIPM, MethodSimplex}
	}
	return []Method{MethodSimplex}
}

// QPChain is the order in which SolveMaxMargin tries max-margin QPs after an
// LP solved by the method opts resolves to for dimension d: that method's own
// QP first if it has one, then the others (the active-set solver, then the
// interior-point QP) that are meant for d (Capabilities.MeantFor), as the
// LP's fallbacks are (Chain.Run): the active-set QP at d = 96 would run for
// hours. The first method stays whatever d is: the user chose it.
func QPChain(d int, opts Options) []Method {
	first := opts.Method.For(d, opts.Rows)
	var out []Method
	if c, ok := first.Capabilities(); ok && c.MaxMargin != nil {
		out = append(out, first)
	}
	for _, m := range qpOrder {
		if c, ok := m.Capabilities(); m != first && ok && c.MeantFor(d) == nil {
			out = append(out, m)
		}
	}
	return out
}

// unknownMethod is ParseMethod's error.
func unknownMethod(s string) error {
	names := append([]string{"auto"}, methodNames()...)
	last := len(names) - 1
	return fmt.Errorf("unknown solver %q (want %s or %s)", s, strings.Join(names[:last], ", "), names[last])
}
