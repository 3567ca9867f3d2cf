package lp

import (
	"math"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"

	"github.com/lamcap/lamcap/internal/linalg"
)

// The decoupled model's competitors are p^2 d doubles (170 MB at d = 64,
// 3.5 GB at d = 128), and every product with the margin rows streams them from
// memory at about 10 GB/s here. An iteration's products are the residuals'
// margins and transpose, the dual polish's projections, and for each Newton
// direction (predictor, corrector, Gondzio's correctors) a transpose A^T q
// before the solve and the margins A dz after it. This file makes fewer passes
// with the same iterates:
//
//   - the residual pass also computes the predictor's A^T q (its q depends only
//     on the point and the residuals' margins, row by row), so the predictor
//     reads no competitor before its solve; bit for bit the same, since
//     directionTranspose uses the cached product only for the same q;
//   - the predictor's margin pass also computes A^T (ds dy / s) and A^T (1/s)
//     for the affine direction, so that the corrector's A^T q, whose q is the
//     predictor's plus (ds_aff dy_aff - sigma mu) / s row by row, needs no
//     pass: the same q up to rounding (checked row by row, see
//     decoupledCorrectorTol);
//   - a Gondzio corrector changes q only on the rows whose complementarity
//     product is moved back into its window: its A^T q is the last one plus
//     A^T of the difference, which reads only those rows' competitors.

// decoupledWork is the decoupled model's part of a solve's work space: the last
// weights q whose A^T q a direction used (q and atQ, a pair whenever has), and
// the predictor's products for the corrector.
type decoupledWork struct {
	q, atQ  []float64   // p x p weights and A^T q (n)
	has     bool        // q and atQ are a pair
	atW     []float64   // A^T (ds_aff dy_aff / s), n, own slots zero
	atInvS  []float64   // A^T (1 / s), n, own slots zero
	corr    bool        // atW and atInvS are for the affine direction in wk.dsM, wk.dyM
	centred bool        // centring was called since the last direction's margins
	aff     bool        // its aff
	sigmaMu float64     // its sigmaMu
	g2, g3  []float64   // p x d scratch
	rows    [][]float64 // per-core scratch (2p)
}

// decoupledCorrectorTol is the agreement, relative to the size of its terms,
// that directionTranspose asks of each entry of the corrector's q with the
// predictor's q plus (ds dy - sigma mu) / s before it takes the corrector's
// A^T q from the predictor's products: q is formed in a few roundings, so
// agreeing entries differ by a few units of 1e-16, and any other q (another
// call sequence) by far more.
const decoupledCorrectorTol = 1e-13

// decoupledSparseMax is the fraction of changed weights up to which a
// direction's A^T q is taken as the last one plus the transpose of the change
// (reading only the changed rows' competitors, d doubles each) instead of a
// whole pass.
const decoupledSparseMax = 0.3

// decoupledFusion says which of the fused products above a solve makes
// (diagnostics: the tests compare the iterates with and without them):
// fuseNone, fuseExact (the residual pass's predictor transpose only, the same
// iterates bit for bit) or fuseAll (the default).
var decoupledFusion = fuseAll

const (
	fuseNone = iota
	fuseExact
	fuseAll
)

// decoupledReads counts what the decoupled model's products read of the
// competitors, for diagnostics and the benchmarks (docs/benchmarks.md, "The
// decoupled model's passes"): whole passes (all p(p-1) rows), the rows read by
// sparse transposes, and the per-association Gram products (one per
// association and normal matrix).
var decoupledReads struct {
	passes, rows, gram atomic.Int64
}

// decWork returns wk's decoupled work space, allocated on first use.
func (s *IPM) decWork(wk *ipmWork) *decoupledWork {
	dec := &wk.dec
	if dec.q == nil {
		p, n, d := s.p, s.n, s.d
		dec.q, dec.atQ, dec.atW, dec.atInvS = make([]float64, p*p), make([]float64, n), make([]float64, n), make([]float64, n)
		dec.g2, dec.g3 = make([]float64, p*d), make([]float64, p*d)
		dec.rows = make([][]float64, min(linalg.Threads(), p))
		for k := range dec.rows {
			dec.rows[k] = make([]float64, 2*p)
		}
	}
	return dec
}

// eachWorker runs f(k, lo, hi) over the associations 0..p-1, split into
// contiguous ranges, one per core, k the range's index (< linalg.Threads()).
func (s *IPM) eachWorker(f func(k, lo, hi int)) {
	p := s.p
	workers := min(linalg.Threads(), p)
	per := (p + workers - 1) / workers
	var wg sync.WaitGroup
	for k := 0; k*per < p; k++ {
		wg.Add(1)
		go func(k, lo, hi int) {
			defer wg.Done()
			f(k, lo, hi)
		}(k, k*per, min((k+1)*per, p))
	}
	wg.Wait()
}

