package lp

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/model"
)

// withFusion runs f with decoupledFusion set to level.
func withFusion(level int, f func()) {
	saved := decoupledFusion
	decoupledFusion = level
	defer func() { decoupledFusion = saved }()
	f()
}

// decoupledReadsNow returns the counters of decoupledReads.
func decoupledReadsNow() (passes, rows float64, gram int64) {
	return float64(decoupledReads.passes.Load()), float64(decoupledReads.rows.Load()), decoupledReads.gram.Load()
}

// solveDecoupled solves one decoupled verdict at the given fusion level and
// returns the solution and the whole passes it made.
func solveDecoupled(t *testing.T, d, p int, seed uint64, opts Options, level int) (*Solution, float64) {
	t.Helper()
	in, err := model.NewInstance(model.Random{D: d, Seed: seed, Kind: model.Decoupled}, p)
	if err != nil {
		t.Fatal(err)
	}
	var sol *Solution
	p0, r0, _ := decoupledReadsNow()
	withFusion(level, func() {
		sol, err = NewIPM(in, opts).Solve(context.Background())
	})
	if err != nil {
		t.Fatal(err)
	}
	p1, r1, _ := decoupledReadsNow()
	return sol, p1 - p0 + (r1-r0)/float64(p*(p-1))
}

// The fused products give the iterates of the plain ones: bit for bit with
// the residual pass's predictor transpose alone (fuseExact), and with all of
// them (the corrector's transpose from the predictor's products, Gondzio's
// from the changed rows) the same verdicts in the same iterations, with
// fewer passes over the competitors. Verdicts on both sides of the threshold
// (d = 12 and 16, p* about 36 and 60), single precision forced in two, and a
// sized and an optimal solve.
func TestDecoupledFusedIterates(t *testing.T) {
	for _, c := range []struct {
		d, p int
		seed uint64
		prec Precision
		stop Stop
	}{
		{12, 34, 1, PrecisionAuto, StopVerdict}, {12, 38, 1, PrecisionAuto, StopVerdict},
		{16, 58, 2, PrecisionMixed, StopVerdict}, {16, 64, 2, PrecisionMixed, StopVerdict}, {16, 62, 3, PrecisionAuto, StopVerdict},
		{12, 36, 1, PrecisionAuto, StopSized}, {12, 30, 1, PrecisionMixed, StopOptimal},
	} {
		opts := Options{Stop: c.stop, Eps: DefaultEps, Precision: c.prec}
		none, passNone := solveDecoupled(t, c.d, c.p, c.seed, opts, fuseNone)
		exact, _ := solveDecoupled(t, c.d, c.p, c.seed, opts, fuseExact)
		all, passAll := solveDecoupled(t, c.d, c.p, c.seed, opts, fuseAll)
		name := fmt.Sprintf("d = %d, p = %d, seed %d", c.d, c.p, c.seed)
		if exact.Iterations != none.Iterations || exact.Status != none.Status || exact.T != none.T || !equalFloats(exact.W.RawMatrix().Data, none.W.RawMatrix().Data) || len(exact.Lambda) != len(none.Lambda) {
			t.Fatalf("%s: fuseExact %s in %d iterations (t = %.17g), plain %s in %d (t = %.17g)", name, exact.Status, exact.Iterations, exact.T, none.Status, none.Iterations, none.T)
		}
		for k := range exact.Lambda {
			if exact.Lambda[k] != none.Lambda[k] {
				t.Fatalf("%s: fuseExact lambda %d: %v, plain %v", name, k, exact.Lambda[k], none.Lambda[k])
			}
		}
		if all.Status != none.Status || all.Iterations != none.Iterations || math.Abs(all.T-none.T) > 1e-9 {
			t.Fatalf("%s: fused %s in %d iterations (t = %.3g), plain %s in %d (t = %.3g)", name, all.Status, all.Iterations, all.T, none.Status, none.Iterations, none.T)
		}
		if !(passAll < passNone) {
			t.Fatalf("%s: fused %.1f passes, plain %.1f", name, passAll, passNone)
		}
		t.Logf("%s: %s, %d iterations, passes %.1f -> %.1f", name, none.Status, none.Iterations, passNone, passAll)
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// directionTranspose's shortcuts give the plain transpose: the last product
// for the same weights (exactly), the sparse update for a few changed
// weights, and the corrector's from the predictor's products.
func TestDirectionTransposeShortcuts(t *testing.T) {
	const d, p = 10, 23
	in, err := model.NewInstance(model.Random{D: d, Seed: 4, Kind: model.Decoupled}, p)
	if err != nil {
		t.Fatal(err)
	}
	s := NewIPM(in, Options{})
	if _, err := s.begin(); err != nil {
		t.Fatal(err)
	}
	st, wk := s.newState(), s.newWork()
	r := rand.New(rand.NewPCG(8, 9))
	n := d * d
	for i := range st.s {
		if !s.inert(i) {
			st.s[i], st.lam[i] = r.ExpFloat64(), r.ExpFloat64()/float64(p*p)
		}
	}
	for k := range st.w {
		st.w[k] = 0.3 * r.NormFloat64()
	}
	st.t = -0.05
	want, got := make([]float64, n), make([]float64, n)
	check := func(what string, exact bool) {
		t.Helper()
		s.transpose(want, wk.qM, wk)
		for k := range want {
			if exact && got[k] != want[k] || math.Abs(got[k]-want[k]) > 1e-12*(1+math.Abs(want[k])) {
				t.Fatalf("%s: entry %d: %.17g, plain transpose %.17g", what, k, got[k], want[k])
			}
		}
	}
	// The predictor: q as direction forms it from the residuals.
	s.residuals(st, wk)
	(&lpProblem{s: s, st: st, wk: wk}).scaling()
	s.centring(st, wk, 0, false)
	formQ := func() {
		for i := range wk.qM {
			wk.qM[i] = 0
			if !s.inert(i) {
				wk.qM[i] = wk.dm[i]*wk.rpM[i] + wk.rcM[i]/st.s[i]
			}
		}
	}
	formQ()
	p0, _, _ := decoupledReadsNow()
	s.directionTranspose(got, st, wk)
	if p1, _, _ := decoupledReadsNow(); p1 != p0 {
		t.Fatalf("the predictor's transpose made %g passes", p1-p0)
	}
	check("predictor", true)
	// The corrector, from the predictor's margins pass.
	for k := range wk.dzW {
		wk.dzW[k] = r.NormFloat64()
	}
	wk.dzT = 0.01
	s.marginDirections(st, wk)
	s.centring(st, wk, 0.3/float64(p*p), true)
	formQ()
	p0, _, _ = decoupledReadsNow()
	s.directionTranspose(got, st, wk)
	if p1, _, _ := decoupledReadsNow(); p1 != p0 {
		t.Fatalf("the corrector's transpose made %g passes", p1-p0)
	}
	check("corrector", false)
	// A Gondzio corrector: a few weights changed.
	for k := 0; k < 20; k++ {
		i := r.IntN(p * p)
		if !s.inert(i) {
			wk.qM[i] += r.NormFloat64() / float64(p*p)
		}
	}
	_, r0, _ := decoupledReadsNow()
	s.directionTranspose(got, st, wk)
	if _, r1, _ := decoupledReadsNow(); r1 == r0 || r1-r0 > 20 {
		t.Fatalf("the sparse transpose read %g rows for at most 20 changed weights", r1-r0)
	}
	check("sparse", false)
}

// TestDecoupledPasses prints, for one decoupled verdict, the passes over the
// competitors per iteration with and without the fused products, and the
// process's CPU seconds of each solve (diagnostics, docs/benchmarks.md "The
// decoupled model's passes"): LAMCAP_DECOUPLED_PASSES="d:seed:p[:which]",
// which none or fused (the plain products or the fused ones) for that one
// only, for profiles; by default both, three times, interleaved. Skipped
// without the variable.
func TestDecoupledPasses(t *testing.T) {
	spec := os.Getenv("LAMCAP_DECOUPLED_PASSES")
	if spec == "" {
		t.Skip(`set LAMCAP_DECOUPLED_PASSES="d:seed:p"`)
	}
	f := strings.Split(spec, ":")
	if len(f) != 3 && len(f) != 4 {
		t.Fatalf("LAMCAP_DECOUPLED_PASSES=%q: want d:seed:p[:which]", spec)
	}
	d, _ := strconv.Atoi(f[0])
	seed, _ := strconv.ParseUint(f[1], 10, 64)
	p, _ := strconv.Atoi(f[2])
	in, err := model.NewInstance(model.Random{D: d, Seed: seed, Kind: model.Decoupled}, p)
	if err != nil {
		t.Fatal(err)
	}
	var run []int
	if len(f) == 4 {
		run = map[string][]int{"none": {fuseNone}, "fused": {fuseAll}}[f[3]]
	} else {
		run = []int{fuseNone, fuseAll, fuseNone, fuseAll, fuseNone, fuseAll}
	}
	for _, level := range run {
		p0, r0, g0 := decoupledReadsNow()
		c0 := cpuUserSys()
		var sol *Solution
		withFusion(level, func() {
			sol, err = NewIPM(in, Options{Stop: StopVerdict, Eps: DefaultEps}).Solve(context.Background())
		})
		if err != nil {
			t.Fatal(err)
		}
		cpu := cpuUserSys() - c0
		p1, r1, g1 := decoupledReadsNow()
		it := float64(sol.Iterations)
		passes := p1 - p0 + (r1-r0)/float64(p*(p-1))
		fmt.Printf("d=%d seed %d p=%d fusion %d: %s, %d iterations, t=%.17g, passes %.2f per iteration (sparse rows %.2f of them), Gram products %.2f, %.2f GB per iteration, CPU %.2f s\n",
			d, seed, p, level, sol.Status, sol.Iterations, sol.T, passes/it, (r1-r0)/float64(p*(p-1))/it, float64(g1-g0)/float64(p)/it,
			(passes+float64(g1-g0)/float64(p))*float64(p*p*d*8)/it/1e9, cpu)
	}
}
