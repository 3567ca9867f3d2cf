package feasibility

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/lp/highs"
	"github.com/lamcap/lamcap/model"
)

// AlternatingResult is the outcome of alternating LPs for a two-layer network
// with both layers trained. Storable is a certified statement (the product W = A B
// has every margin certified positive on the original instance); failure to find
// one proves nothing, so capacities built on it are lower bounds.
type AlternatingResult struct {
	Storable bool
	W        *mat.Dense // the product A B (d x d) when storable
	Solves   int
}

// Alternate tries to store the first p associations of base in W = A B (A: d x h,
// B: h x d) from `starts` random starts: fix B, solve the margin LP for A; fix that
// A, solve for B; and so on for `rounds` half-steps.
func Alternate(ctx context.Context, base model.Source, p, hidden, starts, rounds int, seed uint64) (AlternatingResult, error) {
	var out AlternatingResult
	d := base.Dim()
	in, err := model.NewInstance(base, p)
	if err != nil {
		return out, err
	}
	for st := 0; st < starts; st++ {
		tl, err := model.NewTwoLayer(base, hidden, model.TrainSecond, seed+uint64(st)*7919)
		if err != nil {
			return out, err
		}
		for r := 0; r < rounds; r++ {
			ti, err := model.NewInstance(tl, p)
			if err != nil {
				return out, err
			}
			sol, err := highs.NewMarginSolver(ti, lp.Options{}, highs.Settings{}).Solve(ctx)
			out.Solves++
			if err != nil {
				if ctx.Err() != nil {
					return out, ctx.Err()
				}
				break
			}
			// The trained factor sits in the top-left block of the padded memory.
			var a, b *mat.Dense
			if tl.Train == model.TrainSecond { // trained A: d x h; fixed B: h x d
				a = mat.DenseCopyOf(sol.W.Slice(0, d, 0, hidden))
				b = rowsToDense(tl.Fixed())
			} else { // trained B: h x d; fixed A: d x h
				a = rowsToDense(tl.Fixed())
				b = mat.DenseCopyOf(sol.W.Slice(0, hidden, 0, d))
			}
			var w mat.Dense
			w.Mul(a, b)
			if sol.T > 0 && lp.CheckStorable(in, &w).OK {
				out.Storable, out.W = true, &w
				return out, nil
			}
			// Fix the factor just trained and train the other one.
			if tl.Train == model.TrainSecond {
				tl = model.NewTwoLayerWith(base, hidden, model.TrainFirst, denseToRows(a))
			} else {
				tl = model.NewTwoLayerWith(base, hidden, model.TrainSecond, denseToRows(b))
			}
		}
	}
	return out, nil
}

// AlternatingLowerBound scans p upwards from start and returns the largest p that
// alternation stored before two consecutive failures: a certified lower bound on
// the instance's critical size for a rank-h memory, never an exact value.
func AlternatingLowerBound(ctx context.Context, base model.Source, hidden, start, starts, rounds int, seed uint64) (int, int, error) {
	best, fails, solves := 0, 0, 0
	for p := max(start, 2); fails < 2; p++ {
		if max := base.MaxP(); max > 0 && p > max {
			break
		}
		r, err := Alternate(ctx, base, p, hidden, starts, rounds, seed)
		solves += r.Solves
		if err != nil {
			return best, solves, err
		}
		if r.Storable {
			best, fails = p, 0
		} else {
			fails++
		}
	}
	if best == 0 {
		return 0, solves, fmt.Errorf("alternation stored no prefix from p=%d", start)
	}
	return best, solves, nil
}

func rowsToDense(rows [][]float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		m.SetRow(i, r)
	}
	return m
}

func denseToRows(m *mat.Dense) [][]float64 {
	r, _ := m.Dims()
	out := make([][]float64, r)
	for i := range out {
		out[i] = append([]float64(nil), m.RawRowView(i)...)
	}
	return out
}
