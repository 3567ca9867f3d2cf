package lp_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/lamcap/lamcap/lp"
	_ "github.com/lamcap/lamcap/lp/highs" // registers HiGHS, the last fallback
	"github.com/lamcap/lamcap/model"
)

// Export writes all p(p-1) margin rows of an instance for an external solver:
// here the bounded-margin LP (maximise t subject to a_r . W >= t,
// -1 <= W_ij <= 1) in free MPS, with rows named m_<mu>_<v> and columns w_<i>_<j>.
func ExampleExport() {
	in, err := model.NewInstance(model.Random{D: 3, Seed: 1}, 4)
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, err := os.MkdirTemp("", "lamcap-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "margin.mps")
	if err := lp.Export(path, in, lp.MarginForm, lp.MPS); err != nil {
		fmt.Println(err)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var lines, rows int
	section := ""
	for sc.Scan() {
		line := sc.Text()
		lines++
		if lines <= 8 {
			fmt.Println(line)
		}
		if !strings.HasPrefix(line, " ") {
			section = line
		} else if section == "ROWS" && strings.Contains(line, "m_") {
			rows++
		}
	}
	fmt.Printf("... %d lines, %d margin rows (p(p-1) = %d)\n", lines, rows, in.Rows())
	// Output:
	// NAME lamcap_d3_p4_margin
	// ROWS
	//  N obj
	//  G m_0_1
	//  G m_0_2
	//  G m_0_3
	//  G m_1_0
	//  G m_1_2
	// ... 159 lines, 12 margin rows (p(p-1) = 12)
}

// A storable verdict: solve the bounded-margin LP, then check its W outside the
// solver. CheckStorable recomputes all p(p-1) margins from the instance data and
// requires each to exceed the bound on its own rounding error, so OK means the
// exact margins are positive: W stores every association.
func ExampleCheckStorable() {
	in, err := model.NewInstance(model.Random{D: 10, Seed: 1, Kind: model.Coupled}, 32)
	if err != nil {
		fmt.Println(err)
		return
	}
	sol, err := lp.NewSolver(in, lp.Options{}).Solve(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("solver %s: t* = %.5f\n", sol.Solver, sol.T)
	chk := lp.CheckStorable(in, sol.W)
	fmt.Printf("certified storable: %v (smallest margin %.5f, kappa %.4f at |W|_F = d)\n", chk.OK, chk.MinMargin, chk.Kappa)

	// A memory that does not store every association fails the check.
	chk = lp.CheckStorable(in, in.Hebbian())
	fmt.Printf("Hebbian W certified: %v (smallest margin %.3f)\n", chk.OK, chk.MinMargin)
	// Output:
	// solver simplex: t* = 0.00909
	// certified storable: true (smallest margin 0.00909, kappa 0.0215 at |W|_F = d)
	// Hebbian W certified: false (smallest margin -1.222)
}

// A not-storable verdict: at t* = 0 the row duals lambda of the LP satisfy
// |A^T lambda|_1 / sum(lambda) <= eps, recomputed by CheckNotStorable with its
// rounding error. Then no W with |W_ij| <= 1 has all margins above eps.
func ExampleCheckNotStorable() {
	in, err := model.NewInstance(model.Random{D: 10, Seed: 2, Kind: model.Coupled}, 32)
	if err != nil {
		fmt.Println(err)
		return
	}
	sol, err := lp.NewSolver(in, lp.Options{}).Solve(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	// An optimal vertex has at most d^2 + 1 = 101 active rows of the 992.
	fmt.Printf("t* < 1e-9: %v, lambda on %d rows\n", sol.T < 1e-9, len(sol.Lambda))
	chk := lp.CheckNotStorable(in, sol.Lambda, lp.DefaultEps)
	fmt.Printf("certified not storable: %v (residual below 1e-10: %v)\n", chk.OK, chk.Residual < 1e-10)

	// Half of the certificate proves nothing: the check says why.
	chk = lp.CheckNotStorable(in, sol.Lambda[:len(sol.Lambda)/2], lp.DefaultEps)
	fmt.Printf("half of lambda certified: %v (residual above eps: %v)\n", chk.OK, chk.Residual > lp.DefaultEps)
	// Output:
	// t* < 1e-9: true, lambda on 101 rows
	// certified not storable: true (residual below 1e-10: true)
	// half of lambda certified: false (residual above eps: true)
}

// The max-margin memory of a storable instance: the W of least Frobenius norm
// with every margin >= 1, whose margin in unit-variance normalisation,
// kappa* = d / |W*|_F, is the largest the instance admits. Its margins are
// checked like any storable certificate; the smallest is 1 (the active rows).
func ExampleSolveMinNorm() {
	in, err := model.NewInstance(model.Random{D: 10, Seed: 1, Kind: model.Coupled}, 20)
	if err != nil {
		fmt.Println(err)
		return
	}
	sol, err := lp.SolveMinNorm(context.Background(), in, nil, lp.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	chk := lp.CheckStorable(in, sol.W)
	fmt.Printf("certified: %v, smallest margin %.4f, kappa* = %.4f\n", chk.OK, chk.MinMargin, chk.Kappa)

	// The LP vertex also stores the instance, with a smaller margin.
	v, err := lp.NewSolver(in, lp.Options{}).Solve(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("LP vertex kappa = %.4f\n", lp.CheckStorable(in, v.W).Kappa)
	// Output:
	// certified: true, smallest margin 1.0000, kappa* = 0.3432
	// LP vertex kappa = 0.2960
}

// NewSolver gives the solver Auto picks (the interior-point method from
// d = IPMFromD on) in its fallback chain. The steps follow from the
// registered solvers' capabilities: the simplex, then HiGHS (registered by
// importing lp/highs) with its two retries. Running a step solves; an answer
// is certified outside the solver (feasibility.Decide walks the steps until
// a certificate holds).
func ExampleNewSolver() {
	in, err := model.NewInstance(model.Random{D: 20, Seed: 1}, 80)
	if err != nil {
		fmt.Println(err)
		return
	}
	chain := lp.NewSolver(in, lp.Options{})
	for _, st := range chain.Steps() {
		fmt.Println(st)
	}
	sol, err := chain.Run(context.Background(), chain.Steps()[0])
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: storable %v\n", sol.Solver, lp.CheckStorable(in, sol.W).OK)
	// Output:
	// ipm
	// simplex
	// highs
	// highs (retry 1)
	// highs (retry 2)
	// ipm: storable true
}