// gTimesX writes G^T X + beta dst into dst (d x d), G p x d: the last step of
// every transpose.
func (s *IPM) gTimesX(dst, g []float64, beta float64) {
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, blas64.General{Rows: s.p, Cols: s.d, Stride: s.d, Data: g}, s.in.X.RawMatrix(), beta,
		blas64.General{Rows: s.d, Cols: s.d, Stride: s.d, Data: dst})
}

// residualProducts computes the residuals' products: the margins of st.w into
// wk.rpM (own slots zero) and A^T lambda into wk.rdW. For the decoupled model
// the same pass over the competitors also computes the predictor's weights q =
// D r_prim + r_cent / s, r_cent = s.y (as lpProblem.scaling, centring and
// direction compute them, row by row from this pass's margins) and A^T q into
// wk.dec, which the predictor's directionTranspose then uses.
func (s *IPM) residualProducts(st *ipmState, wk *ipmWork) {
	if s.coupled || decoupledFusion == fuseNone {
		s.marginsAndTranspose(wk.rpM, st.w, wk.rdW, st.lam, wk)
		if !s.coupled {
			decoupledReads.passes.Add(1)
		}
		return
	}
	in, p, d := s.in, s.p, s.d
	dec := s.decWork(wk)
	u := wk.pd.RawMatrix()
	blas64.Gemm(blas.NoTrans, blas.Trans, 1, in.X.RawMatrix(), blas64.General{Rows: d, Cols: d, Stride: d, Data: st.w}, 0, u)
	g, g2 := wk.pg, dec.g2
	s.eachWorker(func(_, lo, hi int) {
		for mu := lo; mu < hi; mu++ {
			c := in.Competitors(mu).RawMatrix()
			lam, sl := st.lam[mu*p:(mu+1)*p], st.s[mu*p:(mu+1)*p]
			row := wk.rpM[mu*p : (mu+1)*p]
			competitorScores(c, u.Data[mu*u.Stride:mu*u.Stride+d], row)
			own := row[mu]
			for v := range row {
				row[v] = own - row[v]
			}
			s.transposeRow(mu, c, lam, g[mu*d:(mu+1)*d])
			q := dec.q[mu*p : (mu+1)*p]
			for v := range q {
				if v == mu {
					q[v] = 0
					continue
				}
				rp := row[v] - (st.t + sl[v]) // residuals: rpM -= t + s
				dm := lam[v] / sl[v]          // scaling
				rc := sl[v]*lam[v] - 0        // centring(0, false)
				q[v] = dm*rp + rc/sl[v]       // direction
			}
			s.transposeRow(mu, c, q, g2[mu*d:(mu+1)*d])
		}
	})
	s.gTimesX(wk.rdW, g, 0)
	s.gTimesX(dec.atQ, g2, 0)
	dec.has = true
	decoupledReads.passes.Add(1)
}

// centred records a centring (sigmaMu, aff) for the decoupled model's products:
// the next direction after centring(0, false) is the predictor.
func (wk *ipmWork) centred(sigmaMu float64, aff bool) {
	wk.dec.centred, wk.dec.aff, wk.dec.sigmaMu = true, aff, sigmaMu
}

// directionTranspose writes A^T wk.qM into dst (n), the transpose before a
// direction's solve. For the decoupled model, from the products of the last
// one when they allow (see the top of this file): the cached A^T q when q is
// the same; the predictor's products for the corrector; the last A^T q plus
// the transpose of the change when few weights changed; otherwise a pass.
func (s *IPM) directionTranspose(dst []float64, st *ipmState, wk *ipmWork) {
	if s.coupled || decoupledFusion == fuseNone {
		s.transpose(dst, wk.qM, wk)
		if !s.coupled {
			decoupledReads.passes.Add(1)
		}
		return
	}
	dec := s.decWork(wk)
	corr := dec.corr
	dec.corr = false
	switch changed := s.changedWeights(wk); {
	case dec.has && changed == 0:
		copy(dst, dec.atQ)
		return
	case decoupledFusion < fuseAll:
		s.transpose(dst, wk.qM, wk)
		decoupledReads.passes.Add(1)
	case corr && dec.aff && s.correctorMatches(st, wk):
		for k := range dst {
			dst[k] = dec.atQ[k] + dec.atW[k] - dec.sigmaMu*dec.atInvS[k]
		}
	case dec.has && float64(changed) <= decoupledSparseMax*float64(s.p*(s.p-1)):
		s.sparseTranspose(dst, wk)
	default:
		s.transpose(dst, wk.qM, wk)
		decoupledReads.passes.Add(1)
	}
	copy(dec.q, wk.qM)
	copy(dec.atQ, dst)
	dec.has = true
}

// changedWeights counts the entries of wk.qM that differ from wk.dec.q.
func (s *IPM) changedWeights(wk *ipmWork) int {
	k := 0
	for i, x := range wk.qM {
		if x != wk.dec.q[i] {
			k++
		}
	}
	return k
}

