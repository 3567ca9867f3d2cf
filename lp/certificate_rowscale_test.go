package lp_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// rowScaled is the Gaussian instance d = 8 of seed 12345 at p as user data,
// input mu multiplied by 2^k[mu] (exactly) and k drawn from 0..20 (six
// decades).
func rowScaled(t *testing.T, p int) (*model.Instance, []int) {
	t.Helper()
	base, err := model.NewInstance(model.Random{D: 8, Seed: 12345}, p)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 7))
	k := make([]int, p)
	x := mat.DenseCopyOf(base.X)
	for mu := range k {
		k[mu] = r.IntN(21)
		row := x.RawRowView(mu)
		for j := range row {
			row[j] = math.Ldexp(row[j], k[mu])
		}
	}
	src, err := model.NewMatrices(x, base.Y)
	if err != nil {
		t.Fatal(err)
	}
	in, err := model.NewInstance(src, p)
	if err != nil {
		t.Fatal(err)
	}
	return in, k
}

// The optimal dual weights of a storable instance whose inputs span six
// decades: |A^T lambda|_1 = t* is far below eps times the largest row's
// scale, so a tolerance relative to the largest row accepted them as a
// not-storable certificate for a storable instance (F1b). Held to the rows
// they weigh, they are refused.
func TestForgedDualOfUnevenInputsRefused(t *testing.T) {
	in, _ := rowScaled(t, 18)
	s := lp.NewSimplex(in, lp.Options{})
	sol, err := s.Solve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c := lp.CheckStorable(in, sol.W); !c.OK {
		t.Fatalf("the instance should be storable with a W that verifies: %s", c.Reason)
	}
	c := lp.CheckNotStorable(in, lp.NormaliseLambda(sol.Lambda), lp.DefaultEps)
	if !(c.Residual <= lp.DefaultEps*lp.Scale(in)) {
		t.Fatalf("the forgery would not have held against the largest row either (residual %g, largest row %g): no test", c.Residual, lp.Scale(in))
	}
	if c.OK {
		t.Fatalf("a dual lambda of a storable instance verifies as not storable: residual %g <= %g", c.Residual, c.Tolerance)
	}
	t.Logf("refused: %s (the largest row's scale %.3g would have allowed %.3g)", c.Reason, lp.Scale(in), lp.DefaultEps*lp.Scale(in))
}

// A genuine not-storable certificate holds on every per-input scaling of its
// instance, its weights divided by the same factors (A^T lambda is then the
// same, and so is sum_r lambda_r |a_r|_1): the check says the same thing
// however the inputs are scaled.
func TestNotStorableCheckFollowsInputScaling(t *testing.T) {
	const p = 40
	base, err := model.NewInstance(model.Random{D: 8, Seed: 12345}, p)
	if err != nil {
		t.Fatal(err)
	}
	sol, err := lp.NewSimplex(base, lp.Options{}).Solve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	l := lp.NormaliseLambda(sol.Lambda)
	c0 := lp.CheckNotStorable(base, l, lp.DefaultEps)
	if !c0.OK {
		t.Fatalf("p = %d is not certified not storable: %s", p, c0.Reason)
	}
	in, k := rowScaled(t, p)
	// model.NewMatrices scaled X as a whole by a power of two e: find it.
	e := math.Log2(in.X.At(0, 0)/base.X.At(0, 0)) - float64(k[0])
	scaled := make([]lp.Weighted, len(l))
	for i, w := range l {
		scaled[i] = w
		scaled[i].Weight = math.Ldexp(w.Weight, -k[w.Mu])
	}
	c := lp.CheckNotStorable(in, scaled, lp.DefaultEps)
	if !c.OK {
		t.Fatalf("the reweighted certificate does not hold on the scaled instance: %s", c.Reason)
	}
	// Relative residuals agree to rounding.
	r0, r := c0.Residual/c0.Scale, c.Residual/c.Scale
	if math.Abs(r-r0) > 1e-3*r0+1e-15 {
		t.Errorf("relative residual %g on the scaled instance, %g on the base (X scaled by 2^%g as a whole)", r, r0, e)
	}
}

// A lambda on a row whose a_r is exactly zero (a target equal to a competitor)
// certifies: that margin is 0 for every W.
func TestZeroRowCertifies(t *testing.T) {
	base, _ := model.NewInstance(model.Random{D: 6, Seed: 3}, 5)
	y := mat.DenseCopyOf(base.Y)
	y.SetRow(1, base.Y.RawRowView(0))
	src, err := model.NewMatrices(base.X, y)
	if err != nil {
		t.Fatal(err)
	}
	in, _ := model.NewInstance(src, 5)
	c := lp.CheckNotStorable(in, []lp.Weighted{{Row: lp.Row{Mu: 1, V: 0}, Weight: 1}}, lp.DefaultEps)
	if !c.OK || c.Residual != 0 {
		t.Fatalf("a zero row does not certify: %+v", c)
	}
	if c := lp.CheckNotStorable(in, []lp.Weighted{{Row: lp.Row{Mu: 1, V: 2}, Weight: 1}}, lp.DefaultEps); c.OK {
		t.Fatalf("a nonzero row alone certifies: %+v", c)
	}
}
