package feasibility

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/lamcap/lamcap/internal/memlimit"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// TestGrowingSearchChecksMemory: the warm search (the simplex's) grows a
// storable start one association at a time; with a budget that holds p = 6
// but not p = 7, it must refuse p = 7 with a *memlimit.TooLarge before
// deciding it (it used to grow on unchecked). The verdicts decided are those
// at 5 and 6, both storable (p* of this instance is far above 6).
func TestGrowingSearchChecksMemory(t *testing.T) {
	src := model.Random{D: 8, Seed: 1, Kind: model.Coupled}
	opts := lp.Options{Method: lp.MethodSimplex}
	if !growsWarm(searchMethod(src, opts)) {
		t.Fatal("the simplex does not grow warm: this test needs a warm search")
	}
	budget := lp.MemoryEstimate(src.D, 6, src.Kind, false, opts)
	if lp.MemoryEstimate(src.D, 7, src.Kind, false, opts) <= budget {
		t.Fatal("the estimate does not grow from p = 6 to 7")
	}
	t.Setenv(memlimit.EnvVar, strconv.FormatInt(budget, 10))
	var tried []int
	th, err := FindThreshold(context.Background(), src, ThresholdOptions{LP: opts, Start: 5,
		OnVerdict: func(p int, v Verdict) {
			tried = append(tried, p)
			if v.Status != Storable {
				t.Errorf("p = %d: %v, want storable", p, v.Status)
			}
		}})
	if tl := new(memlimit.TooLarge); !errors.As(err, &tl) {
		t.Fatalf("p* %d, %v; want a *memlimit.TooLarge for p = 7", th.PStar, err)
	}
	if len(tried) != 2 || tried[0] != 5 || tried[1] != 6 {
		t.Errorf("decided p = %v, want 5 and 6 only", tried)
	}
}

// TestKappaSearchChecksMemory: the kappa > 0 search climbs from a storable
// start one association at a time, as the warm search does; with a budget
// that holds p = 6 but not p = 7 it must refuse p = 7 with a
// *memlimit.TooLarge before building it, after deciding 5 and 6 (kappa = 1e-6
// is far below kappa* at d = 8 and these p).
func TestKappaSearchChecksMemory(t *testing.T) {
	src := model.Random{D: 8, Seed: 1, Kind: model.Coupled}
	opts := lp.Options{Method: lp.MethodSimplex}
	budget := lp.MemoryEstimate(src.D, 6, src.Kind, false, opts)
	t.Setenv(memlimit.EnvVar, strconv.FormatInt(budget, 10))
	th, err := FindKappaThreshold(context.Background(), src, 1e-6, 5, opts)
	if tl := new(memlimit.TooLarge); !errors.As(err, &tl) {
		t.Fatalf("p* %d, %v; want a *memlimit.TooLarge for p = 7", th.PStar, err)
	}
	if th.Solves != 2 {
		t.Errorf("%d max-margin solves, want 2 (p = 5 and 6)", th.Solves)
	}
}
