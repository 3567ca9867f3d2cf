package lp

import (
	"context"
	"fmt"
	"sort"

	"github.com/lamcap/lamcap/internal/memlimit"
	"github.com/lamcap/lamcap/model"
)

// Step is one attempt of a fallback chain: the solver Method names, solving
// its Retry-th way. Retry 0 is the solver's own Solve (for a fallback, a
// fresh solver's cold solve); Retry k >= 1 its k-th other way (Retrier.Retry,
// k up to Capabilities.Retries).
type Step struct {
	Method Method
	Retry  int
}

func (s Step) String() string {
	if s.Retry == 0 {
		return string(s.Method)
	}
	return fmt.Sprintf("%s (retry %d)", s.Method, s.Retry)
}

// Retrier is a Solver with other ways to solve its instance cold (HiGHS:
// other settings), Capabilities.Retries of them. Retry(ctx, k) solves cold
// the k-th way, 1 <= k <= Retries; Retry(ctx, 0) solves cold as Solve would,
// without going on to the other ways itself (the chain does).
type Retrier interface {
	Solver
	Retry(ctx context.Context, k int) (*Solution, error)
}

// Chain is a solver with its fallbacks, the one place that decides what is
// tried when an answer cannot be certified (feasibility.Decide walks it).
// Its steps follow from the capabilities alone (Steps): the first solver's
// own solve and retries, then every registered solver with a higher
// Capabilities.Fallback that supports the instance. With lamcap's solvers:
//
//	ipm:     ipm, simplex, highs, highs (retry 1), highs (retry 2)
//	simplex: simplex, highs, highs (retry 1), highs (retry 2)
//	highs:   highs, highs (retry 1), highs (retry 2)
//
// (HiGHS when package lp/highs is imported.) A fallback solver is made on its
// first step and kept, so it grows with the instance as the first one does.
// Chain is a Solver (Solve is the first solver's). Not safe for concurrent
// use.
type Chain struct {
	first  Solver
	method Method
	opts   Options
	made   map[Method]Solver
}

// NewChain returns the chain that starts with first, a solver of the method
// m, made with opts (which the fallbacks are made with too, in the default
// row form). m may name no registered solver (a test double): the chain then
// has no retries of its own and falls to every fallback.
func NewChain(first Solver, m Method, opts Options) *Chain {
	return &Chain{first: first, method: m, opts: opts, made: map[Method]Solver{}}
}

// Instance returns the instance the chain works on.
func (c *Chain) Instance() *model.Instance { return c.first.Instance() }

// Solve is the first step: the first solver's Solve (warm, if it grows warm).
func (c *Chain) Solve(ctx context.Context) (*Solution, error) { return c.first.Solve(ctx) }

// Steps lists the chain for the instance as it is now, first step first.
func (c *Chain) Steps() []Step {
	steps := []Step{{Method: c.method}}
	caps, _ := c.method.Capabilities()
	if _, ok := c.first.(Retrier); ok {
		for k := 1; k <= caps.Retries; k++ {
			steps = append(steps, Step{c.method, k})
		}
	}
	in := c.Instance()
	type fallback struct {
		m    Method
		caps Capabilities
	}
	var falls []fallback
	registryMu.RLock()
	for m, fc := range registry {
		if m != c.method && fc.Fallback > 0 && fc.Fallback > caps.Fallback && (fc.Supports == nil || fc.Supports(in) == nil) {
			falls = append(falls, fallback{m, fc})
		}
	}
	registryMu.RUnlock()
	sort.Slice(falls, func(i, j int) bool {
		a, b := falls[i], falls[j]
		return a.caps.Fallback < b.caps.Fallback || (a.caps.Fallback == b.caps.Fallback && a.m < b.m)
	})
	for _, f := range falls {
		for k := 0; k <= f.caps.Retries; k++ {
			steps = append(steps, Step{f.m, k})
		}
	}
	return steps
}

// Run runs one step of Steps. The first solver's steps call its Solve or
// Retry; another solver's are refused with an error, before anything is
// allocated, when the instance is beyond the size the solver is meant for
// (Capabilities.MaxD: the simplex's cold solve at d = 96 would take hours)
// or its Memory does not fit in the machine's budget (memlimit.Check: the
// simplex's dense basis inverse is 6.4 GB at d = 128), so the chain ends
// undecided, with that reason, instead of running for hours or exhausting
// the machine. An error from a step is the step's failure, not the chain's:
// the caller goes on.
func (c *Chain) Run(ctx context.Context, st Step) (*Solution, error) {
	s := c.first
	if st.Method != c.method {
		caps, ok := st.Method.Capabilities()
		if !ok {
			return nil, fmt.Errorf("chain step %s: no solver is registered under that name", st)
		}
		in := c.Instance()
		if err := caps.MeantFor(in.D); err != nil {
			return nil, fmt.Errorf("the %s fallback is %w", st.Method, err)
		}
		d, p := int64(in.D), int64(in.P)
		if err := memlimit.Check(fmt.Sprintf("the %s fallback at d=%d p=%d", st.Method, d, p), caps.Memory(d, p, int64(in.Slots()), Implicit)); err != nil {
			return nil, err
		}
		if s = c.made[st.Method]; s == nil {
			o := c.opts
			o.Method, o.Rows = st.Method, Implicit
			s = caps.New(in, o)
			c.made[st.Method] = s
		}
	} else if st.Retry == 0 {
		return s.Solve(ctx)
	}
	if r, ok := s.(Retrier); ok {
		return r.Retry(ctx, st.Retry)
	}
	if st.Retry > 0 {
		return nil, fmt.Errorf("chain step %s: the solver has no other ways to solve (it is no Retrier)", st)
	}
	return s.Solve(ctx)
}
