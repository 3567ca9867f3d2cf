package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/lamcap/lamcap/certificate"
	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

func init() {
	register(command{"margin", "the max-margin (min-norm) memory: kappa* per instance, certified", runMargin})
}

var marginSynopsis = fmt.Sprintf(`Solves the min-norm QP (minimise |W|_F^2 with all margins >= 1), on the interior-
point method where the LP runs on it, else by dual coordinate ascent inside
constraint generation, and prints kappa* = d / |W*|_F, the largest margin
any memory achieves in unit-variance normalisation, with its certified interval:
the lower end from W's recomputed margins, the upper end from the QP's duals by weak
duality (certified when the interval is narrower than %g relative). When the
first QP method leaves a wider interval the other one is tried; if it is still
wider, kappa* is printed as "-" (null in --json) and only the interval is given.
Not-storable instances have kappa* = 0, certified by the LP's lambda.`, feasibility.MaxMarginTolerance)

func runMargin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("margin --d D --p P --seeds A:B [flags]", marginSynopsis)
	var o marginArgs
	o.register(fs)
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if err := o.solver.validate(); err != nil {
		return err
	}
	if !(o.eps > 0) || o.eps >= 1 {
		return usagef("--eps must be in (0, 1), got %v", o.eps)
	}
	if err := o.inst.validateP(o.p); err != nil {
		return err
	}
	a, b, err := o.inst.seedRange(o.seeds)
	if err != nil {
		return err
	}
	if err := checkMemory(fmt.Sprintf("d=%d p=%d", o.inst.d, o.p), lp.MemoryEstimate(o.inst.d, o.p, o.inst.model, false, lp.Options{Method: o.solver.method})); err != nil {
		return err
	}
	if !o.asJSON {
		fmt.Fprintf(stdout, "%6s  %-12s  %-12s  %-30s  %-9s  %8s\n", "seed", "storable", "kappa*", "certified interval", "certified", "seconds")
	}
	for s := a; s <= b; s++ {
		in, err := model.NewInstance(o.inst.source(s), o.p)
		if err != nil {
			return err
		}
		mm, err := feasibility.SolveMaxMargin(ctx, in, lp.Options{Method: o.solver.method, Eps: o.eps})
		if err != nil {
			return err
		}
		if err := printMargin(stdout, certificate.NewMarginRecord(o.inst.d, o.p, s, o.inst.model.String(), o.inst.embed.String(), mm), mm, o.asJSON); err != nil {
			return err
		}
	}
	return nil
}

// printMargin prints one max-margin answer as a table row or a JSON line.
func printMargin(stdout io.Writer, rec certificate.MarginRecord, mm feasibility.MaxMargin, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(stdout).Encode(rec)
	}
	interval := "-"
	if mm.Storable {
		// Rounded outward, so that the printed interval still holds kappa*.
		interval = fmt.Sprintf("[%s, %s]", formatBound(mm.Lower, 9, false), formatBound(mm.Upper, 9, true))
		if math.IsInf(mm.Upper, 1) {
			interval = fmt.Sprintf("[%s, ?]", formatBound(mm.Lower, 9, false))
		}
	}
	kappa := "-"
	if mm.Certified {
		kappa = fmt.Sprintf("%.9g", mm.Kappa)
	}
	fmt.Fprintf(stdout, "%6d  %-12v  %-12s  %-30s  %-9v  %8.3f", rec.Seed, mm.Storable, kappa, interval, mm.Certified, mm.Seconds)
	if mm.Note != "" {
		fmt.Fprintf(stdout, "  (%s)", mm.Note)
	}
	fmt.Fprintln(stdout)
	return nil
}

// marginArgs are the flags of lamcap margin.
type marginArgs struct {
	inst   instanceFlags
	p      int
	seeds  string
	eps    float64
	asJSON bool
	solver methodFlag
}

func (o *marginArgs) register(fs *flagSet) {
	o.inst.register(fs)
	fs.IntVarP(&o.p, "p", "p", 16, "number of associations p")
	fs.StringVar(&o.seeds, "seeds", "1:5", "seeds A:B (inclusive)")
	o.inst.registerFiles(fs)
	fs.Float64Var(&o.eps, "eps", feasibility.DefaultEps, "not-storable tolerance of the LP verdict")
	fs.BoolVar(&o.asJSON, "json", false, "one JSON line per instance")
	o.solver.register(fs)
}
