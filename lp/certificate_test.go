package lp_test

import (
	"context"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// conflictInstance is a d = 2, p = 2 instance with x_2 = 2 x_1: the margin of
// row (1,0) is exactly -2 times that of row (0,1) for every W, so t* = 0, and
// lambda = 2 on (0,1), 1 on (1,0) has A^T lambda = 0 exactly.
func conflictInstance(t *testing.T) *model.Instance {
	t.Helper()
	x := []float64{0.3767608131275497, -0.3900305948176094, 0.7535216262550994, -0.7800611896352188}
	y := []float64{-0.4525324700933645, 0.5019019348967166, 0.4505520736282267, -0.34217137159774635}
	src, err := model.NewMatrices(mat.NewDense(2, 2, x), mat.NewDense(2, 2, y))
	if err != nil {
		t.Fatal(err)
	}
	in, err := model.NewInstance(src, 2)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// The audit's second forgery: a W of a few multiples of 2^-1074 on an instance
// with t* = 0. Its products underflow, its computed margins are both 5e-324,
// and the rounding bound without an underflow term (model.MarginErrorBounds)
// is 0, so the old check accepted it. Exact margins: one of the two is
// negative.
func TestForgedSubnormalWRefused(t *testing.T) {
	in := conflictInstance(t)
	w := mat.NewDense(2, 2, []float64{0, -2 * 0x1p-1074, -0x1p-1074, -2 * 0x1p-1074})
	m := in.Margins(w)
	b := in.MarginErrorBounds(w, m)
	if !(m.At(0, 1) > b.At(0, 1) && m.At(1, 0) > b.At(1, 0)) {
		t.Fatalf("the forgery no longer fools the old bound: margins %v, %v, bounds %v, %v", m.At(0, 1), m.At(1, 0), b.At(0, 1), b.At(1, 0))
	}
	if c := lp.CheckStorable(in, w); c.OK {
		t.Fatalf("subnormal W certified storable on a t* = 0 instance: %+v", c)
	}
	// The same W scaled to normal numbers (exactly, by 2^1074): refused too,
	// on its exact margins.
	var big1 mat.Dense
	big1.Scale(0x1p1000, w)
	big1.Scale(0x1p74, &big1)
	if c := lp.CheckStorable(in, &big1); c.OK {
		t.Fatalf("scaled forgery certified storable: %+v", c)
	}
	// The instance's true certificate still holds, however its weights are
	// scaled.
	for _, s := range []float64{1, 0x1p-1073, 1e300} {
		l := []lp.Weighted{{Row: lp.Row{Mu: 0, V: 1}, Weight: 2 * s}, {Row: lp.Row{Mu: 1, V: 0}, Weight: s}}
		if c := lp.CheckNotStorable(in, l, lp.DefaultEps); !c.OK {
			t.Errorf("weights x %g: the exact not-storable certificate fails: %s", s, c.Reason)
		}
	}
}

// The audit's first forgery: a not-storable lambda of one weight near 5e-324
// on one row of a storable instance. Its products underflow to zero, so the
// old check found |A^T lambda|_1 = 0. Normalised to sum 1 it is the row itself.
func TestForgedSubnormalLambdaRefused(t *testing.T) {
	in, _ := model.NewInstance(model.Random{D: 6, Seed: 3}, 6)
	sol, err := lp.NewSimplex(in, lp.Options{}).Solve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c := lp.CheckStorable(in, sol.W); !c.OK || sol.T < 0.01 {
		t.Fatalf("want a clearly storable instance, have t* = %g, W check %+v", sol.T, c)
	}
	for _, wt := range []float64{5e-324, 1e-320, 0x1p-1060, 1, 1e300} {
		l := []lp.Weighted{{Row: lp.Row{Mu: 2, V: 4}, Weight: wt}}
		if c := lp.CheckNotStorable(in, l, lp.DefaultEps); c.OK {
			t.Errorf("one row with weight %g certified not storable on a storable instance (t* = %.3g): residual %g", wt, sol.T, c.Residual)
		}
	}
	// A genuine lambda with one more weight of 5e-324 relative to the rest is
	// refused: that weight is below what double precision carries.
	l := []lp.Weighted{{Row: lp.Row{Mu: 0, V: 1}, Weight: 1}, {Row: lp.Row{Mu: 1, V: 0}, Weight: 5e-324}}
	if c := lp.CheckNotStorable(in, l, 1); c.OK || c.Reason == "" {
		t.Errorf("a subnormal normalised weight was accepted: %+v", c)
	}
	if n := lp.NormaliseLambda(l); len(n) != 1 || n[0].Weight != 1 {
		t.Errorf("NormaliseLambda kept the subnormal weight: %v", n)
	}
}

// exactMargins is the sign of every exact margin of w, computed independently
// of lp in rational arithmetic: true when all are positive.
func exactAllPositive(in *model.Instance, w *mat.Dense) bool {
	for mu := 0; mu < in.P; mu++ {
		for v := 0; v < in.P; v++ {
			if v == mu {
				continue
			}
			y, c, x := in.Y.RawRowView(mu), in.Competitor(mu, v), in.X.RawRowView(mu)
			sum := new(big.Rat)
			for i := 0; i < in.D; i++ {
				a := new(big.Rat).Sub(new(big.Rat).SetFloat64(y[i]), new(big.Rat).SetFloat64(c[i]))
				for j := 0; j < in.D; j++ {
					term := new(big.Rat).Mul(a, new(big.Rat).SetFloat64(w.At(i, j)))
					sum.Add(sum, term.Mul(term, new(big.Rat).SetFloat64(x[j])))
				}
			}
			if sum.Sign() <= 0 {
				return false
			}
		}
	}
	return true
}

// A W whose smallest margin is pushed to within rounding of zero (a few ulps
// either side) is certified exactly when every exact margin is positive, as
// an independent rational computation says. Both answers must occur.
func TestCheckStorableIsExact(t *testing.T) {
	for _, kind := range []model.Model{model.Coupled, model.Decoupled} {
		checkStorableIsExact(t, kind)
	}
}

func checkStorableIsExact(t *testing.T, kind model.Model) {
	in, _ := model.NewInstance(model.Random{D: 5, Seed: 11, Kind: kind}, 4)
	sol, err := lp.NewSimplex(in, lp.Options{}).Solve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[bool]int{}
	for trial := 0; trial < 60; trial++ {
		// Move W along a_r for the row r with the smallest margin so that its
		// margin becomes delta.
		w := mat.DenseCopyOf(sol.W)
		m := in.Margins(w)
		mu, v := 0, 1
		for a := 0; a < in.P; a++ {
			for b := 0; b < in.P; b++ {
				if a != b && m.At(a, b) < m.At(mu, v) {
					mu, v = a, b
				}
			}
		}
		y, c, x := in.Y.RawRowView(mu), in.Competitor(mu, v), in.X.RawRowView(mu)
		var n2 float64
		for i := range y {
			for j := range x {
				n2 += (y[i] - c[i]) * (y[i] - c[i]) * x[j] * x[j]
			}
		}
		delta := float64(r.IntN(41)-10) * 1e-16
		step := (m.At(mu, v) - delta) / n2
		for i := range y {
			for j := range x {
				w.Set(i, j, w.At(i, j)-step*(y[i]-c[i])*x[j])
			}
		}
		got := lp.CheckStorable(in, w)
		want := exactAllPositive(in, got.W)
		if got.OK != want {
			t.Fatalf("%v trial %d (delta %g): CheckStorable says %v, exact arithmetic %v (%s)", kind, trial, delta, got.OK, want, got.Reason)
		}
		if got.OK && !(got.MinSlack > 0 && got.KappaLower > 0 && got.KappaLower <= got.Kappa) {
			t.Fatalf("certified W with slack %g, kappa %g >= lower %g", got.MinSlack, got.Kappa, got.KappaLower)
		}
		if got.Exact > 0 {
			seen[got.OK]++
		}
	}
	if seen[true] == 0 || seen[false] == 0 {
		t.Fatalf("%v: exact arithmetic did not decide both ways: %v", kind, seen)
	}
}

// Scale is proportional to the data's scale, so a certificate found at one
// scale holds at every other with the same relative eps; user data far from
// unit scale are brought to it by a power of two (model.NewMatrices), exactly.
func TestScaleFollowsTheData(t *testing.T) {
	in, _ := model.NewInstance(model.Random{D: 4, Seed: 5}, 30)
	base := lp.Scale(in)
	if !(base > 1 && base < 8) {
		t.Fatalf("a Gaussian instance has scale %g, want a few units", base)
	}
	for _, s := range []float64{0.25, 4, 0x1p-300, 0x1p300} {
		var x, y mat.Dense
		x.Scale(s, in.X)
		y.Scale(s, in.Y)
		src, err := model.NewMatrices(&x, &y)
		if err != nil {
			t.Fatal(err)
		}
		sc, _ := model.NewInstance(src, in.P)
		got := lp.Scale(sc)
		if s == 0.25 || s == 4 {
			if math.Abs(got/(base*s*s)-1) > 1e-14 {
				t.Errorf("scale x %g: %g, want %g", s*s, got, base*s*s)
			}
			continue
		}
		if f, _ := math.Frexp(got / base); f != 0.5 || !(got > 1e-3 && got < 1e3) {
			t.Errorf("data x %g: scale %g is not a power of two times %g near unit scale", s, got, base)
		}
	}
}
