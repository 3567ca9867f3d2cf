package feasibility_test

import (
	"context"
	"fmt"
	"log"

	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// An instance and its certified verdict: 32 random associations in d = 10 are
// storable for seed 1 and not for seed 2.
func ExampleDecide() {
	for _, seed := range []uint64{1, 2} {
		in, err := model.NewInstance(model.Random{D: 10, Seed: seed, Kind: model.Coupled}, 32)
		if err != nil {
			log.Fatal(err)
		}
		v, err := feasibility.Decide(context.Background(), lp.NewSolver(in, lp.Options{}), feasibility.DefaultEps)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("seed %d: %s (certified %v, %d margin rows)\n", seed, v.Status, v.Certified, in.Rows())
	}
	// Output:
	// seed 1: storable (certified true, 992 margin rows)
	// seed 2: not-storable (certified true, 992 margin rows)
}

// The critical size p* of one nested instance family, certified by a storable
// verdict at p* and a not-storable one at p*+1.
func ExampleFindThreshold() {
	src := model.Random{D: 10, Seed: 1, Kind: model.Coupled}
	th, err := feasibility.FindThreshold(context.Background(), src, feasibility.ThresholdOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("p* = %d (certified %v: storable at %d, not at %d)\n", th.PStar, th.Certified, th.Lower, th.Upper)
	// Output:
	// p* = 33 (certified true: storable at 33, not at 34)
}

// The max-margin memory of a storable instance: kappa* = d / |W*|_F with a
// certified interval.
func ExampleSolveMaxMargin() {
	in, err := model.NewInstance(model.Random{D: 8, Seed: 3, Kind: model.Coupled}, 12)
	if err != nil {
		log.Fatal(err)
	}
	mm, err := feasibility.SolveMaxMargin(context.Background(), in, lp.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("storable %v, kappa* = %.4f, certified %v (interval width below %g: %v)\n",
		mm.Storable, mm.Kappa, mm.Certified, 1e-4, mm.Upper-mm.Lower < 1e-4)
	// Output:
	// storable true, kappa* = 0.6303, certified true (interval width below 0.0001: true)
}
