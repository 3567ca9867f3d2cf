package feasibility

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// failing is a solver whose Solve fails with an arbitrary error (as a HiGHS
// "Solve failed with an error" did on degenerate data). It is registered
// nowhere: its chain is every fallback.
type failing struct{ in *model.Instance }

func (f failing) Instance() *model.Instance { return f.in }
func (f failing) Solve(context.Context) (*lp.Solution, error) {
	return nil, errors.New("HiGHS solve: Solve failed with an error")
}

// Any solver failure goes to the next step of the chain; only when every one
// fails is the verdict undecided, with the reason, and never an error.
func TestDecideFallsThroughFailures(t *testing.T) {
	in, _ := model.NewInstance(model.Random{D: 6, Seed: 1}, 14)
	v, err := Decide(context.Background(), lp.NewChain(failing{in}, "test-failing", lp.Options{}), DefaultEps)
	if err != nil || !v.Certified || v.Attempts != 2 || v.Solver != lp.MethodSimplex {
		t.Fatalf("want a certified verdict from the first fallback, the simplex, got %+v (err %v)", v, err)
	}
	// Under a 1 KiB budget every fallback is refused: five failed steps.
	t.Setenv("LAMCAP_MEMORY_LIMIT", "1024")
	v, err = Decide(context.Background(), lp.NewChain(failing{in}, "test-failing", lp.Options{}), DefaultEps)
	if err != nil || v.Status != Undecided || !strings.Contains(v.Note, "highs fallback") || v.Attempts != 5 {
		t.Fatalf("want undecided with a reason after 5 attempts, got %+v (err %v)", v, err)
	}
}

// Degenerate user embeddings (inputs of rank 3, nearly duplicated targets) get
// a threshold from the default solver chain at sizes where each solver is
// chosen, never an error: certified, or undecided with the reason. Since
// not-storable certificates are held to the scale of the rows they weigh,
// the near-duplicate rows (|y_mu - c| ~ 1e-8) are held to their own scale,
// which the solvers' absolute tolerances do not resolve: both sizes end
// undecided (d = 8 at p = 11, d = 20 at p = 17), where a tolerance relative to
// the largest row certified not storable.
func TestDegenerateEmbeddingsThreshold(t *testing.T) {
	for _, d := range []int{8, 20} {
		p := 3 * d
		base, _ := model.NewInstance(model.Random{D: d, Seed: 9}, p)
		x := mat.DenseCopyOf(base.X)
		y := mat.DenseCopyOf(base.Y)
		for mu := 0; mu < p; mu++ {
			for i := 3; i < d; i++ { // rank 3 inputs
				x.Set(mu, i, x.At(mu, i%3)*float64(i))
			}
			if mu%5 == 1 { // a near-duplicate of the previous target
				for i := 0; i < d; i++ {
					y.Set(mu, i, y.At(mu-1, i)+1e-9*float64(i))
				}
			}
		}
		src, err := model.NewMatrices(x, y)
		if err != nil {
			t.Fatal(err)
		}
		th, err := FindThreshold(context.Background(), src, ThresholdOptions{})
		if err != nil {
			t.Fatalf("d=%d: %v", d, err)
		}
		if !th.Certified {
			if th.Note == "" {
				t.Errorf("d=%d: undecided without a reason", d)
			}
			t.Logf("d=%d: undecided: %s", d, th.Note)
			continue
		}
		t.Logf("d=%d: p* = %d (%d verdicts, solvers %s)", d, th.PStar, th.Solves, th.Solvers())
	}
}

