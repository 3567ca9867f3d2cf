package model

import (
	"context"
	"errors"
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

// cancelSource draws from Random and cancels a context at its k-th vector
// (1-based; 0: never), counting the vectors drawn after that.
type cancelSource struct {
	Random
	k, drawn, after *int
	cancel          func()
}

func (s cancelSource) draw() {
	*s.drawn++
	if *s.drawn == *s.k {
		s.cancel()
	} else if *s.k > 0 && *s.drawn > *s.k {
		*s.after++
	}
}

func (s cancelSource) Input(mu int, dst []float64)  { s.draw(); s.Random.Input(mu, dst) }
func (s cancelSource) Target(mu int, dst []float64) { s.draw(); s.Random.Target(mu, dst) }
func (s cancelSource) Competitor(mu, v int, dst []float64) {
	s.draw()
	s.Random.Competitor(mu, v, dst)
}

// A cancelled build returns the context's error within one block of
// associations (growCheckEvery inputs and targets, or one association's
// competitors; in its last block it finishes), and leaves the instance as it was: growing it again gives the
// instance built in one go. The context is cancelled from the source itself,
// at points spread over the build.
func TestGrowContextCancelled(t *testing.T) {
	const d, p0, p = 4, 70, 150
	for _, m := range []Model{Coupled, Decoupled} {
		want, _ := NewInstance(Random{D: d, Seed: 5, Kind: m}, p)
		// Vectors a build from p0 to p draws, and the most a block draws.
		total, block := 2*(p-p0), 2*growCheckEvery
		if m == Decoupled {
			total += p*p - p0*p0 - (p - p0)
			block = max(block, p)
		}
		for k := 0; k <= total; k += 1 + total/37 {
			var drawn, after int
			ctx, cancel := context.WithCancel(context.Background())
			src := cancelSource{Random{D: d, Seed: 5, Kind: m}, new(int), &drawn, &after, cancel}
			in, err := NewInstance(src, p0) // k = 0: not cancelled yet
			if err != nil {
				t.Fatal(err)
			}
			drawn, *src.k = 0, k
			if k == 0 {
				cancel() // cancelled before the call
			}
			err = in.GrowContext(ctx, p)
			cancel()
			// Cancelled after the last check, the build finishes (within a block).
			if !(errors.Is(err, context.Canceled) && in.P == p0 || err == nil && in.P == p && k > total-block) {
				t.Fatalf("%v, cancelled at vector %d of %d: err %v, p = %d, want context.Canceled at p = %d", m, k, total, err, in.P, p0)
			}
			if after > block {
				t.Errorf("%v, cancelled at vector %d: %d vectors drawn after the cancellation, want at most %d", m, k, after, block)
			}
			if err := in.Grow(p); err != nil {
				t.Fatal(err)
			}
			if in.Hash() != want.Hash() || !mat.Equal(in.X, want.X) || !mat.Equal(in.Competitors(p-1), want.Competitors(p-1)) {
				t.Fatalf("%v, cancelled at vector %d: the instance grown after the cancellation differs from one built in one go", m, k)
			}
		}
		if _, err := NewInstanceContext(canceled(), Random{D: d, Kind: m}, p); !errors.Is(err, context.Canceled) {
			t.Errorf("%v: NewInstanceContext with a cancelled context: %v", m, err)
		}
	}
}

func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// A prefix view equals, entry for entry, the instance built for its p, for
// every model; growing the instance it came from does not change it, and
// growing it changes neither the instance it came from nor its equality with
// a fresh one.
func TestPrefixView(t *testing.T) {
	voc, err := Vocabulary(4, Answers{Kind: Uniform})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []Model{Coupled, Decoupled, voc} {
		src := Random{D: 5, Seed: 13, Kind: m}
		whole, err := NewInstance(src, 9)
		if err != nil {
			t.Fatal(err)
		}
		same := func(a, b *Instance) bool {
			if a.P != b.P || !mat.Equal(a.X, b.X) || !mat.Equal(a.Y, b.Y) || a.Slots() != b.Slots() {
				return false
			}
			for mu := 0; mu < a.P; mu++ {
				if a.Own(mu) != b.Own(mu) || !mat.Equal(a.Competitors(mu), b.Competitors(mu)) {
					return false
				}
			}
			return true
		}
		view, err := whole.Prefix(6)
		if err != nil {
			t.Fatal(err)
		}
		fresh6, _ := NewInstance(src, 6)
		if !same(view, fresh6) {
			t.Fatalf("%v: the prefix of 6 differs from the instance of 6", m)
		}
		if err := whole.Grow(14); err != nil {
			t.Fatal(err)
		}
		// A grown decoupled instance holds its competitors in blocks of
		// exactly p x d, as MemoryBytes counts them.
		for mu, c := range whole.comp {
			if cap(c) != 14*5 {
				t.Fatalf("%v: association %d's competitors have capacity %d after growing to 14, want %d", m, mu, cap(c), 14*5)
			}
		}
		if !same(view, fresh6) {
			t.Fatalf("%v: growing the whole instance changed its prefix", m)
		}
		if err := view.Grow(11); err != nil {
			t.Fatal(err)
		}
		// Values the same source draws again could not show a write into
		// the whole instance: the grown prefix must have storage of its own.
		if &view.xs[0] == &whole.xs[0] || &view.ys[0] == &whole.ys[0] || m == Decoupled && &view.comp[0][0] == &whole.comp[0][0] {
			t.Fatalf("%v: the grown prefix still shares the whole instance's storage", m)
		}
		fresh11, _ := NewInstance(src, 11)
		fresh14, _ := NewInstance(src, 14)
		if !same(view, fresh11) || !same(whole, fresh14) {
			t.Fatalf("%v: growing the prefix to 11: equal to a fresh one %v, the whole instance unchanged %v", m, same(view, fresh11), same(whole, fresh14))
		}
		for _, p := range []int{0, 15} {
			if _, err := whole.Prefix(p); err == nil {
				t.Errorf("%v: a prefix of %d of an instance of 14: no error", m, p)
			}
		}
	}
}
