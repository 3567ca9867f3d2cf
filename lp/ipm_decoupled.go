package lp

import (
	"math"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"

	"github.com/lamcap/lamcap/internal/linalg"
)

// marginsThenTranspose computes, for the decoupled model, the margins of w
// row by row, turns each row into a weight row with f, and accumulates
// A^T of those weights into dst (n = d^2): the products of a dual projection
// in one pass over the competitors. Each
// association's competitors C_mu (p x d, 8 p d bytes) are read once, for both
// of their matrix-vector products, while they are in cache: the separate
// margins and transpose read the p^2 d competitor array (162 MB at d = 64,
// 3.5 GB at d = 128) twice from memory. The associations are spread over the
// cores; the matrix-vector products are the process's BLAS (OpenBLAS), as
// are those of decoupledMargins, decoupledTranspose, marginsAndTranspose,
// gramApply and factorApply: gonum's pure Go took 6-16% more CPU per decoupled verdict
// (docs/benchmarks.md, "The decoupled model's CPU"). f(mu, row) receives the margins of association mu (diagonal 0) and
// overwrites them with its weights (diagonal 0), and returns their sum's
// contribution to what the caller adds up (the caller's choice). q (p x p)
// is left holding the weights; the sum of f's returns is returned.
func (s *IPM) marginsThenTranspose(dst, w, q []float64, f func(mu int, row []float64) float64, wk *ipmWork) float64 {
	in, p, d := s.in, s.p, s.d
	u := wk.pd.RawMatrix() // row mu: u_mu = W x_mu
	blas64.Gemm(blas.NoTrans, blas.Trans, 1, in.X.RawMatrix(), blas64.General{Rows: d, Cols: d, Stride: d, Data: w}, 0, u)
	g := wk.pg // row mu: g_mu = sum(q_mu) y_mu - C_mu^T q_mu
	workers := min(linalg.Threads(), p)
	per := (p + workers - 1) / workers
	sums := make([]float64, workers)
	var wg sync.WaitGroup
	for k := 0; k*per < p; k++ {
		wg.Add(1)
		go func(k, lo, hi int) {
			defer wg.Done()
			for mu := lo; mu < hi; mu++ {
				c := in.Competitors(mu).RawMatrix()
				row := q[mu*p : (mu+1)*p]
				ur := u.Data[mu*u.Stride : mu*u.Stride+d]
				competitorScores(c, ur, row)
				own := row[mu]
				for v := range row {
					row[v] = own - row[v]
				}
				row[mu] = 0
				sums[k] += f(mu, row)
				row[mu] = 0
				gr := g[mu*d : (mu+1)*d]
				competitorCombination(c, row, gr)
				floats.AddScaled(gr, floats.Sum(row), in.Y.RawRowView(mu))
			}
		}(k, k*per, min((k+1)*per, p))
	}
	wg.Wait()
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, blas64.General{Rows: p, Cols: d, Stride: d, Data: g}, in.X.RawMatrix(), 0,
		blas64.General{Rows: d, Cols: d, Stride: d, Data: dst})
	decoupledReads.passes.Add(1)
	return floats.Sum(sums)
}

// eachAssociation runs f over the associations 0..p-1, split into contiguous
// ranges, one per core.
func (s *IPM) eachAssociation(f func(lo, hi int)) {
	p := s.p
	workers := min(linalg.Threads(), p)
	per := (p + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := 0; lo < p; lo += per {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			f(lo, hi)
		}(lo, min(lo+per, p))
	}
	wg.Wait()
}

// decoupledMargins writes A w (p x p, diagonal 0) for the decoupled model,
// the associations spread over the cores.
func (s *IPM) decoupledMargins(dst, w []float64, wk *ipmWork) {
	in, p, d := s.in, s.p, s.d
	u := wk.pd.RawMatrix()
	blas64.Gemm(blas.NoTrans, blas.Trans, 1, in.X.RawMatrix(), blas64.General{Rows: d, Cols: d, Stride: d, Data: w}, 0, u)
	s.eachAssociation(func(lo, hi int) {
		for mu := lo; mu < hi; mu++ {
			c := in.Competitors(mu).RawMatrix()
			row := dst[mu*p : (mu+1)*p]
			competitorScores(c, u.Data[mu*u.Stride:mu*u.Stride+d], row)
			own := row[mu]
			for v := range row {
				row[v] = own - row[v]
			}
		}
	})
}

