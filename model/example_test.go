package model_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/model"
)

// A coupled instance from a seed: p associations in dimension d, whose margin
// constraints are the p(p-1) pairs (mu, v). The same seed gives the same
// numbers on every machine, and growing the instance keeps what it had.
func ExampleNewInstance() {
	src := model.Random{D: 10, Seed: 1, Kind: model.Coupled, Embed: model.Gaussian}
	in, err := model.NewInstance(src, 32)
	if err != nil {
		fmt.Println(err)
		return
	}
	r, c := in.X.Dims()
	fmt.Printf("%s %s instance: d=%d p=%d, X is %d x %d, %d margin rows, %d unknowns\n",
		src.Kind, src.Embed, in.D, in.P, r, c, in.Rows(), in.D*in.D)
	fmt.Printf("x_0[0] = %.6f, y_0[0] = %.6f\n", in.X.At(0, 0), in.Y.At(0, 0))
	// Coupled: the competitor of association 0 in slot 5 is target 5.
	fmt.Println("c_(0,5) == y_5:", in.Competitor(0, 5)[0] == in.Y.At(5, 0))

	x00 := in.X.At(0, 0)
	if err := in.Grow(40); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("grown to p=%d (%d rows); x_0 unchanged: %v\n", in.P, in.Rows(), in.X.At(0, 0) == x00)

	// Decoupled: every association has its own competitors, drawn fresh.
	dec, _ := model.NewInstance(model.Random{D: 10, Seed: 1, Kind: model.Decoupled}, 32)
	fmt.Println("decoupled c_(0,5) == y_5:", dec.Competitor(0, 5)[0] == dec.Y.At(5, 0))
	// Output:
	// coupled gaussian instance: d=10 p=32, X is 32 x 10, 992 margin rows, 100 unknowns
	// x_0[0] = -0.143336, y_0[0] = 0.268150
	// c_(0,5) == y_5: true
	// grown to p=40 (1560 rows); x_0 unchanged: true
	// decoupled c_(0,5) == y_5: false
}

// User embeddings: row mu of X is the input x_mu, row mu of Y its target y_mu.
// Only the coupled model is defined for them. Here three orthogonal inputs are
// mapped onto three targets, and the memory W = sum_mu y_mu x_mu^T (Hebbian)
// recalls each of them with margin |y_mu|^2 - y_v . y_mu.
func ExampleNewMatrices() {
	x := mat.NewDense(3, 3, []float64{
		1, 0, 0,
		0, 1, 0,
		0, 0, 1,
	})
	y := mat.NewDense(3, 3, []float64{
		1, 0, 0,
		0.6, 0.8, 0,
		0, 0, 1,
	})
	src, err := model.NewMatrices(x, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	in, err := model.NewInstance(src, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s %s: d=%d p=%d, %d margin rows\n", src.Model(), src.Embedding(), in.D, in.P, in.Rows())
	m := in.Margins(in.Hebbian())
	fmt.Printf("margins of the Hebbian W:\n%.2f\n", mat.Formatted(m))

	// Shapes are checked, and a source holds only its own rows.
	if _, err := model.NewMatrices(x, mat.NewDense(3, 2, nil)); err != nil {
		fmt.Println("error:", err)
	}
	if err := in.Grow(4); err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// coupled user: d=3 p=3, 6 margin rows
	// margins of the Hebbian W:
	// ⎡0.00  0.40  1.00⎤
	// ⎢0.40  0.00  1.00⎥
	// ⎣1.00  1.00  0.00⎦
	// error: inputs are 3 x 3 but targets 3 x 2: shapes must match
	// error: p=4 exceeds the 3 associations the source holds
}
