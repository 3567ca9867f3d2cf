package lp

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/model"
)

// The storable ray probe (IPM.rayStorable) certifies the same verdicts as the
// plain path, no later, on the tightest storable instances of the committed
// science records at d = 16 and 24 (t* of 2.3e-6 to 4.4e-5 at p*) and on the
// not-storable instances just above them: every storable W it returns passes
// the external check, its T is positive and at most t*, and at least one of
// them is certified by the ray before the iterate's own t turns positive.
func TestIPMRayStorable(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		d     int
		kind  model.Model
		seed  uint64
		pStar int
	}{
		{16, model.Coupled, 45, 64},    // t* = 2.3e-6 at p*
		{24, model.Decoupled, 29, 115}, // 2.5e-6
		{24, model.Decoupled, 65, 114}, // 6.4e-6
		{24, model.Coupled, 78, 109},   // 4.4e-5
		{24, model.Coupled, 14, 119},   // 1.5e-4
	}
	byRay := 0
	for _, c := range cases {
		for _, p := range []int{c.pStar, c.pStar + 1} {
			in, err := model.NewInstance(model.Random{D: c.d, Seed: c.seed, Kind: c.kind}, p)
			if err != nil {
				t.Fatal(err)
			}
			solve := func(noRay bool) *Solution {
				s := NewIPM(in, Options{Stop: StopVerdict, Eps: DefaultEps})
				s.noRay = noRay
				sol, err := s.Solve(ctx)
				if err != nil {
					t.Fatalf("d=%d %v seed %d p=%d (noRay %v): %v", c.d, c.kind, c.seed, p, noRay, err)
				}
				return sol
			}
			ray, plain := solve(false), solve(true)
			rayOK, plainOK := CheckStorable(in, ray.W).OK, CheckStorable(in, plain.W).OK
			if want := p == c.pStar; rayOK != want || plainOK != want {
				t.Errorf("d=%d %v seed %d p=%d: storable certified with the ray %v, without %v; want %v", c.d, c.kind, c.seed, p, rayOK, plainOK, want)
				continue
			}
			if !rayOK && !CheckNotStorable(in, ray.Lambda, DefaultEps).OK {
				t.Errorf("d=%d %v seed %d p=%d: neither certificate holds (%s)", c.d, c.kind, c.seed, p, ray.Status)
			}
			if ray.Iterations > plain.Iterations {
				t.Errorf("d=%d %v seed %d p=%d: %d iterations with the ray, %d without", c.d, c.kind, c.seed, p, ray.Iterations, plain.Iterations)
			}
			if !rayOK {
				continue
			}
			opt, err := NewIPM(in, Options{Eps: DefaultEps}).Solve(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !(ray.T > 0 && ray.T <= opt.T+1e-12) {
				t.Errorf("d=%d %v seed %d p=%d: the ray's T = %.3g, t* = %.3g", c.d, c.kind, c.seed, p, ray.T, opt.T)
			}
			if strings.Contains(ray.Status, "(ray)") {
				byRay++
			}
		}
	}
	if byRay == 0 {
		t.Error("no verdict was certified by the ray")
	}
}

// A solve whose dual residual sits at its rounding floor gives up after
// ipmFloorChecks iterations there, so that the chain falls back, instead of
// running to ipmMaxIter: with separate primal and dual step lengths, d = 24
// decoupled, seed 44, p = 115 (p* + 1, not storable) reaches a gap of 1e-11
// at iteration 13 with its dual residual stuck above 1e-9 (it ran all 200
// iterations before). The simplex, the chain's next step, certifies it not
// storable. With equal step lengths (the default) the interior-point method
// certifies it itself.
func TestIPMDualFloorGivesUp(t *testing.T) {
	ctx := context.Background()
	in, err := model.NewInstance(model.Random{D: 24, Seed: 44, Kind: model.Decoupled}, 115)
	if err != nil {
		t.Fatal(err)
	}
	sol, err := NewIPM(in, Options{Stop: StopVerdict, Eps: DefaultEps}).Solve(ctx)
	if err != nil {
		t.Fatalf("with equal steps: %v", err)
	}
	if c := CheckNotStorable(in, NormaliseLambda(sol.Lambda), DefaultEps); !c.OK || c.Residual > ipmCertTarget || sol.Iterations > 15 {
		t.Errorf("with equal steps: %s in %d iterations, residual %.3g (%s)", sol.Status, sol.Iterations, c.Residual, c.Reason)
	}
	// Solved to the optimum, with equal steps (the default): the dual
	// residual falls to 4e-11 at iteration 12, then grows to 1e-8..1e-6 while
	// the gap, converged at iteration 13 (1.7e-10), is driven on down to
	// 1e-21: the directions' errors at those scalings are above what the
	// dual residual needs, and the guard gives up after 23 iterations. (With
	// unequal steps the same solve ended, after session 12, in a step length
	// of 7e-14 at iteration 21 instead, also ErrIPMNumerics; which of the two
	// it meets depends on rounding at a gap of 1e-24.)
	s := NewIPM(in, Options{Stop: StopOptimal, Eps: DefaultEps})
	its := 0
	s.trace = func(ipmTrace) { its++ }
	_, err = s.Solve(ctx)
	if !errors.Is(err, ErrIPMNumerics) || !strings.Contains(err.Error(), "dual residual stuck") {
		t.Fatalf("want the floor's ErrIPMNumerics, have %v after %d iterations", err, its)
	}
	if its > 13+ipmFloorChecks+5 {
		t.Errorf("gave up after %d iterations, want at most %d", its, 13+ipmFloorChecks+5)
	}
	ref, err := NewSimplex(in, Options{}).Solve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c := CheckNotStorable(in, ref.Lambda, DefaultEps); !c.OK {
		t.Errorf("the simplex does not certify not storable: %s", c.Reason)
	}
}

// Equal primal and dual step lengths (ipmEqualSteps) take fewer iterations
// in all than separate ones on slow near-threshold verdicts they were
// measured on (d = 24 and 32, p* and p* + 1 from the science records), and
// the neighbourhood safeguard, when switched on (IPM.nbhd), keeps every
// iterate's complementarity products at least gamma times their mean.
func TestIPMEqualSteps(t *testing.T) {
	ctx := context.Background()
	items := []string{"24:coupled:40:118", "24:decoupled:29:115", "32:coupled:11:185", "32:coupled:28:189", "32:decoupled:29:183"}
	var equal, separate int
	for _, item := range items {
		in := scanInstance(t, item)
		for _, mode := range []string{"equal", "separate", "safeguard"} {
			s := NewIPM(in, Options{Stop: StopVerdict, Eps: DefaultEps})
			s.unequalSteps = mode == "separate"
			if mode == "safeguard" {
				s.nbhd = ipmNeighbourhood
			}
			worst := math.Inf(1)
			s.trace = func(r ipmTrace) { worst = math.Min(worst, r.cenLo) }
			sol, err := s.Solve(ctx)
			if err != nil {
				t.Fatalf("%s (%s): %v", item, mode, err)
			}
			switch mode {
			case "equal":
				equal += sol.Iterations
			case "separate":
				separate += sol.Iterations
			default:
				if s.last.nbhdMissed == 0 && worst < ipmNeighbourhood*(1-1e-9) {
					t.Errorf("%s: an iterate's smallest s.y was %.3g of the mean, below %g", item, worst, ipmNeighbourhood)
				}
			}
		}
	}
	if equal >= separate {
		t.Errorf("%d iterations with equal step lengths, %d with separate ones", equal, separate)
	}
	t.Logf("%d iterations with equal step lengths, %d with separate ones", equal, separate)
}
