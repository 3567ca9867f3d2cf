package lp

import (
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/model"
	"github.com/lamcap/lamcap/theory"
)

// TestIPMVocabularyStartScan runs the LP of each vocabulary instance of the
// seam test (TestIPMNormalSeamDoubleAgrees) on the CPU and on the dense normal
// system from the start slack LAMCAP_IPM_VOCAB_START (over d), and prints the
// iterations of each; with LAMCAP_IPM_VOCAB_TRACE=V:d:p it also prints that
// instance's iterations one by one (diagnostics for the vocabulary models'
// start, issue 18). Skipped without LAMCAP_IPM_VOCAB_START.
func TestIPMVocabularyStartScan(t *testing.T) {
	start, err := strconv.ParseFloat(os.Getenv("LAMCAP_IPM_VOCAB_START"), 64)
	if err != nil {
		t.Skip("set LAMCAP_IPM_VOCAB_START to a start slack (times 1/d), e.g. 0.175")
	}
	tr := os.Getenv("LAMCAP_IPM_VOCAB_TRACE")
	ctx := context.Background()
	worst := 0
	for _, kind := range seamVocabularies(t) {
		for _, c := range []struct{ d, p int }{{4, 4}, {4, 6}, {4, 12}, {5, 6}, {5, 10}, {5, 18}, {6, 8}, {6, 14}, {6, 22}} {
			in, err := model.NewInstance(model.Random{D: c.d, Seed: uint64(c.p), Kind: kind}, c.p)
			if err != nil {
				t.Fatal(err)
			}
			traced := tr == fmt.Sprintf("%d:%d:%d", kind.Vocab(), c.d, c.p)
			for _, stop := range []Stop{StopOptimal, StopVerdict} {
				var its [2]int
				var status [2]string
				for k, dense := range []bool{false, true} {
					s := NewIPM(in, Options{Precision: PrecisionDouble, Stop: stop})
					s.startSlack = start
					if dense {
						s.normal = newDenseNormal
					}
					if traced {
						fmt.Printf("-- %v d=%d p=%d stop %v dense %v\n", kind, c.d, c.p, stop, dense)
						s.trace = func(r ipmTrace) {
							fmt.Printf("%3d t=%+.6e gap=%.2e pinf=%.1e dinf=%.1e sig=%.1e ap=%.4f ad=%.4f box=%.2e %s\n",
								r.it, r.t, r.gap, r.pinf, r.dinf, r.sigma, r.ap, r.ad, r.boxDual, r.block)
						}
					}
					sol, err := s.Solve(ctx)
					if err != nil {
						status[k] = "error: " + err.Error()
						continue
					}
					its[k], status[k] = sol.Iterations, strings.ReplaceAll(sol.Status, " ", "_")
				}
				worst = max(worst, abs(its[0]-its[1]))
				fmt.Printf("vocab start %.3g %v d=%d p=%d stop %v: cpu %d %s, dense %d %s\n", start, kind, c.d, c.p, stop, its[0], status[0], its[1], status[1])
			}
		}
	}
	fmt.Printf("vocab start %.3g: largest difference %d iterations\n", start, worst)
}

// TestIPMVocabularyStartIterations runs sign-only verdicts of vocabulary
// instances from two starts and prints the iterations of each: d from
// LAMCAP_IPM_VOCAB_DS (default 16 24 32), V = 4, 16 and p (uniform
// answers), seeds 1-3, p at 0.8, 1 and 1.2 times theory's Gaussian p_c,
// from LAMCAP_IPM_VOCAB_STARTS (default "0.7 0.175", times 1/d).
// Diagnostics for issue 18; skipped without LAMCAP_IPM_VOCAB_ITER.
func TestIPMVocabularyStartIterations(t *testing.T) {
	if os.Getenv("LAMCAP_IPM_VOCAB_ITER") == "" {
		t.Skip("set LAMCAP_IPM_VOCAB_ITER=1")
	}
	ds := strings.Fields(os.Getenv("LAMCAP_IPM_VOCAB_DS"))
	if len(ds) == 0 {
		ds = []string{"16", "24", "32"}
	}
	starts := strings.Fields(os.Getenv("LAMCAP_IPM_VOCAB_STARTS"))
	if len(starts) == 0 {
		starts = []string{"0.7", "0.175"}
	}
	total := make([]int, len(starts))
	for _, ds := range ds {
		d, _ := strconv.Atoi(ds)
		pc, err := theory.CriticalP(float64(d*d), 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []float64{0.8, 1, 1.2} {
			p := int(math.Round(f * pc))
			for _, v := range []int{4, 16, p} {
				kind, err := model.Vocabulary(v, model.Answers{Kind: model.Uniform})
				if err != nil {
					t.Fatal(err)
				}
				for seed := uint64(1); seed <= 3; seed++ {
					in, err := model.NewInstance(model.Random{D: d, Seed: seed, Kind: kind}, p)
					if err != nil {
						t.Fatal(err)
					}
					line := fmt.Sprintf("vocab iter d=%d V=%d p=%d seed %d:", d, v, p, seed)
					for k, st := range starts {
						x, _ := strconv.ParseFloat(st, 64)
						s := NewIPM(in, Options{Stop: StopVerdict, Eps: DefaultEps})
						s.startSlack = x
						sol, err := s.Solve(context.Background())
						if err != nil {
							line += fmt.Sprintf(" %s: error %v;", st, err)
							continue
						}
						total[k] += sol.Iterations
						line += fmt.Sprintf(" %s: %d %s;", st, sol.Iterations, strings.Fields(sol.Status)[0])
					}
					fmt.Println(line)
				}
			}
		}
	}
	fmt.Println("vocab iter totals", starts, total)
}
