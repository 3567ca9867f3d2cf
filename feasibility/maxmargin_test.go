package feasibility

import (
	"context"
	"math"
	"testing"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// minNormPoint returns the norm of the minimum-norm point of the convex hull of
// the rows, by pairwise Frank-Wolfe with exact line search, stopped when the
// Frank-Wolfe gap certifies |x|^2 within rel of the optimum. No solver involved.
func minNormPoint(rows [][]float64, rel float64) float64 {
	n, dim := len(rows), len(rows[0])
	alpha := make([]float64, n)
	alpha[0] = 1
	x := append([]float64(nil), rows[0]...)
	dot := func(a, b []float64) float64 {
		s := 0.0
		for i := range a {
			s += a[i] * b[i]
		}
		return s
	}
	dir := make([]float64, dim)
	for it := 0; it < 5000000; it++ {
		xx := dot(x, x)
		best, worst := 0, -1
		bv, wv := math.Inf(1), math.Inf(-1)
		for i, r := range rows {
			v := dot(r, x)
			if v < bv {
				best, bv = i, v
			}
			if alpha[i] > 0 && v > wv {
				worst, wv = i, v
			}
		}
		if gap := xx - bv; gap <= rel*xx {
			return math.Sqrt(xx)
		}
		for i := range dir {
			dir[i] = rows[best][i] - rows[worst][i]
		}
		dd := dot(dir, dir)
		if dd == 0 {
			return math.Sqrt(xx)
		}
		gamma := math.Min(math.Max(-dot(x, dir)/dd, 0), alpha[worst])
		for i := range x {
			x[i] += gamma * dir[i]
		}
		alpha[best] += gamma
		alpha[worst] -= gamma
	}
	return math.NaN()
}

// kappa* from the certified QP against the independent Frank-Wolfe computation.
func TestMaxMarginMatchesFrankWolfe(t *testing.T) {
	n := 0
	for seed := uint64(1); n < 20; seed++ {
		d := 4 + int(seed%3)
		m := model.Coupled
		if seed%2 == 0 {
			m = model.Decoupled
		}
		in, _ := model.NewInstance(model.Random{D: d, Seed: seed, Kind: m}, d+3)
		mm, err := SolveMaxMargin(context.Background(), in, lp.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !mm.Storable {
			continue
		}
		if !mm.Certified || !(mm.Lower <= mm.Kappa && mm.Kappa <= mm.Upper) {
			t.Fatalf("seed %d: not certified: %+v", seed, mm)
		}
		var rows [][]float64
		for mu := 0; mu < in.P; mu++ {
			for v := 0; v < in.P; v++ {
				if v == mu {
					continue
				}
				r := make([]float64, 0, d*d)
				c := in.Competitor(mu, v)
				for i := 0; i < d; i++ {
					for j := 0; j < d; j++ {
						r = append(r, (in.Y.At(mu, i)-c[i])*in.X.At(mu, j))
					}
				}
				rows = append(rows, r)
			}
		}
		fw := float64(d) * minNormPoint(rows, 1e-9)
		if rel := math.Abs(fw-mm.Kappa) / mm.Kappa; rel > 1e-6 {
			t.Errorf("seed %d d=%d %v: kappa* %.10g (QP) vs %.10g (Frank-Wolfe), relative %.2g", seed, d, m, mm.Kappa, fw, rel)
		}
		n++
	}
}

// A not-storable instance has kappa* = 0, certified by the LP's lambda.
func TestMaxMarginNotStorable(t *testing.T) {
	in, _ := model.NewInstance(model.Random{D: 4, Seed: 1}, 14)
	mm, err := SolveMaxMargin(context.Background(), in, lp.Options{})
	if err != nil || mm.Storable || !mm.Certified || mm.Kappa != 0 || len(mm.Lambda) == 0 {
		t.Fatalf("%v %+v", err, mm)
	}
}
