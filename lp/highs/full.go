package highs

import (
	"context"
	"errors"
	"fmt"
	"math"

	binding "github.com/lanl/highs"
	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// FeasibilityResult is the outcome of the plain feasibility LP
//
//	find W (free)  with  a_r . W >= 1  for all p(p-1) rows r.
//
// Feasible means HiGHS returned a W (to be certified by CheckStorable); Infeasible
// means HiGHS declared the LP infeasible, which the binding cannot back with a
// dual ray: callers certify it with the bounded-margin LP's duals instead.
type FeasibilityResult struct {
	Feasible   bool
	Infeasible bool
	W          *mat.Dense
	Status     string
	Iterations int
}

// SolveFeasibility builds every row of the instance and solves the feasibility
// form once. Near the threshold HiGHS often ends it with an unknown status; that
// is reported, not guessed (Feasible and Infeasible both false). opts gives
// the time limit (TimeLimit); set the HiGHS options (zero value: defaults).
func SolveFeasibility(ctx context.Context, in *model.Instance, opts lp.Options, set Settings) (*FeasibilityResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if in.Rows() == 0 {
		return nil, fmt.Errorf("no margin rows: p = %d associations have no competitors (p >= 2, or a vocabulary model)", in.P)
	}
	raw, err := newRaw(set, opts.TimeLimit)
	if err != nil {
		return nil, err
	}
	d := in.D
	d2 := d * d
	lb := make([]float64, d2)
	ub := make([]float64, d2)
	for i := range lb {
		lb[i], ub[i] = math.Inf(-1), math.Inf(1)
	}
	if err := raw.AddColumnBounds(lb, ub); err != nil {
		return nil, fmt.Errorf("adding W columns: %w", err)
	}
	if err := raw.SetColumnCosts(make([]float64, d2)); err != nil {
		return nil, fmt.Errorf("setting costs: %w", err)
	}
	rows := in.Rows()
	rlb := make([]float64, 0, rows)
	rub := make([]float64, 0, rows)
	start := make([]int, 0, rows)
	index := make([]int, 0, rows*d2)
	value := make([]float64, 0, rows*d2)
	for mu := 0; mu < in.P; mu++ {
		for v := 0; v < in.Slots(); v++ {
			if v == in.Own(mu) {
				continue
			}
			start = append(start, len(index))
			index, value = appendDenseRow(in, lp.Row{Mu: mu, V: v}, 0, index, value)
			rlb = append(rlb, 1)
			rub = append(rub, math.Inf(1))
		}
	}
	if err := addRows(raw, rlb, rub, start, index, value); err != nil {
		return nil, err
	}
	res, _, err := runSolveContext(ctx, raw)
	out := &FeasibilityResult{Status: "warning"}
	if err != nil {
		if errors.Is(err, lp.ErrSolverWarning) {
			return out, nil
		}
		return nil, err
	}
	out.Status, out.Iterations = res.status.String(), res.iterations
	switch res.status {
	case binding.Optimal:
		out.Feasible = true
		out.W = mat.NewDense(d, d, append([]float64(nil), res.sol.ColumnPrimal[:d2]...))
	case binding.Infeasible:
		out.Infeasible = true
	}
	return out, nil
}

// appendDenseRow appends the d^2 coefficients of a_r = (y_mu - c) (x) x_mu, with
// column index offset + i*d + j for W_ij.
func appendDenseRow(in *model.Instance, r lp.Row, offset int, index []int, value []float64) ([]int, []float64) {
	d := in.D
	y := in.Y.RawRowView(r.Mu)
	c := in.Competitor(r.Mu, r.V)
	x := in.X.RawRowView(r.Mu)
	for i := 0; i < d; i++ {
		a := y[i] - c[i]
		for j, b := range x {
			if v := a * b; v != 0 {
				index = append(index, offset+i*d+j)
				value = append(value, v)
			}
		}
	}
	return index, value
}
