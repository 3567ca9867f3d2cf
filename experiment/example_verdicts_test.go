package experiment_test

import (
	"context"
	"fmt"
	"log"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/model"
)

// A verdict sweep (the single-verdict design): one certified verdict per
// (model, seed) at a p fixed per model in advance, near each model's
// threshold, instead of a full p* search. At d = 8 the p* of seeds 1..20 lie
// around 22 (coupled) and 21 to 22 (decoupled); each verdict says whether p0 <= p*.
func ExampleSweep_verdicts() {
	sweep := experiment.Sweep{Ds: []int{8}, FirstSeed: 1, Seeds: 20, At: []experiment.VerdictPoint{
		{D: 8, Model: model.Coupled, P: 22}, {D: 8, Model: model.Decoupled, P: 21}}}
	res, err := experiment.Run(context.Background(), sweep)
	if err != nil {
		log.Fatal(err)
	}
	for _, g := range res.Verdicts {
		fmt.Printf("d=%d %-9s p0=%d: %2d storable, %2d not, %d undecided; fraction %.2f [%.2f, %.2f]\n",
			g.D, g.Model, g.P, g.Storable, g.NotStorable, g.Undecided, g.Fraction, g.CI.Lo, g.CI.Hi)
	}
	// Output:
	// d=8 coupled   p0=22: 11 storable,  9 not, 0 undecided; fraction 0.55 [0.32, 0.77]
	// d=8 decoupled p0=21: 16 storable,  4 not, 0 undecided; fraction 0.80 [0.56, 0.94]
}
