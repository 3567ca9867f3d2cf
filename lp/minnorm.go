package lp

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/model"
)

// SolveMinNorm solves the max-margin problem
//
//	minimise |W|_F^2  subject to  a_r . W >= 1  for all p(p-1) rows
//
// of a storable instance through its dual, max_{lambda >= 0} sum(lambda) -
// |A^T lambda|^2 / 4 with W = A^T lambda / 2, which has only bound constraints.
// It is written here rather than handed to HiGHS because HiGHS 1.10's active-set
// QP solver cycles on these problems (measured: d = 12, p = 32 never finished on
// the generated row set, d >= 14 not even with every row), and gonum has no QP
// solver. Method: constraint generation over the rows as for the LP; on the
// current rows, dual coordinate ascent (Hildreth's method: each step solves for
// one lambda_r in closed form and updates W by a rank-one term), then an
// active-set polish that solves the Gram system G lambda_S = 2 on the rows S with
// lambda > 0 (G_rs = a_r . a_s = ((y_mu - c_r).(y_nu - c_s)) (x_mu . x_nu), no d^2
// vectors needed), accepted when lambda_S > 0 and every margin is >= 1. The
// answer is certified outside (feasibility.SolveMaxMargin): W's recomputed
// margins bound kappa* below and lambda's weak-duality bound above.
func SolveMinNorm(ctx context.Context, in *model.Instance, start *mat.Dense, opts Options) (*Solution, error) {
	opts = opts.withDefaults()
	d := in.D
	type rowData struct {
		r     Row
		dy    []float64
		x     []float64
		norm2 float64
	}
	var rows []rowData
	have := map[Row]int{}
	lam := []float64{}
	w := mat.NewDense(d, d, nil)
	add := func(rs []Row) {
		for _, r := range rs {
			if _, ok := have[r]; ok {
				continue
			}
			y, c := in.Y.RawRowView(r.Mu), in.Competitor(r.Mu, r.V)
			dy := make([]float64, d)
			for i := range dy {
				dy[i] = y[i] - c[i]
			}
			x := in.X.RawRowView(r.Mu)
			have[r] = len(rows)
			rows = append(rows, rowData{r, dy, x, floats.Dot(dy, dy) * floats.Dot(x, x)})
			lam = append(lam, 0)
		}
	}
	// margin of row rd under the current W: dy . (W x), without allocating (it
	// runs for every row in every coordinate sweep).
	margin := func(rd *rowData) float64 {
		var m float64
		for a, dya := range rd.dy {
			if dya != 0 {
				m += dya * floats.Dot(w.RawRowView(a), rd.x)
			}
		}
		return m
	}
	// Seed: the rows with the smallest margins under the starting memory.
	if start == nil {
		start = in.Hebbian()
	}
	known := func(r Row) bool { _, ok := have[r]; return ok }
	// The rows with the smallest margins under the start are the likely active set.
	ms := in.Margins(start)
	add(LowestRows(ms, in.Own, math.Inf(1), max(opts.InitialPerMu, 4), known))

	out := &Solution{}
	for round := 0; round < opts.MaxRounds; round++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out.Rounds++
		// Coordinate ascent sweeps until the largest relative step is tiny.
		for sweep := 0; sweep < 2000; sweep++ {
			out.Iterations++
			maxStep := 0.0
			for i := range rows {
				rd := &rows[i]
				m := margin(rd)
				// Dual coordinate step for min |W|^2 with W = sum lambda a / 2:
				// here W is kept as sum lambda_r a_r directly (lambda rescaled by
				// 1/2), for which the step is (1 - m) / |a_r|^2.
				delta := math.Max(-lam[i], (1-m)/rd.norm2)
				if delta == 0 {
					continue
				}
				lam[i] += delta
				for a := 0; a < d; a++ {
					if rd.dy[a] == 0 {
						continue
					}
					row := w.RawRowView(a)
					f := delta * rd.dy[a]
					for b, xb := range rd.x {
						row[b] += f * xb
					}
				}
				maxStep = math.Max(maxStep, math.Abs(delta)*math.Sqrt(rd.norm2))
			}
			if maxStep < 1e-13*math.Max(1, mat.Norm(w, 2)) {
				break
			}
		}
		// Active-set polish.
		polish(func(i int) ([]float64, []float64) { return rows[i].dy, rows[i].x }, lam, w, d)
		// Generation: rows of the whole instance below margin 1.
		m := in.Margins(w)
		more := LowestRows(m, in.Own, 1-1e-11, opts.AddPerMu, known)
		if len(more) == 0 {
			out.W = mat.DenseCopyOf(w)
			out.T = 1
			out.Rows = len(rows)
			out.Status = "optimal"
			for i, l := range lam {
				if l > 0 {
					out.Lambda = append(out.Lambda, Weighted{rows[i].r, l})
				}
			}
			return out, nil
		}
		add(more)
	}
	return nil, fmt.Errorf("min-norm generation did not converge in %d rounds", opts.MaxRounds)
}