// decoupledTranspose writes A^T v (n) for the decoupled model, v p x p (its
// diagonal ignored), the associations spread over the cores.
func (s *IPM) decoupledTranspose(dst, v []float64, wk *ipmWork) {
	in, p, d := s.in, s.p, s.d
	g := wk.pg
	s.eachAssociation(func(lo, hi int) {
		for mu := lo; mu < hi; mu++ {
			s.transposeRow(mu, in.Competitors(mu).RawMatrix(), v[mu*p:(mu+1)*p], g[mu*d:(mu+1)*d])
		}
	})
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, blas64.General{Rows: p, Cols: d, Stride: d, Data: g}, in.X.RawMatrix(), 0,
		blas64.General{Rows: d, Cols: d, Stride: d, Data: dst})
}

// transposeRow writes association mu's part of A^T v before its x_mu^T,
// g_mu = sum_v v_(mu,v) (y_mu - c_v), into gr (d), from its competitors c and
// its weights row (p; the own slot ignored and left as it was).
func (s *IPM) transposeRow(mu int, c blas64.General, row, gr []float64) {
	own := row[mu]
	row[mu] = 0
	competitorCombination(c, row, gr)
	floats.AddScaled(gr, floats.Sum(row), s.in.Y.RawRowView(mu))
	row[mu] = own
}

// decoupledGram computes, for association mu of the decoupled model and its
// scalings dmu (p), g_mu = sum_v dmu_v c_v into gr (d) and the packed upper
// triangle of sum_v dmu_v c_v c_v^T into row (n2), with z (p x d) and m
// (d x d) as scratch. The symmetric product is the process's BLAS (OpenBLAS):
// d^2 p flops per association, p^2 d^2 per normal matrix, which gonum's
// pure-Go Dsyrk ran at 0.7-1.3 GFLOP/s against OpenBLAS's 18-25 (d = 48 and 64,
// the per-association products of one normal matrix: 16 ms against 393 ms at
// d = 48, 57 ms against 1043 ms at d = 64; measured on a loaded machine).
// The scaled copy is gonum's assembly (floats.ScaleTo) and g_mu a gemv in
// row blocks on the calling thread: the Go side took 30% of this function's
// CPU with a plain loop and p axpys of length d (68.5 -> 62.7-66 ms of CPU per
// normal matrix at d = 64, p = 577, BenchmarkDecoupledKernels/formGramRows,
// load 5); the rest is the syrk.
func (s *IPM) decoupledGram(mu int, dmu, gr, row, z, m []float64) {
	p, d := s.p, s.d
	c := s.in.Competitors(mu).RawMatrix()
	decoupledReads.gram.Add(1)
	for v := 0; v < p; v++ {
		floats.ScaleTo(z[v*d:(v+1)*d], math.Sqrt(dmu[v]), c.Data[v*c.Stride:v*c.Stride+d])
	}
	competitorGemvT(c, dmu, gr, 1)
	blas64.Implementation().Dsyrk(blas.Upper, blas.Trans, d, p, 1, z, d, 0, m, d)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			row[s.pk[i*d+j]] = m[i*d+j]
		}
	}
}

// gramBorder writes the t border of the normal matrix, -A^T D 1, into
// wk.border from what formGram leaves in wk.pd (row mu: g_mu =
// sum_v D_(mu,v) c_v): -A^T D 1 = sum_mu (g_mu - sum(D_mu) y_mu) x_mu^T, one
// p x d update and one small GEMM instead of a transpose, which for the
// decoupled model is a pass over all p^2 d competitors. The diagonal of D is
// zero (the own slot is no constraint), and c = y_mu there anyway.
func (s *IPM) gramBorder(wk *ipmWork) {
	p, d, q := s.p, s.d, s.slots
	g := wk.pd.RawMatrix()
	for mu := 0; mu < p; mu++ {
		floats.AddScaled(g.Data[mu*g.Stride:mu*g.Stride+d], -floats.Sum(wk.dm[mu*q:(mu+1)*q]), s.in.Y.RawRowView(mu))
	}
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, g, s.in.X.RawMatrix(), 0, blas64.General{Rows: d, Cols: d, Stride: d, Data: wk.border})
}

