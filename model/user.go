package model

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Matrices is a source of user-supplied embeddings: row mu of X and Y are x_mu and
// y_mu. Prefixes of the rows give the nested instances. Only the coupled model is
// defined for user data: decoupled competitors would need a target distribution.
type Matrices struct {
	X, Y *mat.Dense
}

// NewMatrices checks that X and Y have the same shape p x d with p >= 2, d >= 2 and
// finite entries. X and Y are then each multiplied by a power of two
// (PowerOfTwoScale), exactly, so that their largest entries lie in
// [1/16, 16) (data already there, as lamcap's own embeddings are, is left as it is):
// every margin is the given data's times one positive power of two, so
// verdicts and certificates are those of the user's numbers, while the
// solvers, whose tolerances are absolute, see data of unit scale whatever the
// units of the user's. The instance's numbers (and its hash) are the scaled
// ones. The matrices given are not changed.
func NewMatrices(x, y *mat.Dense) (*Matrices, error) {
	m, err := newMatrices(x, y)
	if err != nil {
		return nil, err
	}
	return &Matrices{X: PowerOfTwoScale(m.X), Y: PowerOfTwoScale(m.Y)}, nil
}

// PowerOfTwoScale returns a itself if its largest |a_ij| lies in [1/16, 16),
// and otherwise a * 2^k with the largest |a_ij| in [1/2, 1), or the closest
// power of two to that which scales every entry exactly (a scale that would
// round a subnormal result is not used); a zero matrix is returned as it is.
func PowerOfTwoScale(a *mat.Dense) *mat.Dense {
	var big float64
	r, c := a.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			big = math.Max(big, math.Abs(a.At(i, j)))
		}
	}
	if big == 0 || math.IsInf(big, 0) || math.IsNaN(big) {
		return a
	}
	_, e := math.Frexp(big) // big in [2^(e-1), 2^e)
	if e >= -3 && e <= 4 {
		return a
	}
	exact := func(k int) bool {
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				v := a.At(i, j)
				if math.Ldexp(math.Ldexp(v, k), -k) != v {
					return false
				}
			}
		}
		return true
	}
	k := -e
	for k < 0 && !exact(k) {
		k /= 2 // scaling down rounds subnormal results: scale down less
	}
	out := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			out.Set(i, j, math.Ldexp(a.At(i, j), k))
		}
	}
	return out
}

func newMatrices(x, y *mat.Dense) (*Matrices, error) {
	px, dx := x.Dims()
	py, dy := y.Dims()
	if dx != dy || px != py {
		return nil, fmt.Errorf("inputs are %d x %d but targets %d x %d: shapes must match", px, dx, py, dy)
	}
	if px < 2 || dx < 2 {
		return nil, fmt.Errorf("need at least 2 associations in dimension at least 2, got p=%d d=%d", px, dx)
	}
	for _, a := range []struct {
		name string
		m    *mat.Dense
	}{{"inputs", x}, {"targets", y}} {
		for i := 0; i < px; i++ {
			for j := 0; j < dx; j++ {
				if v := a.m.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("%s: entry (%d, %d) is %v: every entry must be finite", a.name, i, j, v)
				}
			}
		}
	}
	return &Matrices{X: x, Y: y}, nil
}

func (m *Matrices) Dim() int             { _, d := m.X.Dims(); return d }
func (m *Matrices) Model() Model         { return Coupled }
func (m *Matrices) Embedding() Embedding { return User }
func (m *Matrices) MaxP() int            { p, _ := m.X.Dims(); return p }
func (m *Matrices) Input(mu int, dst []float64) {
	copy(dst, m.X.RawRowView(mu))
}
func (m *Matrices) Target(mu int, dst []float64) {
	copy(dst, m.Y.RawRowView(mu))
}
func (m *Matrices) Competitor(_, v int, dst []float64) { m.Target(v, dst) }
