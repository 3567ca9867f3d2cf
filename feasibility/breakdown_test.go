package feasibility

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// TestThresholdBreakdown prints every verdict of interior-point threshold
// searches, for diagnostics (iterations and verdicts per p* do not depend on
// the machine's load; run it with -cpuprofile for where the time goes):
// LAMCAP_BREAKDOWN="d:firstSeed:lastSeed:model". Skipped without the variable.
func TestThresholdBreakdown(t *testing.T) {
	spec := os.Getenv("LAMCAP_BREAKDOWN")
	if spec == "" {
		t.Skip(`set LAMCAP_BREAKDOWN="d:firstSeed:lastSeed:model"`)
	}
	f := strings.Split(spec, ":")
	if len(f) != 4 {
		t.Fatalf("LAMCAP_BREAKDOWN=%q: want d:firstSeed:lastSeed:model", spec)
	}
	d, _ := strconv.Atoi(f[0])
	lo, _ := strconv.Atoi(f[1])
	hi, _ := strconv.Atoi(f[2])
	kind := model.Coupled
	if f[3] == "decoupled" {
		kind = model.Decoupled
	}
	for seed := lo; seed <= hi; seed++ {
		src := model.Random{D: d, Seed: uint64(seed), Kind: kind}
		pr := PriorOf(src)
		t0, tv := time.Now(), time.Now()
		th, err := FindThreshold(context.Background(), src, ThresholdOptions{LP: lp.Options{Method: lp.MethodIPM},
			OnVerdict: func(p int, v Verdict) {
				res := 0.0
				if v.LambdaCheck != nil && v.Status == NotStorable {
					res = v.LambdaCheck.Residual
				}
				t.Logf("d=%d %v seed %d: p=%d %v, %d iterations, residual %.2g, %.1f s", d, kind, seed, p, v.Status, v.Iterations, res, time.Since(tv).Seconds())
				tv = time.Now()
			}})
		if err != nil || !th.Certified {
			t.Fatalf("seed %d: %v %s", seed, err, th.Note)
		}
		t.Logf("d=%d %v seed %d: p*=%d (prior centre %.1f, width %.2f), %d verdicts, %d iterations, %.1f s",
			d, kind, seed, th.PStar, pr.Center, pr.Width, th.Solves, th.Iterations, time.Since(t0).Seconds())
	}
}
