package lp

import (
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"

	"github.com/lamcap/lamcap/internal/linalg"
)

// marginsThenTranspose computes, for the decoupled model, the margins of w
// row by row, turns each row into a weight row with f, and accumulates
// A^T of those weights into dst (n = d^2): the products of an operator
// application or a dual projection in one pass over the competitors. Each
// association's competitors C_mu (p x d, 8 p d bytes) are read once, for both
// of their matrix-vector products, while they are in cache: the separate
// margins and transpose read the p^2 d competitor array (162 MB at d = 64,
// 3.5 GB at d = 128) twice from memory. The associations are spread over the
// cores. f(mu, row) receives the margins of association mu (diagonal 0) and
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
				pureGo.Dgemv(blas.NoTrans, p, d, 1, c.Data, c.Stride, ur, 1, 0, row, 1)
				own := row[mu]
				for v := range row {
					row[v] = own - row[v]
				}
				row[mu] = 0
				sums[k] += f(mu, row)
				row[mu] = 0
				gr := g[mu*d : (mu+1)*d]
				pureGo.Dgemv(blas.Trans, p, d, -1, c.Data, c.Stride, row, 1, 0, gr, 1)
				floats.AddScaled(gr, floats.Sum(row), in.Y.RawRowView(mu))
			}
		}(k, k*per, min((k+1)*per, p))
	}
	wg.Wait()
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, blas64.General{Rows: p, Cols: d, Stride: d, Data: g}, in.X.RawMatrix(), 0,
		blas64.General{Rows: d, Cols: d, Stride: d, Data: dst})
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
			pureGo.Dgemv(blas.NoTrans, p, d, 1, c.Data, c.Stride, u.Data[mu*u.Stride:mu*u.Stride+d], 1, 0, row, 1)
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
			c := in.Competitors(mu).RawMatrix()
			row := v[mu*p : (mu+1)*p]
			own := row[mu]
			row[mu] = 0
			gr := g[mu*d : (mu+1)*d]
			pureGo.Dgemv(blas.Trans, p, d, -1, c.Data, c.Stride, row, 1, 0, gr, 1)
			floats.AddScaled(gr, floats.Sum(row), in.Y.RawRowView(mu))
			row[mu] = own
		}
	})
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, blas64.General{Rows: p, Cols: d, Stride: d, Data: g}, in.X.RawMatrix(), 0,
		blas64.General{Rows: d, Cols: d, Stride: d, Data: dst})
}