// marginsAndTranspose writes A w into mdst (p x p, diagonal zero) and A^T v
// into tdst (n), v p x p with its diagonal ignored: margins and transpose, for
// the decoupled model in one pass over the competitors (each C_mu read once
// for both of its matrix-vector products) instead of two.
func (s *IPM) marginsAndTranspose(mdst, w, tdst, v []float64, wk *ipmWork) {
	if s.coupled {
		s.margins(mdst, w, wk)
		s.transpose(tdst, v, wk)
		return
	}
	in, p, d := s.in, s.p, s.d
	u := wk.pd.RawMatrix()
	blas64.Gemm(blas.NoTrans, blas.Trans, 1, in.X.RawMatrix(), blas64.General{Rows: d, Cols: d, Stride: d, Data: w}, 0, u)
	g := wk.pg
	s.eachAssociation(func(lo, hi int) {
		for mu := lo; mu < hi; mu++ {
			c := in.Competitors(mu).RawMatrix()
			row := mdst[mu*p : (mu+1)*p]
			competitorScores(c, u.Data[mu*u.Stride:mu*u.Stride+d], row)
			own := row[mu]
			for k := range row {
				row[k] = own - row[k]
			}
			s.transposeRow(mu, c, v[mu*p:(mu+1)*p], g[mu*d:(mu+1)*d])
		}
	})
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, blas64.General{Rows: p, Cols: d, Stride: d, Data: g}, in.X.RawMatrix(), 0,
		blas64.General{Rows: d, Cols: d, Stride: d, Data: tdst})
}

// gramApply writes H z into dst (n+1) from the normal matrix of the last
// factor as formGram and factor left it (the Gram matrix wk.gs, with
// H[(i,j),(i',j')] = Gs[{i,i'}][{j,j'}], the box scalings, the border and
// its corner), in double precision: the same matrix as applyNormal's
// matrix-free product, without a pass over the competitors. For the
// decoupled model a pass streams all p^2 d competitors (170 MB at d = 64,
// 3.5 GB at d = 128, at about 10 GB/s on these machines), the packed Gram
// matrix is about d^4 / 4 entries (35 MB and 545 MB). For each pair
// {i, i'} the row of Gs is a symmetric d x d block G in packed form, and
// (Hz)_i += G z_i', (Hz)_i' += G z_i; the pairs are spread over the cores.
func (s *IPM) gramApply(dst, z []float64, wk *ipmWork) {
	d, n, n2 := s.d, s.n, s.n2
	workers := min(linalg.Threads(), d)
	if len(wk.gramOut) < workers {
		wk.gramOut = make([][]float64, workers)
		for w := range wk.gramOut {
			wk.gramOut[w] = make([]float64, n)
		}
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			out := wk.gramOut[w]
			clear(out)
			for i := w; i < d; i += workers {
				for i2 := i; i2 < d; i2++ {
					// The row of Gs is G packed as its upper triangle, row by row.
					row := wk.gs[s.pk[i*d+i2]*n2 : (s.pk[i*d+i2]+1)*n2]
					if i2 == i {
						spmvOne(d, row, z[i*d:(i+1)*d], out[i*d:(i+1)*d])
					} else {
						spmvPair(d, row, z[i2*d:(i2+1)*d], out[i*d:(i+1)*d], z[i*d:(i+1)*d], out[i2*d:(i2+1)*d])
					}
				}
			}
		}(w)
	}
	wg.Wait()
	zt := z[n]
	for k := 0; k < n; k++ {
		v := (wk.du[k]+wk.dl[k])*z[k] + wk.border[k]*zt
		for w := 0; w < workers; w++ {
			v += wk.gramOut[w][k]
		}
		dst[k] = v
	}
	dst[n] = floats.Dot(wk.border, z[:n]) + wk.sumD*zt
}