// polish finds the exact optimum on the current rows by a small active-set
// iteration started from the rows with lambda > 0: solve the Gram system
// G_SS lambda_S = 1 (margins exactly 1 on S); drop rows whose multiplier is not
// positive; add the candidate row with the smallest margin below 1; repeat until
// lambda_S > 0 and every candidate margin is >= 1 (the KKT conditions), then
// replace (lambda, W). If it does not settle, the coordinate-ascent answer stands.
func polish(get func(i int) (dy, x []float64), lam []float64, w *mat.Dense, d int) {
	n := len(lam)
	gram := func(i, j int) float64 {
		dyi, xi := get(i)
		dyj, xj := get(j)
		return floats.Dot(dyi, dyj) * floats.Dot(xi, xj)
	}
	maxL := floats.Max(lam)
	weight := append([]float64(nil), lam...) // latest multiplier of each row
	var s []int
	in := make([]bool, n)
	for i, l := range lam {
		if l > 1e-12*maxL {
			s = append(s, i)
			in[i] = true
		}
	}
	for it := 0; it < 4*n+20 && len(s) > 0; it++ {
		g := mat.NewSymDense(len(s), nil)
		for a := range s {
			for b := a; b < len(s); b++ {
				g.SetSym(a, b, gram(s[a], s[b]))
			}
		}
		ones := mat.NewVecDense(len(s), nil)
		for i := range s {
			ones.SetVec(i, 1)
		}
		var ch mat.Cholesky
		var sol mat.VecDense
		if !ch.Factorize(g) || ch.SolveVecTo(&sol, ones) != nil {
			// Dependent rows (a degenerate vertex): drop the row with the smallest
			// multiplier of the last solve (or of coordinate ascent) and go on.
			if len(s) < 2 {
				return
			}
			drop := 0
			for k := range s {
				if weight[s[k]] < weight[s[drop]] {
					drop = k
				}
			}
			in[s[drop]] = false
			s = append(s[:drop:drop], s[drop+1:]...)
			continue
		}
		for k, i := range s {
			weight[i] = sol.AtVec(k)
		}
		// Drop the rows whose multiplier is not positive.
		kept := s[:0:0]
		for k, i := range s {
			if sol.AtVec(k) > 0 {
				kept = append(kept, i)
			} else {
				in[i] = false
			}
		}
		if len(kept) < len(s) {
			s = kept
			continue
		}
		// Add the most violated candidate row, if any.
		worst, wm := -1, 1-1e-10
		for i := 0; i < n; i++ {
			if in[i] {
				continue
			}
			var m float64
			for k, j := range s {
				m += sol.AtVec(k) * gram(i, j)
			}
			if m < wm {
				worst, wm = i, m
			}
		}
		if worst >= 0 {
			s = append(s, worst)
			in[worst] = true
			continue
		}
		// KKT holds on every candidate row: adopt the exact solution.
		nw := mat.NewDense(d, d, nil)
		for i := range lam {
			lam[i] = 0
		}
		for k, i := range s {
			l := sol.AtVec(k)
			lam[i] = l
			dy, x := get(i)
			for a := 0; a < d; a++ {
				floats.AddScaled(nw.RawRowView(a), l*dy[a], x)
			}
		}
		w.Copy(nw)
		return
	}
}
