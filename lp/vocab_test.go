package lp_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
	"github.com/lamcap/lamcap/theory"
)

// vocabAtThreshold returns the prefixes p* and p* + 1 of a vocabulary family,
// found by lamcap's simplex (certified), with their verdicts.
func vocabAtThreshold(t *testing.T, d, v int, seed uint64) [2]*model.Instance {
	t.Helper()
	m, err := model.Vocabulary(v, model.Answers{Kind: model.Uniform})
	if err != nil {
		t.Fatal(err)
	}
	src := model.Random{D: d, Seed: seed, Kind: m}
	pc, _, err := theory.VocabCriticalP(d, v)
	if err != nil {
		t.Fatal(err)
	}
	th, err := feasibility.FindThreshold(context.Background(), src, feasibility.ThresholdOptions{LP: lp.Options{Method: lp.MethodSimplex}, Start: int(pc)})
	if err != nil || !th.Certified {
		t.Fatalf("d=%d V=%d seed %d: %v %+v", d, v, seed, err, th)
	}
	var out [2]*model.Instance
	for k := range out {
		if out[k], err = model.NewInstance(src, th.PStar+k); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// Every solver of lamcap (simplex, HiGHS constraint generation, and HiGHS on
// every row where it decides) and two independent LP codes on the exported files (glpsol on MPS and LP,
// clp on MPS) give the same verdict, and the same optimal margin t*, on
// vocabulary instances at their threshold, for V = 2, 4 and 16.
func TestVocabularyCrossSolvers(t *testing.T) {
	for _, tool := range []string{"glpsol", "clp"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: run 'make tools' (installs glpk-utils and coinor-clp)", tool)
		}
	}
	dir := t.TempDir()
	objRe := regexp.MustCompile(`Objective:\s+obj = (\S+)`)
	clpRe := regexp.MustCompile(`Optimal - objective value (\S+)`)
	ctx := context.Background()
	for _, v := range []int{2, 4, 16} {
		for _, c := range []struct {
			d    int
			seed uint64
		}{{4, 1}, {5, 2}} {
			for _, in := range vocabAtThreshold(t, c.d, v, c.seed) {
				name := fmt.Sprintf("d=%d V=%d seed=%d p=%d", c.d, v, c.seed, in.P)
				if in.Rows() != in.P*(v-1) {
					t.Fatalf("%s: %d rows, want p(V-1) = %d", name, in.Rows(), in.P*(v-1))
				}
				ref, err := feasibility.Decide(ctx, lp.NewSolver(in, lp.Options{Method: lp.MethodHiGHS}), feasibility.DefaultEps)
				if err != nil || !ref.Certified {
					t.Fatalf("%s: HiGHS: %v %s", name, err, ref.Note)
				}
				sx, err := feasibility.Decide(ctx, lp.NewSolver(in, lp.Options{Method: lp.MethodSimplex}), feasibility.DefaultEps)
				if err != nil || sx.Status != ref.Status {
					t.Fatalf("%s: simplex %s, HiGHS %s (%v)", name, sx.Status, ref.Status, err)
				}
				full, err := feasibility.DecideFull(ctx, in, lp.Options{}, feasibility.DefaultEps)
				// HiGHS on the plain feasibility form may end with a warning near
				// the threshold (SolveFeasibility says so): undecided, never wrong.
				if err != nil || (full.Status != ref.Status && full.Status != feasibility.Undecided) {
					t.Fatalf("%s: full LP %s, HiGHS %s (%v) %s", name, full.Status, ref.Status, err, full.Note)
				}
				storable := ref.Status == feasibility.Storable
				for _, f := range []lp.Formulation{lp.MarginForm, lp.FeasibilityForm} {
					mps := filepath.Join(dir, "v.mps")
					lpf := filepath.Join(dir, "v.lp")
					if err := lp.Export(mps, in, f, lp.MPS); err != nil {
						t.Fatal(err)
					}
					if err := lp.Export(lpf, in, f, lp.CPLEX); err != nil {
						t.Fatal(err)
					}
					for _, args := range [][]string{{"--freemps", mps}, {"--lp", lpf}} {
						sol := filepath.Join(dir, "glpk.out")
						out, _ := exec.Command("glpsol", append(args, "-o", sol)...).CombinedOutput()
						txt, _ := os.ReadFile(sol)
						optimal := bytes.Contains(out, []byte("OPTIMAL LP SOLUTION FOUND"))
						infeasible := bytes.Contains(out, []byte("NO PRIMAL FEASIBLE SOLUTION"))
						checkExternal(t, name+" glpsol "+args[0], f, storable, ref.Margin, optimal, infeasible, objRe.FindSubmatch(txt))
					}
					out, _ := exec.Command("clp", mps, "-solve").CombinedOutput()
					optimal := clpRe.Match(out)
					infeasible := bytes.Contains(out, []byte("Primal infeasible")) || bytes.Contains(out, []byte("PrimalInfeasible"))
					checkExternal(t, name+" clp", f, storable, ref.Margin, optimal, infeasible, clpRe.FindSubmatch(out))
				}
			}
		}
	}
}
