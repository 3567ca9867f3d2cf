package feasibility

import (
	"context"
	"os"
	"testing"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// everyPrefixSeeds is how many seeds per (d, model) have every prefix solved
// in the default run; the others have the prefixes p* - 1 .. p* + 3.
const everyPrefixSeeds = 3

// p* from FindThreshold must be the largest storable prefix found by solving
// prefixes from scratch with the full LP: every prefix for the first
// everyPrefixSeeds seeds of each (d, model) (for all 13 with
// LAMCAP_CHECK_LARGE=1), p* - 1 .. p* + 3 for the others. Storability is
// monotone in p (a W storing p + 1 associations stores their first p: the
// rows of the prefix are a subset), so the full LP's verdicts at p* and
// p* + 1 alone decide whether p* is the largest storable prefix; the
// prefixes further away only test the full LP against itself.
func TestThresholdMatchesEveryPrefix(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	all := os.Getenv("LAMCAP_CHECK_LARGE") != ""
	n := 0
	for _, d := range []int{6, 8} {
		for _, m := range []model.Model{model.Coupled, model.Decoupled} {
			for seed := uint64(1); seed <= 13; seed++ {
				src := model.Random{D: d, Seed: seed, Kind: m}
				th, err := FindThreshold(context.Background(), src, ThresholdOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if !th.Certified || th.Lower != th.PStar || th.Upper != th.PStar+1 {
					t.Fatalf("d=%d %v seed %d: not certified: %+v", d, m, seed, th)
				}
				lo := 2
				if !all && seed > everyPrefixSeeds {
					lo = max(2, th.PStar-1)
				}
				largest := lo - 1 // the prefixes below lo are storable if p* is
				for p := lo; p <= th.PStar+3; p++ {
					in, _ := model.NewInstance(src, p)
					v, err := Decide(context.Background(), highsChain(in, lp.Options{InitialPerMu: -1}), DefaultEps)
					if err != nil {
						t.Fatal(err)
					}
					if v.Status == Undecided {
						t.Fatalf("d=%d %v seed %d p=%d undecided", d, m, seed, p)
					}
					if v.Status == Storable {
						if largest != p-1 {
							t.Errorf("d=%d %v seed %d: storable at p=%d after a non-storable prefix", d, m, seed, p)
						}
						largest = p
					}
				}
				if largest != th.PStar {
					t.Errorf("d=%d %v seed %d: threshold says p*=%d, every prefix says %d", d, m, seed, th.PStar, largest)
				}
				n++
			}
		}
	}
	if n < 50 {
		t.Fatalf("only %d instances", n)
	}
}

// A start far above or below p* must give the same p*.
func TestThresholdIndependentOfStart(t *testing.T) {
	src := model.Random{D: 7, Seed: 5, Kind: model.Decoupled}
	ref, err := FindThreshold(context.Background(), src, ThresholdOptions{})
	if err != nil || !ref.Certified {
		t.Fatalf("%v %+v", err, ref)
	}
	for _, start := range []int{2, ref.PStar, ref.PStar + 1, 3 * ref.PStar} {
		th, err := FindThreshold(context.Background(), src, ThresholdOptions{Start: start})
		if err != nil || th.PStar != ref.PStar || !th.Certified {
			t.Errorf("start %d: p*=%d (%v), want %d", start, th.PStar, err, ref.PStar)
		}
	}
}
