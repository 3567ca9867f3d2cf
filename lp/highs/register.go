package highs

import (
	"github.com/lamcap/lamcap/internal/memlimit"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// Fallback is HiGHS's place in lp's fallback chains
// (lp.Capabilities.Fallback): after the simplex (lp.FallbackSimplex), the last
// resort of every chain.
const Fallback = 2 * lp.FallbackSimplex

// MaxD is the largest d HiGHS constraint generation is meant for
// (lp.Capabilities.MaxD): one verdict at d = 20 takes it 5.3 s where the
// interior-point method takes 0.05 s (docs/benchmarks.md), and its rows
// hold d^2 + 1 nonzeros each, up to 6 (d^2 + 1) + 4p of them (denseMemory):
// over 6.4 GB at d = 64 and 33 GB at d = 96.
const MaxD = 64

// init registers HiGHS constraint generation under lp.MethodHiGHS: importing
// this package (as feasibility does) puts it in lp's registry, in Auto's
// choice for dense and lifted rows, and at the end of every fallback chain.
func init() {
	err := lp.Register(lp.MethodHiGHS, lp.Capabilities{
		New: func(in *model.Instance, opts lp.Options) lp.Solver {
			return NewMarginSolver(in, opts, Settings{})
		},
		WarmGrowth: true,
		Memory: func(d, p, slots int64, rows lp.Rows) int64 {
			if rows == lp.Lifted {
				return liftedMemory(d, p, slots)
			}
			return denseMemory(d, p, slots)
		},
		Retries:  len(retrySettings),
		Fallback: Fallback,
		MaxD:     MaxD,
	})
	if err != nil {
		panic(err)
	}
}

// denseMemory: HiGHS constraint generation keeps at most a few times d^2 + 1 rows
// with d^2 + 1 nonzeros each.
func denseMemory(d, p, slots int64) int64 {
	per := memlimit.Add(memlimit.Mul(d, d), 1)
	return lp.RowsMemory(generatedRows(p, slots, per), per)
}

// liftedMemory: as dense, with rows of d + 1 nonzeros and the d equality rows
// u_mu = W x_mu per association (d + 1 nonzeros each).
func liftedMemory(d, p, slots int64) int64 {
	rows := generatedRows(p, slots, memlimit.Add(memlimit.Mul(d, d), 1))
	return memlimit.Add(memlimit.Mul(p, d, d+1, lp.BytesPerNonzero), lp.RowsMemory(rows, d+1))
}

// generatedRows is the most rows constraint generation is assumed to hold:
// all p(slots-1) margin rows, capped at 6 (d^2+1) + 4p.
func generatedRows(p, slots, cols int64) int64 {
	return min(lp.MarginRows(p, slots), memlimit.Add(memlimit.Mul(6, cols), memlimit.Mul(4, p)))
}

// MarginSolver has other ways to solve cold (Retry), which the chain tries.
var _ lp.Retrier = (*MarginSolver)(nil)
