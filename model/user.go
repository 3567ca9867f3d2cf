package model

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Matrices is a source of user-supplied embeddings: row mu of X and Y are x_mu and
// y_mu. Prefixes of the rows give the nested instances. Only the coupled model is
// defined for user data: decoupled competitors would need a target distribution.
type Matrices struct {
	X, Y *mat.Dense
}

// NewMatrices checks that X and Y have the same shape p x d with p >= 2, d >= 2 and
// finite entries.
func NewMatrices(x, y *mat.Dense) (*Matrices, error) {
	px, dx := x.Dims()
	py, dy := y.Dims()
	if dx != dy || px != py {
		return nil, fmt.Errorf("inputs are %d x %d but targets %d x %d: shapes must match", px, dx, py, dy)
	}
	if px < 2 || dx < 2 {
		return nil, fmt.Errorf("need at least 2 associations in dimension at least 2, got p=%d d=%d", px, dx)
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
