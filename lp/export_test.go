package lp_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	binding "github.com/lanl/highs"

	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/lp/highs"
	"github.com/lamcap/lamcap/model"
)

type exportCase struct {
	d, p int
	seed uint64
	m    model.Model
}

// Instances around the threshold at d <= 8, both models.
func aroundThreshold(n int) []exportCase {
	var out []exportCase
	for i := 0; len(out) < n; i++ {
		d := []int{4, 6, 8}[i%3]
		pc := map[int]int{4: 8, 6: 15, 8: 22}[d]
		m := model.Coupled
		if i%2 == 1 {
			m = model.Decoupled
		}
		out = append(out, exportCase{d, pc - 2 + i%5, uint64(100 + i), m})
	}
	return out
}

func reference(t *testing.T, c exportCase) (*model.Instance, feasibility.Verdict) {
	t.Helper()
	in, err := model.NewInstance(model.Random{D: c.d, Seed: c.seed, Kind: c.m}, c.p)
	if err != nil {
		t.Fatal(err)
	}
	v, err := feasibility.Decide(context.Background(), lp.NewSolver(in, lp.Options{Method: lp.MethodHiGHS}), feasibility.DefaultEps)
	if err != nil || !v.Certified {
		t.Fatalf("%+v: %v %s", c, err, v.Note)
	}
	return in, v
}

// The exported files, read back by HiGHS, give lamcap's verdict and optimum.
func TestExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for i, c := range aroundThreshold(8) {
		in, v := reference(t, c)
		for _, format := range []lp.Format{lp.MPS, lp.CPLEX} {
			for _, f := range []lp.Formulation{lp.MarginForm, lp.FeasibilityForm} {
				path := filepath.Join(dir, fmt.Sprintf("i%d_%s.%s", i, f, format))
				if err := lp.Export(path, in, f, format); err != nil {
					t.Fatal(err)
				}
				r, err := highs.SolveFile(path)
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				switch f {
				case lp.MarginForm:
					if r.Status != binding.Optimal || math.Abs(-r.Objective-v.Margin) > 1e-7 {
						t.Errorf("%s: status %v, -objective %v, lamcap t* %v", path, r.Status, -r.Objective, v.Margin)
					}
				case lp.FeasibilityForm:
					want := binding.Infeasible
					if v.Status == feasibility.Storable {
						want = binding.Optimal
					}
					if r.Status != want {
						t.Errorf("%s: HiGHS says %v, lamcap %s", path, r.Status, v.Status)
					}
				}
			}
		}
	}
}

// A gzip export holds exactly the plain export.
func TestExportGzipAndAtomic(t *testing.T) {
	dir := t.TempDir()
	in, _ := model.NewInstance(model.Random{D: 4, Seed: 1}, 6)
	plain, gz := filepath.Join(dir, "a.mps"), filepath.Join(dir, "a.mps.gz")
	if err := lp.Export(plain, in, lp.QPForm, lp.MPS); err != nil {
		t.Fatal(err)
	}
	if err := lp.Export(gz, in, lp.QPForm, lp.MPS); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("gzip", "-dc", gz).Output()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(plain)
	if !bytes.Equal(out, want) {
		t.Error("gzip export differs from the plain one")
	}
	// An unwritable destination leaves nothing behind.
	if err := lp.Export(filepath.Join(dir, "missing", "x.mps"), in, lp.MarginForm, lp.MPS); err == nil {
		t.Error("export into a missing directory succeeded")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Errorf("directory holds %d entries after a failed export, want 2", len(ents))
	}
	// Full precision: every coefficient in the file parses back to the exact float64.
	re := regexp.MustCompile(`(?m)^ w_(\d+)_(\d+) m_(\d+)_(\d+) (\S+)$`)
	n := 0
	for _, m := range re.FindAllStringSubmatch(string(want), -1) {
		i, _ := strconv.Atoi(m[1])
		j, _ := strconv.Atoi(m[2])
		mu, _ := strconv.Atoi(m[3])
		v, _ := strconv.Atoi(m[4])
		got, _ := strconv.ParseFloat(m[5], 64)
		exact := (in.Y.At(mu, i) - in.Competitor(mu, v)[i]) * in.X.At(mu, j)
		if got != exact {
			t.Fatalf("coefficient (%d,%d) of row (%d,%d): file %v, exact %v", i, j, mu, v, got, exact)
		}
		n++
	}
	if n != in.Rows()*16 {
		t.Errorf("found %d coefficients, want %d", n, in.Rows()*16)
	}
}

