package feasibility

import (
	"context"
	"math"
	"testing"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// highsChain is HiGHS constraint generation under opts, in its chain.
func highsChain(in *model.Instance, opts lp.Options) *lp.Chain {
	opts.Method = lp.MethodHiGHS
	return lp.NewSolver(in, opts)
}

func decide(t *testing.T, in *model.Instance, opts lp.Options) Verdict {
	t.Helper()
	v, err := Decide(context.Background(), highsChain(in, opts), DefaultEps)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// With p <= d generic embeddings, W = Y^T (X^T)^+ gives scores delta_(mu,v): always
// storable, and the verdict must be certified so.
func TestFewAssociationsAreStorable(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	for _, d := range []int{4, 8, 12} {
		for _, m := range []model.Model{model.Coupled, model.Decoupled} {
			for p := 2; p <= d; p++ {
				in, _ := model.NewInstance(model.Random{D: d, Seed: uint64(100 + p), Kind: m}, p)
				v := decide(t, in, lp.Options{})
				if v.Status != Storable || !v.Certified {
					t.Errorf("d=%d p=%d %v: %s (%s)", d, p, m, v.Status, v.Note)
				}
			}
		}
	}
}

// duplicated repeats input 0 as input 1 with a different target.
type duplicated struct{ model.Random }

func (s duplicated) Input(mu int, dst []float64) {
	if mu == 1 {
		mu = 0
	}
	s.Random.Input(mu, dst)
}

func TestEqualInputsAreNotStorable(t *testing.T) {
	for _, rows := range []lp.Rows{lp.Dense, lp.Lifted} {
		for _, p := range []int{2, 3, 6} {
			in, _ := model.NewInstance(duplicated{model.Random{D: 5, Seed: 1}}, p)
			v := decide(t, in, lp.Options{Rows: rows})
			if v.Status != NotStorable || !v.Certified {
				t.Errorf("%v p=%d: %s (%s)", rows, p, v.Status, v.Note)
			}
		}
	}
}

// Constraint generation must agree with the full LP (every row from the start):
// same verdict, same optimal margin, and no undecided answers.
func TestConstraintGenerationMatchesFullLP(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	type grid struct{ d, lo, hi, step int }
	cases := []grid{{6, 8, 22, 1}, {8, 14, 30, 2}, {10, 24, 40, 4}}
	n := 0
	for _, g := range cases {
		for _, m := range []model.Model{model.Coupled, model.Decoupled} {
			for p := g.lo; p <= g.hi; p += g.step {
				for seed := uint64(1); seed <= 4; seed++ {
					in, _ := model.NewInstance(model.Random{D: g.d, Seed: seed, Kind: m}, p)
					rows := lp.Dense
					if n%2 == 1 {
						rows = lp.Lifted
					}
					cg := decide(t, in, lp.Options{Rows: rows})
					full := decide(t, in, lp.Options{InitialPerMu: -1})
					n++
					if cg.Status == Undecided || full.Status == Undecided {
						t.Fatalf("d=%d p=%d %v seed %d: undecided (cg %s, full %s)", g.d, p, m, seed, cg.Note, full.Note)
					}
					if cg.Status != full.Status {
						t.Errorf("d=%d p=%d %v seed %d: generation says %s, full LP %s", g.d, p, m, seed, cg.Status, full.Status)
					}
					if math.Abs(cg.Margin-full.Margin) > 1e-7 {
						t.Errorf("d=%d p=%d %v seed %d: t* %v vs full %v", g.d, p, m, seed, cg.Margin, full.Margin)
					}
					if full.Rows != in.Rows() {
						t.Errorf("full LP has %d rows, want %d", full.Rows, in.Rows())
					}
				}
			}
		}
	}
	if n < 200 {
		t.Fatalf("only %d instances compared", n)
	}
	t.Logf("%d instances agree", n)
}

// The plain feasibility LP gives the same verdicts as the margin LP.
func TestFeasibilityFormAgrees(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		in, _ := model.NewInstance(model.Random{D: 6, Seed: seed}, 15)
		a := decide(t, in, lp.Options{})
		b, err := DecideFull(context.Background(), in, lp.Options{}, DefaultEps)
		if err != nil {
			t.Fatal(err)
		}
		if b.Status != Undecided && a.Status != b.Status {
			t.Errorf("seed %d: margin LP %s, feasibility LP %s", seed, a.Status, b.Status)
		}
	}
}

// Tampering with one entry of a certificate must break it.
func TestTamperedCertificatesFail(t *testing.T) {
	var sawW, sawLambda bool
	for seed := uint64(1); seed <= 12 && !(sawW && sawLambda); seed++ {
		in, _ := model.NewInstance(model.Random{D: 8, Seed: seed}, 24)
		v := decide(t, in, lp.Options{})
		switch v.Status {
		case Storable:
			sawW = true
			if !lp.CheckStorable(in, v.W).OK {
				t.Fatal("untouched W fails its check")
			}
			w := mat2copy(v)
			// Flip the entry that matters most for the worst row.
			r := v.WCheck.Worst
			i, j := argmaxAbsOuter(in, r)
			w.Set(i, j, w.At(i, j)-math.Copysign(2, in.Y.At(r.Mu, i)-in.Competitor(r.Mu, r.V)[i])*math.Copysign(1, in.X.At(r.Mu, j)))
			if lp.CheckStorable(in, w).OK {
				t.Error("tampered W still certified")
			}
		case NotStorable:
			sawLambda = true
			if !lp.CheckNotStorable(in, v.Lambda, DefaultEps).OK {
				t.Fatal("untouched lambda fails its check")
			}
			l := append([]lp.Weighted(nil), v.Lambda...)
			l[0].Weight *= 1.5
			if lp.CheckNotStorable(in, l, DefaultEps).OK {
				t.Error("tampered lambda still certified")
			}
			l[0].Weight = -l[0].Weight
			if lp.CheckNotStorable(in, l, 1e9).OK {
				t.Error("negative lambda accepted")
			}
		}
	}
	if !sawW || !sawLambda {
		t.Fatalf("did not see both verdicts (W %v, lambda %v)", sawW, sawLambda)
	}
}
