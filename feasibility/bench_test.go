package feasibility

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// medianSeconds runs f for seeds 1..5 and returns the median wall time.
func medianSeconds(b *testing.B, f func(seed uint64)) float64 {
	var ts []float64
	for seed := uint64(1); seed <= 5; seed++ {
		t0 := time.Now()
		f(seed)
		ts = append(ts, time.Since(t0).Seconds())
	}
	sort.Float64s(ts)
	return ts[2]
}

// BenchmarkVerdict times one certified verdict for a Gaussian coupled instance
// near its threshold (issue targets: d=16 under 0.5 s, d=20 under 1 s).
func BenchmarkVerdict(b *testing.B) {
	for _, c := range []struct{ d, p int }{{10, 32}, {16, 60}, {20, 85}} {
		for _, rows := range []lp.Rows{lp.Implicit, lp.Dense, lp.Lifted} {
			b.Run(fmt.Sprintf("d=%d/p=%d/%v", c.d, c.p, rows), func(b *testing.B) {
				var med float64
				for i := 0; i < b.N; i++ {
					med = medianSeconds(b, func(seed uint64) {
						in, _ := model.NewInstance(model.Random{D: c.d, Seed: seed}, c.p)
						v, err := Decide(context.Background(), lp.NewSolver(in, lp.Options{Rows: rows}), DefaultEps)
						if err != nil || !v.Certified {
							b.Fatalf("seed %d: %v %v", seed, err, v.Note)
						}
					})
				}
				b.ReportMetric(med, "median-s")
			})
		}
	}
}
