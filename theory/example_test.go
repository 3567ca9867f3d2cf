package theory_test

import (
	"fmt"
	"math"

	"github.com/lamcap/lamcap/theory"
)

// The finite-size capacity of a d x d memory at kappa = 0: the root in p of
// p D_0(p) = d^2, Gardner's capacity of the Gaussian surrogate (docs/theory.md,
// "The statistical dimension D_kappa(p)"). It is the `theory` column of
// `lamcap capacity`. At reachable d the scale p_c log p_c / d^2 lies well above
// its asymptotic value 1/2.
func ExampleCriticalP() {
	for _, d := range []float64{8, 12, 128} {
		pc, err := theory.CriticalP(d*d, 0)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("d = %3.0f: p_c = %7.2f, p_c log p_c / d^2 = %.3f\n", d, pc, pc*math.Log(pc)/(d*d))
	}
	// Output:
	// d =   8: p_c =   22.19, p_c log p_c / d^2 = 1.074
	// d =  12: p_c =   40.00, p_c log p_c / d^2 = 1.025
	// d = 128: p_c = 1812.87, p_c log p_c / d^2 = 0.830
}

// The leading-order capacity, the root of p log p = d^2 / 2 (docs/theory.md,
// "Asymptotics"). The finite-size prediction approaches it only logarithmically:
// at d = 1024 it is still 44% above.
func ExampleAsymptoticP() {
	for _, d := range []float64{8, 128, 1024} {
		pa := theory.AsymptoticP(d * d)
		fmt.Printf("d = %4.0f: asymptotic p = %7.1f\n", d, pa)
	}
	n := 1024.0 * 1024
	pc, err := theory.CriticalP(n, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("d = 1024: finite-size p_c = %.1f, p_c log p_c / d^2 = %.3f, ratio to the asymptote %.3f\n",
		pc, pc*math.Log(pc)/n, pc/theory.AsymptoticP(n))
	// Output:
	// d =    8: asymptotic p =    12.6
	// d =  128: asymptotic p =  1160.8
	// d = 1024: asymptotic p = 48585.3
	// d = 1024: finite-size p_c = 69881.8, p_c log p_c / d^2 = 0.743, ratio to the asymptote 1.438
}