// Independent solvers from Debian's packages agree with lamcap.
func TestCrossSolvers(t *testing.T) {
	for _, tool := range []string{"glpsol", "clp"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: run 'make tools' (installs glpk-utils and coinor-clp)", tool)
		}
	}
	dir := t.TempDir()
	objRe := regexp.MustCompile(`Objective:\s+obj = (\S+)`)
	clpRe := regexp.MustCompile(`Optimal - objective value (\S+)`)
	cases := aroundThreshold(24)
	if testing.Short() {
		cases = cases[:6]
	}
	for i, c := range cases {
		in, v := reference(t, c)
		storable := v.Status == feasibility.Storable
		for _, f := range []lp.Formulation{lp.MarginForm, lp.FeasibilityForm} {
			mps := filepath.Join(dir, fmt.Sprintf("c%d_%s.mps", i, f))
			lpf := filepath.Join(dir, fmt.Sprintf("c%d_%s.lp", i, f))
			if err := lp.Export(mps, in, f, lp.MPS); err != nil {
				t.Fatal(err)
			}
			if err := lp.Export(lpf, in, f, lp.CPLEX); err != nil {
				t.Fatal(err)
			}
			// glpsol on both formats.
			for _, args := range [][]string{{"--freemps", mps}, {"--lp", lpf}} {
				sol := filepath.Join(dir, "glpk.out")
				out, _ := exec.Command("glpsol", append(args, "-o", sol)...).CombinedOutput()
				txt, _ := os.ReadFile(sol)
				optimal := bytes.Contains(out, []byte("OPTIMAL LP SOLUTION FOUND"))
				infeasible := bytes.Contains(out, []byte("NO PRIMAL FEASIBLE SOLUTION"))
				checkExternal(t, "glpsol "+args[1], f, storable, v.Margin, optimal, infeasible, objRe.FindSubmatch(txt))
			}
			// clp on MPS.
			out, _ := exec.Command("clp", mps, "-solve").CombinedOutput()
			optimal := clpRe.Match(out)
			infeasible := bytes.Contains(out, []byte("Primal infeasible")) || bytes.Contains(out, []byte("PrimalInfeasible"))
			checkExternal(t, "clp "+mps, f, storable, v.Margin, optimal, infeasible, clpRe.FindSubmatch(out))
		}
	}
}

func checkExternal(t *testing.T, who string, f lp.Formulation, storable bool, margin float64, optimal, infeasible bool, obj [][]byte) {
	t.Helper()
	switch f {
	case lp.MarginForm:
		if !optimal || obj == nil {
			t.Errorf("%s: no optimal solution reported for the margin LP", who)
			return
		}
		val, err := strconv.ParseFloat(string(obj[1]), 64)
		if err != nil || math.Abs(-val-margin) > 1e-6*math.Max(1, margin) {
			t.Errorf("%s: optimum %s, lamcap t* = %v", who, obj[1], margin)
		}
	case lp.FeasibilityForm:
		if storable && !optimal {
			t.Errorf("%s: lamcap certifies storable, solver did not find a feasible W", who)
		}
		if !storable && !infeasible {
			t.Errorf("%s: lamcap certifies not storable, solver did not report infeasibility", who)
		}
	}
}
