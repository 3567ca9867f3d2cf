package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/internal/memlimit"
	"github.com/lamcap/lamcap/model"
)

func init() {
	register(command{"rules", "Hebbian and pseudo-inverse rules against p, beside the theory", runRules})
}

const rulesSynopsis = `For the Hebbian rule (W = sum y x^T) and the pseudo-inverse rule (least squares
W x = y) on nested instances: the fraction of associations recalled (correct score
above every competitor) and of ordered pairs, averaged over seeds, for each p; and
per instance the largest p up to which every prefix recalls all p(p-1) pairs, its
median and its mean + 1/2, each with a 95% interval, beside the finite-d Hebbian
prediction (docs/theory.md section 4) and the exact capacity scale of the optimal
memory (lamcap threshold). The prediction, the real p where P(all pairs recalled)
= 1/2, is compared with mean + 1/2: the largest p is an integer, whose median sits
about half an association below that p (docs/validation.md, "Theory is compared
with mean p* + 1/2"); dev = (mean + 1/2 - theory) / theory.
With --model vocabulary --vocab V the pairs are the p(V-1) of the shared words,
the optimal memory's p_c is the vocabulary surrogate's (lamcap theory --vocab V),
and the paper's Hebbian theory, for a target per input, is not printed.`

func runRules(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("rules --d D --seeds A:B [--pmax P]", rulesSynopsis)
	var o rulesArgs
	o.register(fs)
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if err := o.inst.validateAll(ctx); err != nil {
		return err
	}
	a, b, err := o.inst.seedRange(o.seeds)
	if err != nil {
		return err
	}
	if o.pmax != 0 && o.pmax < 2 {
		return usagef("--pmax must be at least 2")
	}
	// The study allocates its curve up to pmax and, at pmax, the instance with
	// its p x p scores: refused before allocation when it cannot fit.
	pmax := o.pmax
	if pmax == 0 {
		if pmax, err = experiment.DefaultRulesPMax(o.inst.d, o.inst.model); err != nil {
			return err
		}
	}
	need := memlimit.Add(model.MemoryBytes(o.inst.d, pmax, o.inst.model), memlimit.Mul(3*8, int64(pmax), int64(pmax)), memlimit.Mul(rulesBytesPerP, int64(pmax)))
	if err := checkMemory(fmt.Sprintf("d=%d pmax=%d", o.inst.d, pmax), need); err != nil {
		return err
	}
	fam := experiment.Family{D: o.inst.d, Model: o.inst.model, Embedding: o.inst.embed, FirstSeed: a, Seeds: int(b - a + 1)}
	var st *experiment.RulesStudy
	// The study checks ctx only between seeds: run it so that Ctrl-C and
	// SIGTERM stop the command at once.
	err = interruptible(ctx, func() error {
		var err error
		st, err = experiment.StudyRules(ctx, experiment.RulesSettings{Family: fam, PMax: o.pmax})
		return err
	})
	if err != nil {
		return err
	}
	if o.asJSON {
		return json.NewEncoder(stdout).Encode(st)
	}
	fmt.Fprintf(stdout, "d=%d, %s model, %d instances\n", st.D, st.Model, st.Instances)
	fmt.Fprintf(stdout, "%5s  %-22s  %-22s\n", "p", "Hebbian recalled/ordered", "pinv recalled/ordered")
	for _, c := range st.Curve {
		fmt.Fprintf(stdout, "%5d  %9.3f / %-10.4f  %9.3f / %-10.4f\n", c.P, c.HebbianRecalled, c.HebbianOrdered, c.PseudoInverseRecalled, c.PseudoInverseOrdered)
	}
	fmt.Fprintln(stdout)
	for _, c := range st.Capacity {
		fmt.Fprintf(stdout, "%-15s largest p with all pairs recalled: median %.1f [%g, %g], mean + 1/2 %.2f [%.2f, %.2f]", c.Rule, c.Median, c.CI.Lo, c.CI.Hi,
			c.Threshold, c.ThresholdCI.Lo, c.ThresholdCI.Hi)
		if v := c.Versus; v != nil {
			fmt.Fprintf(stdout, ", dev %s from theory", formatDeviation(*v))
		}
		fmt.Fprintln(stdout)
	}
	if o.inst.model.IsVocabulary() {
		fmt.Fprintf(stdout, "theory: optimal memory p_c %.2f (the vocabulary surrogate, lamcap theory --vocab %d); the paper's Hebbian theory is for a target per input and does not apply to a shared vocabulary\n",
			st.OptimalTheoryPC, o.inst.model.Vocab())
		return nil
	}
	fmt.Fprintf(stdout, "theory: Hebbian p_c at finite d %.2f (asymptote p log p / d^2 = 1/8: %.2f); optimal memory p_c %.2f\n",
		st.HebbianTheoryPC, st.HebbianAsymptote, st.OptimalTheoryPC)
	fmt.Fprintln(stdout, "dev = (mean + 1/2 - theory) / theory: the largest p is an integer, the theory the real p where P(all pairs recalled) = 1/2")
	return nil
}

// formatDeviation prints a comparison's deviation in percent with its 95%
// interval.
func formatDeviation(v experiment.Comparison) string {
	return fmt.Sprintf("%+.1f%% [%+.1f, %+.1f]", 100*v.Deviation, 100*v.DeviationCI.Lo, 100*v.DeviationCI.Hi)
}

// rulesBytesPerP is what the rules study keeps per p of its curve (two
// accumulators in a map, and the largest-p lists).
const rulesBytesPerP = 512

// rulesArgs are the flags of lamcap rules.
type rulesArgs struct {
	inst   instanceFlags
	seeds  string
	pmax   int
	asJSON bool
}

func (o *rulesArgs) register(fs *flagSet) {
	o.inst.register(fs)
	fs.StringVar(&o.seeds, "seeds", "1:20", "seeds A:B")
	fs.IntVar(&o.pmax, "pmax", 0, "largest p (0: 1.2 times the finite-size p_c)")
	fs.BoolVar(&o.asJSON, "json", false, "print the study as one JSON object")
}
