package feasibility_test

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// The audit's case: d = 6, p = 13, seed 3901. The active-set QP's W is not
// certified there, and margin printed 0.0256 beside the interval [0, 0.00946];
// kappa* is 0.0071153 (the interior-point QP). SolveMaxMargin now falls back on
// the interior-point QP and certifies it; the value is checked against that
// QP's own W, a second computation.
func TestMaxMarginFallsBack(t *testing.T) {
	in, _ := model.NewInstance(model.Random{D: 6, Seed: 3901}, 13)
	mm, err := feasibility.SolveMaxMargin(context.Background(), in, lp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !mm.Certified || len(mm.Methods) != 2 || mm.Methods[0] != lp.MethodSimplex {
		t.Fatalf("want a certified answer after falling back from the active-set QP, have %+v", mm)
	}
	sol, err := lp.NewIPM(in, lp.Options{}).SolveMaxMargin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ref := float64(in.D) / mat.Norm(sol.W, 2)
	if math.Abs(mm.Kappa-ref) > 1e-6*ref || math.Abs(mm.Kappa-0.0071153) > 1e-7 {
		t.Errorf("kappa* = %.9g, the interior-point QP's W gives %.9g", mm.Kappa, ref)
	}
}

// Whatever the method, a point value is given only with a certificate, and it
// lies in its interval; the interval's ends are proven bounds, checked here on
// the W returned (lower) and on the LP's W (which no optimum can beat).
func TestMaxMarginNeverPrintsAnUncertifiedPoint(t *testing.T) {
	for _, method := range []lp.Method{lp.MethodSimplex, lp.MethodIPM} {
		for s := uint64(3896); s <= 3903; s++ {
			in, _ := model.NewInstance(model.Random{D: 6, Seed: s}, 13)
			mm, err := feasibility.SolveMaxMargin(context.Background(), in, lp.Options{Method: method})
			if err != nil {
				t.Fatal(err)
			}
			if !mm.Storable {
				continue
			}
			if !mm.Certified {
				if mm.Kappa != 0 || mm.W != nil {
					t.Errorf("%s seed %d: uncertified answer carries kappa %g", method, s, mm.Kappa)
				}
				continue
			}
			if !(mm.Lower <= mm.Kappa && mm.Kappa <= mm.Upper) {
				t.Errorf("%s seed %d: kappa %g outside [%g, %g]", method, s, mm.Kappa, mm.Lower, mm.Upper)
			}
			if c := lp.CheckStorable(in, mm.W); !c.OK || c.KappaLower < mm.Lower*(1-1e-12) {
				t.Errorf("%s seed %d: the W returned does not reach the lower end %g: %+v", method, s, mm.Lower, c)
			}
			if lpK := mm.LP.WCheck.Kappa; lpK > mm.Upper {
				t.Errorf("%s seed %d: the LP's W has margin %g above the upper end %g", method, s, lpK, mm.Upper)
			}
		}
	}
}
