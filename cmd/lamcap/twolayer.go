package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/lp"
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
                        N_eff = h (2d - h).
Each theory is the real root of p D_0(p) = N and p* an integer, so theory is
compared with mean p* + 1/2, not with the median (docs/validation.md, "Theory is
compared with mean p* + 1/2"): dev = (mean + 1/2 - theory) / theory, with 95%
intervals; with both layers trained it is a lower bound too.`

func runTwoLayer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("two-layer --d D --hidden 2,4,8 --seeds A:B --train first|second|both", twoLayerSynopsis)
	var o twoLayerArgs
	o.register(fs)
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if err := o.solver.validate(); err != nil {
		return err
	}
	if err := o.inst.validateAll(ctx); err != nil {
		return err
	}
	if o.inst.model.IsVocabulary() {
		// model.TwoLayer draws a competitor per input, not a shared vocabulary.
		return usagef("--model: two-layer takes the coupled and decoupled models, not a vocabulary")
	}
	a, b, err := parseRange(o.seeds, "--seeds")
	if err != nil {
		return err
	}
	hs, err := parseHidden(o.hidden)
	if err != nil {
		return err
	}
	layer, both, err := parseTrain(o.train)
	if err != nil {
		return err
	}
	if o.starts < 1 || o.rounds < 1 {
		return usagef("--starts and --rounds must be >= 1")
	}
	st := experiment.TwoLayer{Family: experiment.Family{D: o.inst.d, Model: o.inst.model, Embedding: o.inst.embed, FirstSeed: a, Seeds: int(b - a + 1)},
		Hidden: hs, Layer: layer, Both: both, Starts: o.starts, Rounds: o.rounds, LP: lp.Options{Method: o.solver.method}}
	rows, err := experiment.StudyTwoLayer(ctx, st)
	if err != nil {
		return err
	}
	if o.asJSON {
		return json.NewEncoder(stdout).Encode(rows)
	}
	printTwoLayer(stdout, rows, o.inst, o.train, both)
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
	fmt.Fprintf(stdout, "%4s  %5s  %5s  %5s  %-31s  %-22s  %14s  %-22s  %16s  %s\n", "h", "h/d", "n", "undec", kind+" median [95% CI]", "mean + 1/2 [95% CI]",
		"theory N=d*min", "dev [95% CI]", "theory N=h(2d-h)", "dev [95% CI]")
	for _, r := range rows {
		fmt.Fprintf(stdout, "%4d  %5.2f  %5d  %5d  %-31s  %-22s  %14.1f  %-22s  %16.1f  %s\n", r.H, float64(r.H)/float64(inst.d), r.Instances, r.Undecided,
			fmt.Sprintf("%.1f [%g, %g]", r.Median, r.CI.Lo, r.CI.Hi), fmt.Sprintf("%.2f [%.2f, %.2f]", r.Threshold, r.ThresholdCI.Lo, r.ThresholdCI.Hi),
			r.TheoryMin, formatDeviation(r.VsMin), r.TheoryEff, formatDeviation(r.VsEff))
	}
	fmt.Fprintln(stdout, "dev = (mean p* + 1/2 - theory) / theory: p* is an integer, the theory a real root (docs/validation.md)")
}

// twoLayerArgs are the flags of lamcap two-layer.
type twoLayerArgs struct {
	inst                 instanceFlags
	hidden, seeds, train string
	starts, rounds       int
	solver               methodFlag
	asJSON               bool
}

func (o *twoLayerArgs) register(fs *flagSet) {
	o.inst.register(fs)
	fs.StringVar(&o.hidden, "hidden", "", "hidden widths h, comma separated (default d/4, d/2, 3d/4, d)")
	fs.StringVar(&o.seeds, "seeds", "1:10", "seeds A:B")
	fs.StringVar(&o.train, "train", "first", "first, second or both")
	fs.IntVar(&o.starts, "starts", 3, "random starts per p (--train both)")
	fs.IntVar(&o.rounds, "rounds", 6, "alternating half-steps per start (--train both)")
	o.solver.register(fs)
	fs.BoolVar(&o.asJSON, "json", false, "print one JSON array of rows, one per hidden width")
}

// parseTrain reads --train: a layer, or both.
func parseTrain(train string) (model.Layer, bool, error) {
	if train == "both" {
		return 0, true, nil
	}
	layer, err := model.ParseLayer(train)
	if err != nil {
		return 0, false, usagef("--train: unknown value %q (want first, second or both)", train)
	}
	return layer, false, nil
}
