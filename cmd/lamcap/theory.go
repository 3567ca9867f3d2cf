package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/lamcap/lamcap/theory"
)

func init() {
	register(command{"theory", "finite-size and asymptotic capacity predictions", runTheory})
}

const theorySynopsis = `Prints the capacity predictions of the Gaussian surrogate (docs/theory.md) for each d:
  p_c_finite      root of p D_kappa(p) = N (Gardner, replica symmetric), N = d^2
                  (d min(h, d) with --hidden h: two-layer network, one layer fixed)
  p_c_asymptotic  root of p log p = N/2 (kappa = 0), the paper's 1/2 law
  alpha_c         p_c_finite / N
  p_c_hebbian     where the Hebbian rule recalls all p(p-1) pairs with probability 1/2
D_kappa is computed deterministically (order statistics and characteristic
functions); see 'lamcap validate' for the comparison with exact LP thresholds.`

func runTheory(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("theory --d 8,16,32,64,128 [--kappa K] [--json]", theorySynopsis)
	var o theoryArgs
	o.register(fs)
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if o.saddle != 0 {
		return runSaddle(ctx, stdout, o.saddle, o.kappa, o.samples)
	}
	dims, err := parseDims(o.ds)
	if err != nil {
		return err
	}
	if !(o.kappa >= 0) || o.kappa > theory.MaxKappa {
		return usagef("--kappa must be in [0, %g], got %v", theory.MaxKappa, o.kappa)
	}
	if o.hidden < 0 {
		return usagef("--hidden must be >= 0")
	}
	if slices.Max(dims) > 1<<15 {
		return usagef("--d: %d is beyond the supported range (d <= 32768)", slices.Max(dims))
	}
	if o.vocab != "" {
		return runVocabTheory(ctx, stdout, dims, o.vocab, o.asJSON)
	}
	if !o.asJSON {
		fmt.Fprintf(stdout, "%6s  %6s  %12s  %14s  %10s  %20s  %12s\n", "d", "kappa", "p_c_finite", "p_c_asymptotic", "alpha_c", "p_c log p_c / N", "p_c_hebbian")
	}
	for _, d := range dims {
		if err := ctx.Err(); err != nil {
			return err
		}
		pr, err := theory.Predict(d, o.hidden, o.kappa)
		if err != nil {
			return err
		}
		if err := printPrediction(stdout, d, o.kappa, pr, o.asJSON); err != nil {
			return err
		}
	}
	return nil
}

func blankIfZero(x float64) string {
	if x == 0 {
		return "-"
	}
	return strconv.FormatFloat(x, 'f', 2, 64)
}

func asymptoticP(d int) float64 { return theory.AsymptoticP(float64(d * d)) }

// runSaddle prints alpha(q), the load at which q solves the RS saddle-point
// equation, for q approaching 1, beside alpha_c = 1/D_kappa(p).
func runSaddle(ctx context.Context, stdout io.Writer, p int, kappa float64, samples int) error {
	if p < 2 || p > 2000 {
		return usagef("--saddle: want a block size p in 2..2000, got %d", p)
	}
	if samples < 10 || samples > maxSaddleSamples {
		return usagef("--samples: want 10 to %d draws, got %d", maxSaddleSamples, samples)
	}
	if !(kappa >= 0) || kappa > theory.MaxKappa {
		return usagef("--kappa must be in [0, %g], got %v", theory.MaxKappa, kappa)
	}
	d, err := theory.StatDim(float64(p), kappa)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "p=%d kappa=%g: alpha_c = 1/D = %.6f (deterministic route)\n", p, kappa, 1/d)
	fmt.Fprintf(stdout, "%10s  %22s  %14s\n", "q", "alpha(q) +- se", "alpha/alpha_c")
	for _, q := range []float64{0.5, 0.8, 0.9, 0.95, 0.99, 0.999, 0.9999} {
		// The Monte Carlo takes no context: run it so that Ctrl-C and SIGTERM
		// stop the command at once.
		var a, se float64
		err := interruptible(ctx, func() error {
			var err error
			a, se, err = theory.SaddleAlpha(p, q, kappa, samples, 1)
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%10g  %22s  %14.4f\n", q, fmt.Sprintf("%.6f +- %.6f", a, se), a*d)
	}
	return nil
}

// maxSaddleSamples bounds --samples: a draw costs about 0.5 ms of CPU at
// p = 30 (measured on a busy machine: 10^4 draws per q in 5 s), so 10^6 draws
// take minutes per q; the 2*10^9 that were accepted would have run for weeks.
const maxSaddleSamples = 1_000_000

// theoryArgs are the flags of lamcap theory.
type theoryArgs struct {
	ds              string
	kappa           float64
	hidden          int
	asJSON          bool
	saddle, samples int
	vocab           string // --vocab (vocab_theory.go)
}

func (o *theoryArgs) register(fs *flagSet) {
	fs.StringVar(&o.ds, "d", "8,16,32,64,128", "dimensions, comma separated or A:B:STEP")
	fs.Float64Var(&o.kappa, "kappa", 0, "margin kappa >= 0 (unit-variance scores)")
	fs.IntVar(&o.hidden, "hidden", 0, "hidden width h of a two-layer network with one layer fixed (0: one layer)")
	fs.BoolVar(&o.asJSON, "json", false, "print one JSON line per d")
	fs.IntVar(&o.saddle, "saddle", 0, "instead: the replica-symmetric saddle point for block size p = SADDLE, alpha(q) for q -> 1 against alpha_c")
	fs.IntVar(&o.samples, "samples", 4000, "Monte Carlo draws of xi for --saddle")
	fs.StringVar(&o.vocab, "vocab", "", "instead: the finite-vocabulary model for these V (comma list or A:B:STEP): p_c = d min(V-1, d) / D_0(V), bits per parameter p_c log2 V / d^2, beside the paper's p_c")
}

// printPrediction prints the theory at one d as a table row or a JSON line.
func printPrediction(stdout io.Writer, d int, kappa float64, pr theory.Prediction, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(stdout).Encode(pr)
	}
	_, err := fmt.Fprintf(stdout, "%6d  %6g  %12.2f  %14s  %10.4f  %20.4f  %12s\n", d, kappa, pr.PCFinite,
		blankIfZero(pr.PCAsymptotic), pr.AlphaC, pr.ScaleFinite, blankIfZero(pr.PCHebbian))
	return err
}