// factorApply writes H z into dst (n+1) for the decoupled model from the
// factor P1 of the last normal matrix (wk.p1, row mu the packed
// M_mu = sum_v D_(mu,v) (y_mu - c_v)(y_mu - c_v)^T, as formGramRows left it)
// and the border of the last factor: A^T D A = sum_mu M_mu (x) x_mu x_mu^T,
// so with Z the d x d matrix of z's W part,
//
//	(A^T D A z)_(i,j) = sum_mu (M_mu Z x_mu)_i x_mu[j],
//
// that is U = X Z^T (row mu: Z x_mu), V's row mu = M_mu u_mu, and V^T X: two
// p x d x d GEMMs and p packed symmetric products of order d, 6 p d^2 flops
// reading the p n2 doubles of P1 (9.6 MB at d = 64, p = 577) where gramApply
// reads the n2^2 of the Gram matrix (34.6 MB), and in double precision from
// P1, which stays double, so that the Gram matrix itself may be single
// (gramProduct32): the conjugate gradients apply the exact operator either
// way.
//
// The associations are spread over the cores, and each core's GEMMs take
// at most gemmRows(d) associations at a time, which OpenBLAS runs on the
// calling thread (see serialGemvElems): GEMMs of p rows go to its thread
// pool, whose worker a loaded machine leaves waiting for a core (35 ms of
// wall for 3.4 ms of CPU per product at d = 64, p = 577, load 6).
func (s *IPM) factorApply(dst, z []float64, wk *ipmWork) {
	p, d, n, n2 := s.p, s.d, s.n, s.n2
	workers := min(linalg.Threads(), p)
	if len(wk.faU) < p*d || len(wk.faOut) < workers {
		wk.faU, wk.faV = make([]float64, p*d), make([]float64, p*d)
		wk.faOut = make([][]float64, workers)
		for k := range wk.faOut {
			wk.faOut[k] = make([]float64, n)
		}
	}
	x := s.in.X.RawMatrix()
	zm := blas64.General{Rows: d, Cols: d, Stride: d, Data: z[:n]}
	rows := gemmRows(d)
	s.eachWorker(func(k, lo, hi int) {
		out := blas64.General{Rows: d, Cols: d, Stride: d, Data: wk.faOut[k]}
		clear(out.Data)
		for b := lo; b < hi; b += rows {
			e := min(b+rows, hi)
			xb := blas64.General{Rows: e - b, Cols: d, Stride: x.Stride, Data: x.Data[b*x.Stride:]}
			u := blas64.General{Rows: e - b, Cols: d, Stride: d, Data: wk.faU[b*d : e*d]}
			v := blas64.General{Rows: e - b, Cols: d, Stride: d, Data: wk.faV[b*d : e*d]}
			blas64.Gemm(blas.NoTrans, blas.Trans, 1, xb, zm, 0, u)
			clear(v.Data)
			for mu := b; mu < e; mu++ {
				spmvOne(d, wk.p1[mu*n2:(mu+1)*n2], wk.faU[mu*d:(mu+1)*d], wk.faV[mu*d:(mu+1)*d])
			}
			blas64.Gemm(blas.Trans, blas.NoTrans, 1, v, xb, 1, out)
		}
	})
	zt := z[n]
	for k := 0; k < n; k++ {
		v := (wk.du[k]+wk.dl[k])*z[k] + wk.border[k]*zt
		for _, out := range wk.faOut[:workers] {
			v += out[k]
		}
		dst[k] = v
	}
	dst[n] = floats.Dot(wk.border, z[:n]) + wk.sumD*zt
}

// serialGemmElems is the size m n k up to which OpenBLAS (0.3.21 here) runs
// a gemm on the calling thread: 65536 (SMP_THRESHOLD_MIN) times
// GEMM_MULTITHREAD_THRESHOLD, 4 unless the library was built otherwise
// (interface/gemm.c); docs/benchmarks.md, "The decoupled model's passes",
// measured GEMMs of 64 rows at d = 64 staying there.
const serialGemmElems = 65536 * 4

// gemmRows is the row block of factorApply's GEMMs for d x d right-hand
// factors: the most rows whose GEMM OpenBLAS keeps on the calling thread.
func gemmRows(d int) int { return max(1, serialGemmElems/(d*d)) }