// correctorMatches says whether wk.qM is, entry by entry within
// decoupledCorrectorTol, the predictor's q (wk.dec.q) plus (ds dy - sigma mu)
// / s for the affine direction still in wk.dsM, wk.dyM and the recorded
// centring's sigma mu: the corrector's q, whose transpose is then the
// predictor's products combined.
func (s *IPM) correctorMatches(st *ipmState, wk *ipmWork) bool {
	dec := &wk.dec
	for i, q := range wk.qM {
		if s.inert(i) {
			if q != 0 {
				return false
			}
			continue
		}
		w, c := wk.dsM[i]*wk.dyM[i]/st.s[i], dec.sigmaMu/st.s[i]
		if math.Abs(q-(dec.q[i]+w-c)) > decoupledCorrectorTol*(math.Abs(dec.q[i])+math.Abs(w)+math.Abs(c)) {
			return false
		}
	}
	return true
}

// sparseTranspose writes A^T wk.qM = A^T q + A^T (wk.qM - q) into dst, q and
// A^T q the last pair (wk.dec), reading the competitors of the changed
// weights only.
func (s *IPM) sparseTranspose(dst []float64, wk *ipmWork) {
	in, p, d := s.in, s.p, s.d
	dec, g := &wk.dec, wk.pg
	var rows atomic.Int64
	s.eachWorker(func(_, lo, hi int) {
		k := 0
		for mu := lo; mu < hi; mu++ {
			c := in.Competitors(mu).RawMatrix()
			gr := g[mu*d : (mu+1)*d]
			clear(gr)
			var sum float64
			q, last := wk.qM[mu*p:(mu+1)*p], dec.q[mu*p:(mu+1)*p]
			for v, x := range q {
				if dl := x - last[v]; dl != 0 && v != mu {
					sum += dl
					floats.AddScaled(gr, -dl, c.Data[v*c.Stride:v*c.Stride+d])
					k++
				}
			}
			floats.AddScaled(gr, sum, in.Y.RawRowView(mu))
		}
		rows.Add(int64(k))
	})
	copy(dst, dec.atQ)
	s.gTimesX(dst, g, 1)
	decoupledReads.rows.Add(rows.Load())
}

// directionMargins writes A dz (wk.dzW) into wk.dsM, the margins after a
// direction's solve. For the decoupled model, after the predictor's solve
// (the first direction since centring(0, false)) the same pass also computes
// the affine direction's ds and dy row by row as direction does, and A^T (ds
// dy / s) and A^T (1/s) into wk.dec for the corrector's transpose.
func (s *IPM) directionMargins(st *ipmState, wk *ipmWork) {
	if s.coupled {
		s.margins(wk.dsM, wk.dzW, wk)
		return
	}
	dec := s.decWork(wk)
	predictor := dec.centred && !dec.aff && decoupledFusion == fuseAll
	dec.centred = false
	decoupledReads.passes.Add(1)
	in, p, d := s.in, s.p, s.d
	u := wk.pd.RawMatrix()
	blas64.Gemm(blas.NoTrans, blas.Trans, 1, in.X.RawMatrix(), blas64.General{Rows: d, Cols: d, Stride: d, Data: wk.dzW}, 0, u)
	margins := func(mu int) []float64 {
		row := wk.dsM[mu*p : (mu+1)*p]
		competitorScores(in.Competitors(mu).RawMatrix(), u.Data[mu*u.Stride:mu*u.Stride+d], row)
		own := row[mu]
		for v := range row {
			row[v] = own - row[v]
		}
		return row
	}
	if !predictor {
		s.eachWorker(func(_, lo, hi int) {
			for mu := lo; mu < hi; mu++ {
				margins(mu)
			}
		})
		return
	}
	g2, g3 := dec.g2, dec.g3
	s.eachWorker(func(k, lo, hi int) {
		w, inv := dec.rows[k][:p], dec.rows[k][p:]
		for mu := lo; mu < hi; mu++ {
			row := margins(mu)
			for v := range w {
				i := mu*p + v
				if v == mu {
					w[v], inv[v] = 0, 0
					continue
				}
				ds := row[v] + (wk.rpM[i] - wk.dzT)         // direction: dsM += rpM - dzT
				dy := -(wk.rcM[i] + st.lam[i]*ds) / st.s[i] // direction's dyM
				w[v], inv[v] = ds*dy/st.s[i], 1/st.s[i]
			}
			c := in.Competitors(mu).RawMatrix()
			s.transposeRow(mu, c, w, g2[mu*d:(mu+1)*d])
			s.transposeRow(mu, c, inv, g3[mu*d:(mu+1)*d])
		}
	})
	s.gTimesX(dec.atW, g2, 0)
	s.gTimesX(dec.atInvS, g3, 0)
	dec.corr = true
}
