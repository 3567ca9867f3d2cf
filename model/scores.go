package model

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Scores returns the p x Slots() matrix S with S[mu][v] = c_(mu,v)^T W x_mu, the
// score of the competitor in slot v for input mu; S[mu][Own(mu)] = y_mu^T W x_mu
// is the correct score (the diagonal, except for the vocabulary model). W is d x d.
// Two matrix-vector products per association.
func (in *Instance) Scores(w mat.Matrix) *mat.Dense {
	s := mat.NewDense(in.P, in.Slots(), nil)
	in.scoresTo(s, mat.NewDense(in.P, in.D, nil), w)
	return s
}

func (in *Instance) scoresTo(s, u *mat.Dense, w mat.Matrix) {
	// Row by row with matrix-vector products, serially on purpose: gonum's matrix
	// product spreads products of this size over goroutines, which costs more than
	// it gains inside the simplex's pricing loop and competes with sweep workers.
	wd, ok := w.(*mat.Dense)
	if !ok {
		wd = mat.DenseCopyOf(w)
	}
	d := in.D
	vec := func(x []float64) blas64.Vector { return blas64.Vector{N: len(x), Inc: 1, Data: x} }
	for mu := 0; mu < in.P; mu++ {
		blas64.Gemv(blas.NoTrans, 1, wd.RawMatrix(), vec(in.X.RawRowView(mu)), 0, vec(u.RawRowView(mu)[:d]))
		blas64.Gemv(blas.NoTrans, 1, in.Competitors(mu).RawMatrix(), vec(u.RawRowView(mu)[:d]), 0, vec(s.RawRowView(mu)[:in.Slots()]))
	}
}

// Margins returns the p x Slots() matrix M with M[mu][v] = S[mu][Own(mu)] -
// S[mu][v] for v != Own(mu), the margin of association mu over its competitor v;
// M[mu][Own(mu)] is 0.
func (in *Instance) Margins(w mat.Matrix) *mat.Dense {
	m := mat.NewDense(in.P, in.Slots(), nil)
	in.MarginsTo(m, mat.NewDense(in.P, in.D, nil), w)
	return m
}

// MarginsTo writes Margins(w) into dst (p x Slots()), using work (p x d) as scratch
// space: for inner loops that must not allocate.
func (in *Instance) MarginsTo(dst, work *mat.Dense, w mat.Matrix) {
	s := dst
	in.scoresTo(s, work, w)
	for mu := 0; mu < in.P; mu++ {
		row := s.RawRowView(mu)
		own := row[in.Own(mu)]
		for v := range row {
			row[v] = own - row[v]
		}
	}
}

// MarginErrorBounds returns the p x Slots() matrix B such that the margin M[mu][v]
// computed in float64 by Margins differs from the exact margin of the same float64
// data by at most B[mu][v], whatever the summation order of the BLAS.
//
// Each score y^T (W x) is two dot products of length d; the classical bound
// |fl(a.b) - a.b| <= gamma_n |a|.|b|, gamma_n = n u / (1 - n u), applied twice gives
// |error| <= gamma_(2d+1) |y|^T |W| |x|, and the subtraction of two scores adds one
// rounding of the result.
func (in *Instance) MarginErrorBounds(w mat.Matrix, m *mat.Dense) *mat.Dense {
	d := in.D
	var absW, absX, absY mat.Dense
	absW.Apply(func(_, _ int, v float64) float64 { return math.Abs(v) }, w)
	absX.Apply(func(_, _ int, v float64) float64 { return math.Abs(v) }, in.X)
	absY.Apply(func(_, _ int, v float64) float64 { return math.Abs(v) }, in.Y)
	var z mat.Dense // p x d, row mu = (|W| |x_mu|)^T
	z.Mul(&absX, absW.T())
	const u = 0x1p-53
	n := float64(2*d + 3) // one spare dot-product length for computing the bound itself
	gamma := n * u / (1 - n*u)
	q := in.Slots()
	b := mat.NewDense(in.P, q, nil)
	cz := make([]float64, q)
	var absC mat.Dense
	for mu := 0; mu < in.P; mu++ {
		row := b.RawRowView(mu)
		zmu := z.RawRowView(mu)
		own := floats.Dot(absY.RawRowView(mu), zmu)
		comp := &absY
		if in.comp != nil || in.voc != nil {
			absC.Reset()
			absC.Apply(func(_, _ int, v float64) float64 { return math.Abs(v) }, in.Competitors(mu))
			comp = &absC
		}
		mat.NewVecDense(q, cz).MulVec(comp, mat.NewVecDense(d, zmu))
		for v := range row {
			if v == in.Own(mu) {
				continue
			}
			row[v] = 2 * (gamma*(own+cz[v]) + u*math.Abs(m.At(mu, v)))
		}
	}
	return b
}

// Hebbian returns W_H = sum_mu y_mu x_mu^T.
func (in *Instance) Hebbian() *mat.Dense {
	w := mat.NewDense(in.D, in.D, nil)
	w.Mul(in.Y.T(), in.X)
	return w
}

// PseudoInverse returns the least-squares (minimum-norm) W with W x_mu close to
// y_mu: W = Y^T (X^T)^+. For p <= d it maps every x_mu exactly onto y_mu.
func (in *Instance) PseudoInverse() (*mat.Dense, error) {
	var svd mat.SVD
	if !svd.Factorize(in.X, mat.SVDThin) {
		return nil, fmt.Errorf("pseudo-inverse: SVD of the inputs did not converge")
	}
	// X^T W^T = ... solve X W^T = Y in the least-squares, minimum-norm sense.
	var wt mat.Dense
	rank := svd.Rank(1e-12)
	if rank == 0 {
		return mat.NewDense(in.D, in.D, nil), nil
	}
	svd.SolveTo(&wt, in.Y, rank)
	w := mat.NewDense(in.D, in.D, nil)
	w.Copy(wt.T())
	return w, nil
}

// RowCombination writes A^T lam into dst (d x d): the sum over margin rows
// r = (mu, v), v != Own(mu), of lam[mu][v] a_r with a_r = (y_mu - c_(mu,v)) x_mu^T,
// so that <dst, W> = sum_r lam_r (a_r . W). lam is p x Slots(); its entries
// lam[mu][Own(mu)] are ignored.
// work (p x d) is scratch space. It is the transpose of MarginsTo, and costs
// O(p^2 d + p d^2).
func (in *Instance) RowCombination(dst, work, lam *mat.Dense) {
	p, d, q := in.P, in.D, in.Slots()
	g := work // row mu: g_mu = sum_v lam_(mu,v) (y_mu - c_(mu,v))
	vec := func(x []float64) blas64.Vector { return blas64.Vector{N: len(x), Inc: 1, Data: x} }
	for mu := 0; mu < p; mu++ {
		lr := lam.RawRowView(mu)
		o := in.Own(mu)
		own := lr[o]
		lr[o] = 0
		sum := floats.Sum(lr)
		gr := g.RawRowView(mu)[:d]
		// g_mu = sum(lam_mu) y_mu - C_mu^T lam_mu
		blas64.Gemv(blas.Trans, -1, in.Competitors(mu).RawMatrix(), vec(lr[:q]), 0, vec(gr))
		floats.AddScaled(gr, sum, in.Y.RawRowView(mu))
		lr[o] = own
	}
	dst.Mul(g.T(), in.X)
}