// serialGemvElems is the size m n from which OpenBLAS (0.3.21 here) hands a
// gemv to its thread pool: 2304 times GEMM_MULTITHREAD_THRESHOLD, 4 unless the
// library was built otherwise (interface/gemv.c). Its spmv and syrk go to the
// pool at any size.
//
// The per-association products run on every core at once (eachAssociation,
// eachWorker, gramApply, factorApply), and OpenBLAS's pool is not made for callers on several threads:
// with two BLAS threads the pool has one worker, and a second caller spins on
// the pool's locks until that worker is free (driver/others/blas_server.c,
// exec_blas_async) while the first waits for it with sched_yield. A pass over
// the competitors then took 2.2x the CPU it takes with one BLAS thread, and
// no less wall time (d = 64, p = 577; docs/benchmarks.md, "The decoupled
// model's wall time"). So the products called from those goroutines are ones
// OpenBLAS runs on the calling thread: gemv in row blocks below this size
// (competitorScores, competitorCombination), gemm in row blocks of at most
// serialGemmElems (factorApply), the packed symmetric products in Go
// (spmvPair, spmvOne); the per-association syrk of formGram is called from
// one goroutine, and the pool's threads share each one.
const serialGemvElems = 2304 * 4

// gemvRows is the row block of competitorScores and competitorCombination for
// d columns: the most rows whose gemv OpenBLAS keeps on the calling thread.
func gemvRows(d int) int { return max(1, (serialGemvElems-1)/d) }

// competitorScores writes dst[v] = c_v . x for the rows c_v of c (p x d).
func competitorScores(c blas64.General, x, dst []float64) {
	kc := gemvRows(c.Cols)
	for lo := 0; lo < c.Rows; lo += kc {
		hi := min(lo+kc, c.Rows)
		blas64.Implementation().Dgemv(blas.NoTrans, hi-lo, c.Cols, 1, c.Data[lo*c.Stride:], c.Stride, x, 1, 0, dst[lo:hi], 1)
	}
}

// competitorCombination writes dst = -sum_v r_v c_v (d) for the rows c_v of c
// (p x d).
func competitorCombination(c blas64.General, r, dst []float64) {
	competitorGemvT(c, r, dst, -1)
}

// competitorGemvT writes dst = alpha sum_v r_v c_v (d) for the rows c_v of c
// (p x d), in row blocks that OpenBLAS keeps on the calling thread.
func competitorGemvT(c blas64.General, r, dst []float64, alpha float64) {
	kc := gemvRows(c.Cols)
	for lo := 0; lo < c.Rows; lo += kc {
		hi := min(lo+kc, c.Rows)
		beta := 1.0
		if lo == 0 {
			beta = 0
		}
		blas64.Implementation().Dgemv(blas.Trans, hi-lo, c.Cols, alpha, c.Data[lo*c.Stride:], c.Stride, r[lo:hi], 1, beta, dst, 1)
	}
}

// spmvPair adds G a to ya and G b to yb, for the symmetric d x d matrix G whose
// upper triangle g holds row by row (packed), reading each entry of g once.
// ya and yb are distinct; a and b may be the same.
func spmvPair(d int, g, a, ya, b, yb []float64) {
	for j, k := 0, 0; j < d; j++ {
		row := g[k : k+d-j]
		k += d - j
		aj, bj := a[j], b[j]
		sa, sb := row[0]*aj, row[0]*bj
		off := row[1:]
		ar, br := a[j+1:j+1+len(off)], b[j+1:j+1+len(off)]
		yar, ybr := ya[j+1:j+1+len(off)], yb[j+1:j+1+len(off)]
		for t, x := range off {
			sa += x * ar[t]
			sb += x * br[t]
			yar[t] += x * aj
			ybr[t] += x * bj
		}
		ya[j] += sa
		yb[j] += sb
	}
}

// spmvOne adds G a to ya, G as in spmvPair.
func spmvOne(d int, g, a, ya []float64) {
	for j, k := 0, 0; j < d; j++ {
		row := g[k : k+d-j]
		k += d - j
		aj := a[j]
		sa := row[0] * aj
		off := row[1:]
		ar, yar := a[j+1:j+1+len(off)], ya[j+1:j+1+len(off)]
		for t, x := range off {
			sa += x * ar[t]
			yar[t] += x * aj
		}
		ya[j] += sa
	}
}
