package main

import (
	"context"
	"fmt"
	"io"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/model"
	"github.com/lamcap/lamcap/theory"
)

func init() {
	register(command{"rules", "Hebbian and pseudo-inverse rules against p, beside the theory", runRules})
}

const rulesSynopsis = `For the Hebbian rule (W = sum y x^T) and the pseudo-inverse rule (least squares
W x = y) on nested instances: the fraction of associations recalled (correct score
above every competitor) and of ordered pairs, averaged over seeds, for each p; and
per instance the largest p up to which every prefix recalls all p(p-1) pairs, with
its median and 95% interval beside the finite-d Hebbian prediction (docs/theory.md
section 4) and the exact capacity scale of the optimal memory (lamcap threshold).`

func runRules(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("rules --d D --seeds A:B [--pmax P]", rulesSynopsis)
	var inst instanceFlags
	var seeds string
	var pmax int
	inst.register(fs)
	fs.StringVar(&seeds, "seeds", "1:20", "seeds A:B")
	fs.IntVar(&pmax, "pmax", 0, "largest p (0: 1.2 times the finite-size p_c)")
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if err := inst.validateAll(ctx); err != nil {
		return err
	}
	a, b, err := inst.seedRange(seeds)
	if err != nil {
		return err
	}
	if pmax == 0 {
		pmax = int(1.2 * experiment.TheoryPC(inst.d, 0))
	}
	if pmax < 2 {
		return usagef("--pmax must be at least 2")
	}
	rules := []feasibility.Rule{feasibility.Hebbian, feasibility.PseudoInverse}
	type acc struct{ recalled, ordered float64 }
	curve := make([]map[feasibility.Rule]*acc, pmax+1)
	allUpTo := map[feasibility.Rule][]float64{}
	n := 0
	for s := a; s <= b; s++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		n++
		last := map[feasibility.Rule]int{}
		stopped := map[feasibility.Rule]bool{}
		for p := 2; p <= pmax; p++ {
			pre, err := model.NewInstance(inst.source(s), p)
			if err != nil {
				return err
			}
			if curve[p] == nil {
				curve[p] = map[feasibility.Rule]*acc{}
			}
			for _, r := range rules {
				w := pre.Hebbian()
				if r == feasibility.PseudoInverse {
					if w, err = pre.PseudoInverse(); err != nil {
						return err
					}
				}
				var smp feasibility.ScoreSample
				smp.AddScores(pre, w)
				st := smp.Stats()
				c := curve[p][r]
				if c == nil {
					c = &acc{}
					curve[p][r] = c
				}
				c.recalled += st.FractionRecalled
				c.ordered += st.FractionOrdered
				if !stopped[r] {
					if st.FractionOrdered == 1 {
						last[r] = p
					} else {
						stopped[r] = true
					}
				}
			}
		}
		for _, r := range rules {
			allUpTo[r] = append(allUpTo[r], float64(max(last[r], 1)))
		}
	}
	fmt.Fprintf(stdout, "d=%d, %s model, %d instances\n", inst.d, inst.model, n)
	fmt.Fprintf(stdout, "%5s  %-22s  %-22s\n", "p", "Hebbian recalled/ordered", "pinv recalled/ordered")
	for p := 2; p <= pmax; p++ {
		h, q := curve[p][feasibility.Hebbian], curve[p][feasibility.PseudoInverse]
		fmt.Fprintf(stdout, "%5d  %9.3f / %-10.4f  %9.3f / %-10.4f\n", p, h.recalled/float64(n), h.ordered/float64(n), q.recalled/float64(n), q.ordered/float64(n))
	}
	fmt.Fprintln(stdout)
	for _, r := range rules {
		med, ci := experiment.Median(allUpTo[r]), experiment.MedianCI(allUpTo[r], 0.95)
		fmt.Fprintf(stdout, "%-15s largest p with all pairs recalled: median %.1f [%g, %g]\n", r, med, ci.Lo, ci.Hi)
	}
	fmt.Fprintf(stdout, "theory: Hebbian p_c at finite d %.2f (asymptote p log p / d^2 = 1/8: %.2f); optimal memory p_c %.2f\n",
		theory.HebbianCriticalP(float64(inst.d)), hebbianAsymptote(inst.d), experiment.TheoryPC(inst.d, 0))
	return nil
}

// hebbianAsymptote solves p log p = d^2 / 8.
func hebbianAsymptote(d int) float64 { return theory.AsymptoticP(float64(d*d) / 4) }