// userData is a degenerate user embedding at dimension d with p associations:
// float32 numbers, inputs of rank 3, every fifth target a near-duplicate of
// the one before, all multiplied by scale (X and Y alike: margins scale by
// scale^2).
func userData(t *testing.T, d, p int, scale, dup float64) model.Source {
	t.Helper()
	base, _ := model.NewInstance(model.Random{D: d, Seed: 9}, p)
	x := mat.DenseCopyOf(base.X)
	y := mat.DenseCopyOf(base.Y)
	for mu := 0; mu < p; mu++ {
		for i := 3; i < d; i++ {
			x.Set(mu, i, x.At(mu, i%3)*float64(i))
		}
		if mu%5 == 1 {
			for i := 0; i < d; i++ {
				y.Set(mu, i, y.At(mu-1, i)+dup*float64(i))
			}
		}
	}
	f32 := func(_, _ int, v float64) float64 { return float64(float32(v)) * scale }
	x.Apply(f32, x)
	y.Apply(f32, y)
	src, err := model.NewMatrices(x, y)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// Scaled copies of degenerate user data (x 1e-150, 1 and 1e150; also x 1e-3
// with LAMCAP_CHECK_LARGE=1, a milder shrinking than 1e-150) give the same p*
// with every solver, or undecided with a reason: never two different certified
// answers. eps is relative to the data's scale (lp.Scale), so a scale that
// shrinks every margin no longer makes instances "not storable".
func TestVerdictsIndependentOfScaleAndSolver(t *testing.T) {
	if testing.Short() {
		t.Skip("18 threshold searches")
	}
	scales := []float64{1e-150, 1, 1e150}
	if os.Getenv("LAMCAP_CHECK_LARGE") != "" {
		scales = []float64{1e-150, 1e-3, 1, 1e150}
	}
	var certified int
	for _, c := range []struct {
		d   int
		dup float64
	}{{6, 1e-6}, {8, 1e-9}} {
		p := 3 * c.d
		pstar := map[int][]string{}
		for _, scale := range scales {
			for _, m := range []lp.Method{lp.MethodSimplex, lp.MethodIPM, lp.MethodHiGHS} {
				th, err := FindThreshold(context.Background(), userData(t, c.d, p, scale, c.dup), ThresholdOptions{LP: lp.Options{Method: m}})
				if err != nil {
					t.Fatalf("x %g, %s: %v", scale, m, err)
				}
				what := fmt.Sprintf("d=%d dup %g x %g with %s", c.d, c.dup, scale, m)
				if !th.Certified {
					if th.Note == "" {
						t.Errorf("%s: undecided without a reason", what)
					}
					t.Logf("%s: undecided (%s)", what, th.Note)
					continue
				}
				pstar[th.PStar] = append(pstar[th.PStar], what)
			}
		}
		if len(pstar) > 1 {
			t.Errorf("different certified p*: %v", pstar)
		}
		certified += len(pstar)
		t.Logf("p*: %v", pstar)
	}
	// Undecided is an allowed answer for one d, and with some BLAS kernels it
	// is every answer at d = 6 (t* ~ 1e-10 of the scale: all 9 searches
	// undecided with OpenBLAS's SkylakeX kernels, certified with its Haswell
	// and Prescott ones); a test with no certified answer at all tests nothing.
	if certified == 0 {
		t.Error("no search certified a p*")
	}
}

// Nearly parallel embeddings (correlated:0.9999999, d = 8, seed 1) have
// t* = 2.9e-10 at p = 21: the simplex's own LP says t* = 9.1e-10 > 0 but its
// W fails the exact check and its lambda holds at eps (residual 1.7e-7 of its
// rows' scale) without being confirmed. Decide asks every other solver for a
// W, keeps the interior-point method's (every exact margin positive) and
// records the disagreement; before, the simplex's chain certified not
// storable here (F6).
func TestStorableCertificateWins(t *testing.T) {
	emb, err := model.ParseEmbedding("correlated:0.9999999")
	if err != nil {
		t.Fatal(err)
	}
	in, err := model.NewInstance(model.Random{D: 8, Seed: 1, Embed: emb}, 21)
	if err != nil {
		t.Fatal(err)
	}
	opts := lp.Options{Method: lp.MethodSimplex, Eps: DefaultEps}
	s := lp.NewSimplex(in, opts)
	sol, err := s.Solve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c := Certify(sol, s, DefaultEps); c.Status != NotStorable || confirmed(c) || !(c.Margin > 0) {
		t.Fatalf("the simplex alone no longer gives an unconfirmed not-storable certificate with t* > 0 here: %s, t* %g (%s)", c.Status, c.Margin, c.Note)
	}
	v, err := Decide(context.Background(), lp.NewChain(s, lp.MethodSimplex, opts), DefaultEps)
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != Storable || !strings.Contains(v.Disagreement, "simplex certified not storable") {
		t.Fatalf("want another solver's storable certificate kept with the disagreement noted, have %s after %d attempts (%q)", v.Status, v.Attempts, v.Disagreement)
	}
	if c := lp.CheckStorable(in, v.W); !c.OK {
		t.Fatalf("the W kept does not verify: %s", c.Reason)
	}
	t.Log(v.Disagreement)
}
