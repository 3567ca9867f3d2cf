package experiment_test

import (
	"context"
	"fmt"
	"log"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// Every study takes a context and its settings, whose zero fields mean the
// defaults, and returns its result: here the mechanism study at its default
// size, 80% of the finite-size p_c (experiment.DefaultStudyP), on both models
// (experiment.DefaultMechanismModels), with the LP options of its max-margin
// solves (the zero lp.Options: the solver by size, lp.DefaultEps).
func ExampleStudyMechanism() {
	fam := experiment.Family{D: 6, Embedding: model.Gaussian, FirstSeed: 1, Seeds: 3}
	doc, err := experiment.StudyMechanism(context.Background(), experiment.MechanismSettings{Family: fam, LP: lp.Options{}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("d=%d p=%d\n", doc.D, doc.P)
	for _, m := range doc.Models {
		opt, heb := m.Rules[experiment.Optimal], m.Rules[experiment.Hebbian]
		fmt.Printf("%-9s %d storable: margin optimal %.3f, Hebbian %.3f\n", m.Model, m.Used, opt.Recall.Margin.Mean, heb.Recall.Margin.Mean)
	}
	// Output:
	// d=6 p=11
	// coupled   3 storable: margin optimal 0.203, Hebbian -0.261
	// decoupled 3 storable: margin optimal 0.182, Hebbian -0.135
}

// The learning-rules study solves no LP: its settings are the family and the
// largest p (0: experiment.DefaultRulesPMax, 1.2 times the finite-size p_c).
// Each rule's largest p with all pairs recalled is summarised by its median
// and by its mean + 1/2, which is what is compared with the Hebbian theory
// (Versus): the largest p is an integer, the theory a real p.
func ExampleStudyRules() {
	fam := experiment.Family{D: 8, Model: model.Coupled, Embedding: model.Gaussian, FirstSeed: 1, Seeds: 4}
	st, err := experiment.StudyRules(context.Background(), experiment.RulesSettings{Family: fam})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("d=%d, p = 2..%d\n", st.D, st.Curve[len(st.Curve)-1].P)
	for _, c := range st.Capacity {
		fmt.Printf("%-14s all pairs recalled up to p: median %.1f [%g, %g], mean + 1/2 %.2f", c.Rule, c.Median, c.CI.Lo, c.CI.Hi, c.Threshold)
		if v := c.Versus; v != nil {
			fmt.Printf(", theory %.2f (%+.0f%%)", v.Theory, 100*v.Deviation)
		}
		fmt.Println()
	}
	// Output:
	// d=8, p = 2..26
	// hebbian        all pairs recalled up to p: median 4.0 [2, 5], mean + 1/2 4.25, theory 2.85 (+49%)
	// pseudo-inverse all pairs recalled up to p: median 7.5 [3, 9], mean + 1/2 7.25
}
