package experiment_test

import (
	"context"
	"fmt"
	"log"

	"github.com/lamcap/lamcap/experiment"
)

// A small coupled/decoupled sweep in memory: the measured p_c (median certified
// p* of 9 instances, with its 95% interval) beside the finite-size theory.
func Example() {
	sweep := experiment.Sweep{Ds: []int{6, 8}, FirstSeed: 1, Seeds: 9}
	res, err := experiment.Run(context.Background(), sweep)
	if err != nil {
		log.Fatal(err)
	}
	for _, g := range res.Groups {
		fmt.Printf("d=%d %-9s p_c=%4.1f [%g, %g]  theory %4.1f  (%d undecided)\n",
			g.D, g.Model, g.PC, g.PCCI.Lo, g.PCCI.Hi, g.TheoryPC, g.Undecided)
	}
	// Output:
	// d=6 coupled   p_c=15.0 [13, 16]  theory 14.9  (0 undecided)
	// d=6 decoupled p_c=14.0 [11, 15]  theory 14.9  (0 undecided)
	// d=8 coupled   p_c=23.0 [21, 24]  theory 22.2  (0 undecided)
	// d=8 decoupled p_c=21.0 [20, 23]  theory 22.2  (0 undecided)
}
