package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/internal/progress"
	"github.com/lamcap/lamcap/internal/ranges"
)

func init() {
	register(command{"threshold", "find the exact critical size p* of instances", runThreshold})
}

const thresholdSynopsis = `For each seed, finds p*, the largest p whose prefix instance is storable, with a
certified storable verdict at p* and a certified not-storable verdict at p*+1
(nested instances make storability monotone in p). Both searches start from the
finite-size prediction (lamcap theory). With the simplex (--solver simplex, the
default below d = 20) the search starts a little below it, steps down with fresh
solvers if needed, then grows one warm solver upwards. The interior-point method
(the default from d = 20) brackets p* with cold sign-only verdicts, starting where
the model's p* is expected and halving what the prior and the bracket leave.
An undecided verdict on the way is reported as such. The column "t* >= (p*)" is a certified lower bound on the
optimal margin t* at p* (box normalisation): the smallest recomputed margin of
the storable certificate W found there. The search needs only the sign of t*,
so it is t* itself only when that verdict ran to the optimum (the simplex's do).`

// parseRange reads "A:B" (or a single number) as an inclusive range.
func parseRange(s, flag string) (int64, int64, error) {
	a, b, err := ranges.Range(s, flag)
	return a, b, asUsage(err)
}

func runThreshold(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("threshold --d D --seeds A:B [flags]", thresholdSynopsis)
	var o thresholdArgs
	o.register(fs)
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if err := o.inst.validateAll(ctx); err != nil {
		return err
	}
	if err := o.sf.validate(); err != nil {
		return err
	}
	a, b, err := o.inst.seedRange(o.seeds)
	if err != nil {
		return err
	}
	if o.start < 0 {
		return usagef("--start must be >= 0")
	}
	guess := 3 * feasibility.StartGuess(o.inst.d)
	if c, ok := o.sf.opts.Method.For(o.inst.d, o.sf.opts.Rows).Capabilities(); ok && !c.WarmGrowth {
		// The bracketing search of a cold solver (the interior-point method) stays within a few widths of the prior
		// (about 1% of p at d = 128); half again the start leaves room for
		// a wrong prior and lets d = 160 (about 10.5 GiB) be checked at all.
		guess = 3 * feasibility.StartGuess(o.inst.d) / 2
	}
	guess = max(guess, o.start) // --start 100000 once skipped the check
	if err := checkMemory(fmt.Sprintf("d=%d", o.inst.d), lpMemory(o.inst, guess, o.sf)); err != nil {
		return err
	}
	if !o.asJSON {
		fmt.Fprintf(stdout, "%6s  %6s  %-9s  %-12s  %7s  %8s\n", "seed", "p*", "certified", "t* >= (p*)", "solves", "seconds")
	}
	tty := progress.IsTerminal(stderr)
	for s := a; s <= b; s++ {
		opts := feasibility.ThresholdOptions{LP: o.sf.opts, Eps: o.sf.eps, Start: o.start, OnVerdict: showVerdict(stderr, tty, s)}
		th, err := feasibility.FindThreshold(ctx, o.inst.source(s), opts)
		if err != nil {
			return err
		}
		rec := experiment.NewRecord(experiment.Unit{D: o.inst.d, Model: o.inst.model, Seed: s}, o.inst.embed, th)
		rec.Eps = opts.EpsOrDefault()
		if err := printThreshold(stdout, rec, th, o.asJSON); err != nil {
			return err
		}
	}
	return nil
}

// showVerdict, on a terminal, shows each verdict of a search as it comes (a
// search at d = 64..128 takes minutes to an hour).
func showVerdict(stderr io.Writer, tty bool, seed int64) func(p int, v feasibility.Verdict) {
	if !tty {
		return nil
	}
	return func(p int, v feasibility.Verdict) {
		fmt.Fprintf(stderr, "  seed %d: p=%d %s (%s, %d iterations, %.1f s)\n", seed, p, v.Status, v.Solver, v.Iterations, v.Seconds)
	}
}

// printThreshold prints one critical size as a table row or a JSON line.
func printThreshold(stdout io.Writer, rec experiment.Record, th feasibility.Threshold, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(stdout).Encode(rec)
	}
	ps := "undecided"
	if th.Certified {
		ps = strconv.Itoa(th.PStar)
	}
	// The bound rounded down, so that the printed number is still below t*.
	fmt.Fprintf(stdout, "%6d  %6s  %-9v  %-12s  %7d  %8.2f", rec.Seed, ps, th.Certified, formatBound(th.MarginBound(), 4, false), th.Solves, th.Seconds)
	if th.Note != "" {
		fmt.Fprintf(stdout, "  (%s)", th.Note)
	}
	fmt.Fprintln(stdout)
	return nil
}

// thresholdArgs are the flags of lamcap threshold.
type thresholdArgs struct {
	inst   instanceFlags
	sf     solverFlags
	seeds  string
	start  int
	asJSON bool
}

func (o *thresholdArgs) register(fs *flagSet) {
	o.inst.register(fs)
	o.inst.registerFiles(fs)
	fs.StringVar(&o.seeds, "seeds", "1:5", "seeds A:B (inclusive; one instance with --inputs)")
	fs.IntVar(&o.start, "start", 0, "first p tried (0: from the finite-size prediction, lamcap theory)")
	o.sf.register(fs)
	fs.BoolVar(&o.asJSON, "json", false, "print one JSON line per instance")
}
