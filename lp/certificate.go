package lp

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/model"
)

// StorableCheck is the outcome of checking a storable certificate: a memory W
// whose p(p-1) margins, recomputed from the instance data, all exceed their
// rounding-error bounds.
type StorableCheck struct {
	OK bool
	// MinMargin is the smallest recomputed margin.
	MinMargin float64
	// MinSlack is the smallest margin minus its rounding-error bound; OK iff > 0.
	MinSlack float64
	// Worst is the row attaining MinSlack.
	Worst Row
	// Kappa is the margin in unit-variance normalisation: MinMargin * d / |W|_F.
	Kappa float64
}

// CheckStorable recomputes every margin of W on the instance outside any solver.
// The certificate holds when each margin is larger than the bound on the rounding
// error of its own computation (model.Instance.MarginErrorBounds), so the exact
// margins of the float64 data are all positive.
func CheckStorable(in *model.Instance, w *mat.Dense) StorableCheck {
	if r, c := w.Dims(); r != in.D || c != in.D {
		return StorableCheck{MinSlack: math.Inf(-1)}
	}
	m := in.Margins(w)
	b := in.MarginErrorBounds(w, m)
	out := StorableCheck{MinMargin: math.Inf(1), MinSlack: math.Inf(1)}
	for mu := 0; mu < in.P; mu++ {
		mr, br := m.RawRowView(mu), b.RawRowView(mu)
		for v := range mr {
			if v == in.Own(mu) {
				continue
			}
			if mr[v] < out.MinMargin {
				out.MinMargin = mr[v]
			}
			slack := mr[v] - br[v]
			if math.IsNaN(slack) {
				slack = math.Inf(-1)
			}
			if slack < out.MinSlack {
				out.MinSlack, out.Worst = slack, Row{mu, v}
			}
		}
	}
	out.OK = out.MinSlack > 0
	if f := mat.Norm(w, 2); f > 0 {
		out.Kappa = out.MinMargin * float64(in.D) / f
	}
	return out
}

// NotStorableCheck is the outcome of checking a not-storable certificate: weights
// lambda >= 0 on margin rows with A^T lambda nearly zero. Since
// min_r a_r.W <= lambda.(A W) / sum(lambda) <= |A^T lambda|_1 max|W_ij| / sum(lambda),
// no W in the box |W_ij| <= 1 has all margins above Residual, and in unit-variance
// normalisation (|W|_F = d) no W has all margins above KappaBound.
type NotStorableCheck struct {
	OK bool
	// Residual bounds |A^T lambda|_1 / sum(lambda), rounding included.
	Residual float64
	// KappaBound bounds d |A^T lambda|_F / sum(lambda), rounding included.
	KappaBound float64
	// Eps is the tolerance the residual was held to.
	Eps    float64
	Reason string
}

// CheckNotStorable verifies lambda against the instance outside any solver: all
// weights nonnegative and finite, rows valid, and |A^T lambda|_1 / sum(lambda) <= eps
// with the rounding error of the check itself added to the left side.
func CheckNotStorable(in *model.Instance, lambda []Weighted, eps float64) NotStorableCheck {
	out := NotStorableCheck{Eps: eps, Residual: math.Inf(1), KappaBound: math.Inf(1)}
	d, p := in.D, in.P
	g := mat.NewDense(p, d, nil)  // row mu: sum_v lambda_(mu,v) (y_mu - c_(mu,v))
	ga := mat.NewDense(p, d, nil) // the same with absolute values, for the error bound
	var sum float64
	maxPer := 0
	count := make([]int, p)
	for _, l := range lambda {
		if l.Mu < 0 || l.Mu >= p || l.V < 0 || l.V >= in.Slots() || l.V == in.Own(l.Mu) {
			out.Reason = fmt.Sprintf("row (%d,%d) is not a margin row of a p=%d instance with %d slots", l.Mu, l.V, p, in.Slots())
			return out
		}
		if !(l.Weight >= 0) || math.IsInf(l.Weight, 0) {
			out.Reason = fmt.Sprintf("weight of row (%d,%d) is %v, not a finite nonnegative number", l.Mu, l.V, l.Weight)
			return out
		}
		sum += l.Weight
		y := in.Y.RawRowView(l.Mu)
		c := in.Competitor(l.Mu, l.V)
		gr, gar := g.RawRowView(l.Mu), ga.RawRowView(l.Mu)
		for i := range gr {
			gr[i] += l.Weight * (y[i] - c[i])
			gar[i] += l.Weight * (math.Abs(y[i]) + math.Abs(c[i]))
		}
		count[l.Mu]++
		if count[l.Mu] > maxPer {
			maxPer = count[l.Mu]
		}
	}
	if !(sum > 0) {
		out.Reason = "the weights sum to zero"
		return out
	}
	var v, va mat.Dense // d x d: G^T X and |G|^T |X|-style bound
	v.Mul(g.T(), in.X)
	var absX mat.Dense
	absX.Apply(func(_, _ int, x float64) float64 { return math.Abs(x) }, in.X)
	va.Mul(ga.T(), &absX)
	const u = 0x1p-53
	n := float64(maxPer + p + 4)
	gamma := n * u / (1 - n*u)
	var l1, f2, errSum float64
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			a := math.Abs(v.At(i, j))
			l1 += a
			f2 += a * a
			errSum += va.At(i, j)
		}
	}
	errBound := 2 * gamma * errSum * (1 + 4*u*float64(d*d))
	sum *= 1 - n*u // a lower bound on the exact sum of the weights
	out.Residual = (l1 + errBound) / sum * (1 + 2*u)
	out.KappaBound = float64(d) * (math.Sqrt(f2) + errBound) / sum * (1 + 2*u)
	out.OK = out.Residual <= eps
	if !out.OK {
		out.Reason = fmt.Sprintf("|A^T lambda|_1 / sum(lambda) = %.3g exceeds eps = %.3g", out.Residual, eps)
	}
	return out
}
