package lp

import (
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/model"
)

// The fused residual pass (marginsAndTranspose) gives the model's own margins
// and row combination (Instance.MarginsTo, RowCombination), for both models,
// and leaves the transposed weights' diagonal as it found it; and the border
// taken from the normal matrix's formation (gramBorder) is -A^T D 1 as the
// transpose computes it. At d = 64, p = 150 the decoupled products run in
// two row blocks (gemvRows).
func TestMarginsAndTransposeAndBorder(t *testing.T) {
	for _, c := range []struct {
		kind model.Model
		d, p int
	}{{model.Coupled, 6, 11}, {model.Decoupled, 6, 11}, {model.Decoupled, 64, 150}} {
		kind, d, p := c.kind, c.d, c.p
		if d == 64 && gemvRows(d) >= p {
			t.Fatalf("d = %d, p = %d: one row block of %d", d, p, gemvRows(d))
		}
		s, wk := begunSolve(t, kind, d, p, 5)
		in := s.in
		r := rand.New(rand.NewPCG(5, 6))
		n := d * d
		w := make([]float64, n)
		for i := range w {
			w[i] = r.NormFloat64()
		}
		v := make([]float64, p*p)
		for i := range v {
			v[i] = r.ExpFloat64()
		}
		diag := v[3*p+3]
		m, tr := make([]float64, p*p), make([]float64, n)
		s.marginsAndTranspose(m, w, tr, v, wk)
		if v[3*p+3] != diag {
			t.Fatalf("%v: the diagonal of the weights changed", kind)
		}
		marg := mat.NewDense(p, p, nil)
		in.MarginsTo(marg, mat.NewDense(p, d, nil), mat.NewDense(d, d, append([]float64(nil), w...)))
		for i, x := range marg.RawMatrix().Data {
			if i/p == i%p {
				x = 0
			}
			if math.Abs(m[i]-x) > 1e-12*(1+math.Abs(x)) {
				t.Fatalf("%v: margin %d: fused %.15g, model %.15g", kind, i, m[i], x)
			}
		}
		vz := append([]float64(nil), v...)
		for mu := 0; mu < p; mu++ {
			vz[mu*p+mu] = 0
		}
		comb := mat.NewDense(d, d, nil)
		in.RowCombination(comb, mat.NewDense(p, d, nil), mat.NewDense(p, p, vz))
		for i, x := range comb.RawMatrix().Data {
			if math.Abs(tr[i]-x) > 1e-12*(1+math.Abs(x)) {
				t.Fatalf("%v: transpose %d: fused %.15g, model %.15g", kind, i, tr[i], x)
			}
		}
		// The border: D with a zero diagonal, as the solver's scalings have.
		for i := range wk.dm {
			wk.dm[i] = 0
			if i/p != i%p {
				wk.dm[i] = r.ExpFloat64()
			}
		}
		s.formGram(wk)
		s.gramBorder(wk)
		want := make([]float64, n)
		s.transpose(want, wk.dm, wk)
		for i, x := range want {
			if math.Abs(wk.border[i]+x) > 1e-12*(1+math.Abs(x)) {
				t.Fatalf("%v: border %d: from the Gram pass %.15g, -A^T D 1 %.15g", kind, i, wk.border[i], -x)
			}
		}
	}
}

// gramBorder on the vocabulary model, whose D is p x V (own slot zero): the
// border from the Gram pass is -A^T D 1 as the transpose computes it, for V
// below and above p.
func TestGramBorderVocabulary(t *testing.T) {
	for _, v := range []int{4, 16} {
		m, err := model.Vocabulary(v, model.Answers{Kind: model.Uniform})
		if err != nil {
			t.Fatal(err)
		}
		const d, p = 6, 11
		in, err := model.NewInstance(model.Random{D: d, Seed: 5, Kind: m}, p)
		if err != nil {
			t.Fatal(err)
		}
		s := NewIPM(in, Options{})
		if _, err := s.begin(); err != nil {
			t.Fatal(err)
		}
		wk := s.newWork()
		r := rand.New(rand.NewPCG(7, uint64(v)))
		q := in.Slots()
		for i := range wk.dm {
			wk.dm[i] = 0
			if i%q != in.Own(i/q) {
				wk.dm[i] = r.ExpFloat64()
			}
		}
		s.formGram(wk)
		s.gramBorder(wk)
		want := make([]float64, d*d)
		s.transpose(want, wk.dm, wk)
		for i, x := range want {
			if math.Abs(wk.border[i]+x) > 1e-12*(1+math.Abs(x)) {
				t.Fatalf("V = %d: border %d: from the Gram pass %.15g, -A^T D 1 %.15g", v, i, wk.border[i], -x)
			}
		}
	}
}

// BenchmarkDecoupledKernels times, for the decoupled model at d = 64 and
// p = 577 (seed 1's p*), the products a decoupled iteration makes besides the
// coupled model's: one pass over the competitors (marginsAndTranspose), the
// conjugate gradients' operator from the Gram matrix (gramApply) and from
// its factor P1 (factorApply), and the normal matrix's per-association Gram
// products (formGram, and formGramRows without the Gram matrix's product). It reports the
// process's CPU seconds per operation beside the wall time: a BLAS whose
// threads contend shows there.
func BenchmarkDecoupledKernels(b *testing.B) {
	const d, p = 64, 577
	s, wk, r, z := decoupledScaling(b, d, p, 1)
	n := d * d
	v := make([]float64, p*p)
	for i := range v {
		v[i] = r.ExpFloat64()
	}
	m, tr, out := make([]float64, p*p), make([]float64, n), make([]float64, n+1)
	s.formGram(wk)
	s.gramBorder(wk)
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"pass", func() { s.marginsAndTranspose(m, z[:n], tr, v, wk) }},
		{"gramApply", func() { s.gramApply(out, z, wk) }},
		{"formGram", func() { s.formGram(wk) }},
		{"formGramRows", func() { s.formGramRows(wk) }},
		{"factorApply", func() { s.factorApply(out, z, wk) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			c0 := cpuUserSys()
			for i := 0; i < b.N; i++ {
				c.f()
			}
			b.ReportMetric((cpuUserSys()-c0)/float64(b.N)*1e3, "cpu-ms/op")
		})
	}
}

// cpuUserSys is the user and system CPU time of this process so far, in
// seconds: a BLAS thread spinning on sched_yield counts in both.
func cpuUserSys() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
