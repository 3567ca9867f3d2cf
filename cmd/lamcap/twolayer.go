package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/model"
)

func init() {
	register(command{"two-layer", "capacity of two-layer linear networks W = A B against the hidden width", runTwoLayer})
}

const twoLayerSynopsis = `Critical sizes of two-layer linear memories W = A B (A: d x h, B: h x d) for each
hidden width h, against theory with N unknowns in place of d^2:
  --train first|second  one factor fixed at random: an exact LP in d h unknowns,
                        certified like the one-layer case; theory N = d min(h, d)
  --train both          both trained: alternating LPs from several random starts;
                        every success is certified on W = A B, but failures prove
                        nothing, so the column is a LOWER BOUND on p*, never exact.
                        Compared with N = d min(h, d) and the conjecture
                        N_eff = h (2d - h).`

func runTwoLayer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("two-layer --d D --hidden 2,4,8 --seeds A:B --train first|second|both", twoLayerSynopsis)
	var inst instanceFlags
	var hidden, seeds, train string
	var starts, rounds int
	var solver methodFlag
	var asJSON bool
	inst.register(fs)
	fs.StringVar(&hidden, "hidden", "", "hidden widths h, comma separated (default d/4, d/2, 3d/4, d)")
	fs.StringVar(&seeds, "seeds", "1:10", "seeds A:B")
	fs.StringVar(&train, "train", "first", "first, second or both")
	fs.IntVar(&starts, "starts", 3, "random starts per p (--train both)")
	fs.IntVar(&rounds, "rounds", 6, "alternating half-steps per start (--train both)")
	solver.register(fs)
	fs.BoolVar(&asJSON, "json", false, "print one JSON array of rows, one per hidden width")
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if err := solver.validate(); err != nil {
		return err
	}
	if err := inst.validateAll(ctx); err != nil {
		return err
	}
	a, b, err := parseRange(seeds, "--seeds")
	if err != nil {
		return err
	}
	hs, err := parseHidden(hidden)
	if err != nil {
		return err
	}
	both := train == "both"
	var layer model.Layer
	if !both {
		if layer, err = model.ParseLayer(train); err != nil {
			return usagef("--train: %v (or both)", err)
		}
	}
	if starts < 1 || rounds < 1 {
		return usagef("--starts and --rounds must be >= 1")
	}
	st := experiment.TwoLayer{Family: experiment.Family{D: inst.d, Model: inst.model, Embedding: inst.embed, FirstSeed: a, Seeds: int(b - a + 1)},
		Hidden: hs, Layer: layer, Both: both, Starts: starts, Rounds: rounds, Method: solver.method}
	rows, err := experiment.StudyTwoLayer(ctx, st)
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(rows)
	}
	printTwoLayer(stdout, rows, inst, train, both)
	return nil
}

// parseHidden reads the --hidden list (empty: the library's default widths).
func parseHidden(hidden string) ([]int, error) {
	if hidden == "" {
		return nil, nil
	}
	var hs []int
	for _, s := range strings.Split(hidden, ",") {
		h, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || h < 1 {
			return nil, usagef("--hidden: %q is not a positive whole number", s)
		}
		hs = append(hs, h)
	}
	return hs, nil
}

// printTwoLayer prints the study's rows as a table.
func printTwoLayer(stdout io.Writer, rows []experiment.TwoLayerRow, inst instanceFlags, train string, both bool) {
	kind := "p* (exact)"
	if both {
		kind = "p* lower bound"
	}
	fmt.Fprintf(stdout, "d=%d, model %s, train %s\n", inst.d, inst.model, train)
	fmt.Fprintf(stdout, "%4s  %5s  %5s  %-22s  %5s  %13s  %17s\n", "h", "h/d", "n", kind+" median [95% CI]", "undec", "theory N=d*min", "theory N=h(2d-h)")
	for _, r := range rows {
		fmt.Fprintf(stdout, "%4d  %5.2f  %5d  %-22s  %5d  %13.1f  %17.1f\n", r.H, float64(r.H)/float64(inst.d), r.Instances,
			fmt.Sprintf("%.1f [%g, %g]", r.Median, r.CI.Lo, r.CI.Hi), r.Undecided, r.TheoryMin, r.TheoryEff)
	}
}
