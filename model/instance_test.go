package model

import (
	"math"
	"math/big"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestPrefixNesting(t *testing.T) {
	for _, m := range []Model{Coupled, Decoupled} {
		src := Random{D: 5, Seed: 11, Kind: m}
		small, err := NewInstance(src, 7)
		if err != nil {
			t.Fatal(err)
		}
		grown, _ := NewInstance(src, 3)
		if err := grown.Grow(12); err != nil {
			t.Fatal(err)
		}
		big, _ := NewInstance(src, 12)
		for mu := 0; mu < 7; mu++ {
			for v := 0; v < 7; v++ {
				if v == mu {
					continue
				}
				a, b, c := small.Competitor(mu, v), big.Competitor(mu, v), grown.Competitor(mu, v)
				for i := range a {
					if a[i] != b[i] || a[i] != c[i] {
						t.Fatalf("%v: competitor (%d,%d) differs between p=7, p=12 and grown", m, mu, v)
					}
				}
			}
		}
		if !mat.Equal(small.X, big.X.Slice(0, 7, 0, 5)) || !mat.Equal(small.Y, big.Y.Slice(0, 7, 0, 5)) {
			t.Errorf("%v: prefix inputs or targets differ", m)
		}
		if !mat.Equal(grown.X, big.X) || !mat.Equal(grown.Y, big.Y) {
			t.Errorf("%v: grown instance differs from one built at full size", m)
		}
		// Decoupled competitors are fresh; coupled ones are the targets.
		c := big.Competitor(2, 4)
		same := true
		for i, y := range big.Y.RawRowView(4) {
			same = same && c[i] == y
		}
		if same != (m == Coupled) {
			t.Errorf("%v: competitor (2,4) equal to target 4 is %v", m, same)
		}
	}
	if err := (&Instance{Src: Random{D: 3}, D: 3, P: 5}).Grow(4); err == nil {
		t.Error("shrinking an instance should fail")
	}
}

func TestReproducible(t *testing.T) {
	a, _ := NewInstance(Random{D: 6, Seed: 9, Kind: Decoupled, Embed: Sphere}, 8)
	b, _ := NewInstance(Random{D: 6, Seed: 9, Kind: Decoupled, Embed: Sphere}, 8)
	c, _ := NewInstance(Random{D: 6, Seed: 10, Kind: Decoupled, Embed: Sphere}, 8)
	if !mat.Equal(a.X, b.X) || !mat.Equal(a.Competitors(3), b.Competitors(3)) {
		t.Error("same seed gave different instances")
	}
	if mat.Equal(a.X, c.X) {
		t.Error("different seeds gave the same inputs")
	}
}

// Scores against the definition, one vector product at a time.
func TestScoresMatchDefinition(t *testing.T) {
	for _, m := range []Model{Coupled, Decoupled} {
		in, _ := NewInstance(Random{D: 5, Seed: 4, Kind: m}, 9)
		w := in.Hebbian()
		s := in.Scores(w)
		mg := in.Margins(w)
		var u mat.VecDense
		for mu := 0; mu < in.P; mu++ {
			u.MulVec(w, in.X.RowView(mu))
			own := mat.Dot(&u, in.Y.RowView(mu))
			for v := 0; v < in.P; v++ {
				want := own
				if v != mu {
					want = mat.Dot(&u, mat.NewVecDense(5, in.Competitor(mu, v)))
				}
				if math.Abs(s.At(mu, v)-want) > 1e-13 {
					t.Fatalf("%v: score (%d,%d) = %v, want %v", m, mu, v, s.At(mu, v), want)
				}
				if v != mu && math.Abs(mg.At(mu, v)-(own-want)) > 1e-13 {
					t.Fatalf("%v: margin (%d,%d) wrong", m, mu, v)
				}
			}
		}
	}
}

// The rounding bound must cover the true error, computed exactly with big.Float.
func TestMarginErrorBoundsCoverExactError(t *testing.T) {
	for _, m := range []Model{Coupled, Decoupled} {
		in, _ := NewInstance(Random{D: 7, Seed: 21, Kind: m}, 10)
		w := in.Hebbian()
		w.Scale(1e3, w)
		mg := in.Margins(w)
		b := in.MarginErrorBounds(w, mg)
		worst := 0.0
		for mu := 0; mu < in.P; mu++ {
			for v := 0; v < in.P; v++ {
				if v == mu {
					continue
				}
				exact := exactMargin(in, w, mu, v)
				err := math.Abs(mg.At(mu, v) - exact)
				if err > b.At(mu, v) {
					t.Fatalf("%v: margin (%d,%d) error %g exceeds bound %g", m, mu, v, err, b.At(mu, v))
				}
				worst = math.Max(worst, b.At(mu, v)/math.Abs(exact))
			}
		}
		if worst > 1e-10 {
			t.Errorf("%v: bounds are uselessly loose (relative %g)", m, worst)
		}
	}
}

func exactMargin(in *Instance, w *mat.Dense, mu, v int) float64 {
	x := in.X.RawRowView(mu)
	y := in.Y.RawRowView(mu)
	c := in.Competitor(mu, v)
	sum := new(big.Float).SetPrec(2000)
	for i := 0; i < in.D; i++ {
		a := new(big.Float).SetPrec(2000).Sub(big.NewFloat(y[i]).SetPrec(2000), big.NewFloat(c[i]))
		for j := 0; j < in.D; j++ {
			term := new(big.Float).SetPrec(2000).Mul(a, big.NewFloat(w.At(i, j)))
			term.Mul(term, big.NewFloat(x[j]))
			sum.Add(sum, term)
		}
	}
	f, _ := sum.Float64()
	return f
}

func TestLearningRules(t *testing.T) {
	in, _ := NewInstance(Random{D: 8, Seed: 2}, 6)
	pinv, err := in.PseudoInverse()
	if err != nil {
		t.Fatal(err)
	}
	// For p <= d the pseudo-inverse rule maps every input onto its target.
	var u mat.VecDense
	for mu := 0; mu < in.P; mu++ {
		u.MulVec(pinv, in.X.RowView(mu))
		u.SubVec(&u, in.Y.RowView(mu))
		if n := mat.Norm(&u, 2); n > 1e-10 {
			t.Errorf("pseudo-inverse misses target %d by %g", mu, n)
		}
	}
	// Hebbian: W = sum y x^T, checked entry by entry.
	h := in.Hebbian()
	for i := 0; i < 8; i++ {
		for j := 0; j < 8; j++ {
			var s float64
			for mu := 0; mu < in.P; mu++ {
				s += in.Y.At(mu, i) * in.X.At(mu, j)
			}
			if math.Abs(h.At(i, j)-s) > 1e-14 {
				t.Fatalf("Hebbian (%d,%d) = %v, want %v", i, j, h.At(i, j), s)
			}
		}
	}
}
