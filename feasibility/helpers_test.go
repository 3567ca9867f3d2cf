package feasibility

import (
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

func mat2copy(v Verdict) *mat.Dense { return mat.DenseCopyOf(v.W) }

// argmaxAbsOuter is the entry (i, j) of the row's coefficient matrix
// (y_mu - c) x_mu^T with the largest magnitude.
func argmaxAbsOuter(in *model.Instance, r lp.Row) (int, int) {
	best, bi, bj := -1.0, 0, 0
	c := in.Competitor(r.Mu, r.V)
	for i := 0; i < in.D; i++ {
		for j := 0; j < in.D; j++ {
			a := math.Abs((in.Y.At(r.Mu, i) - c[i]) * in.X.At(r.Mu, j))
			if a > best {
				best, bi, bj = a, i, j
			}
		}
	}
	return bi, bj
}
