package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/lamcap/lamcap/certificate"
	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/internal/outdir"
	"github.com/lamcap/lamcap/internal/progress"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

func init() {
	register(command{"solve", "decide whether one instance is storable, with a certificate", runSolve})
}

const solveSynopsis = `Decides whether one random instance of p associations in dimension d is storable
and prints the verdict with its certificate, checked outside the solver:
  storable      a W whose p(p-1) recomputed margins all exceed their rounding bounds;
  not-storable  weights lambda >= 0 on the margin rows with |A^T lambda|_1 / sum(lambda)
                <= eps x scale, scale = sum lambda_r |a_r|_1 / sum(lambda), so no
                W with |W_ij| <= 1 has every margin above eps times its largest
                value |a_r|_1 = |y_mu - c|_1 |x_mu|_1 (the same claim whatever
                the scale of the data or of any one input);
  undecided     neither could be certified (counted and shown, never guessed).

Formulations: margin (default) maximises t subject to a_r.W >= t, |W_ij| <= 1 with
the solver --solver picks (none stores the p(p-1) rows; see docs/solvers.md);
feasibility solves the plain LP
a_r.W >= 1 with every row (reference; an infeasible answer is certified through the
margin LP's duals).`

func runSolve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("solve --d D --p P --seed S [flags]", solveSynopsis)
	var o solveArgs
	o.register(fs)
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if err := o.sf.validate(); err != nil {
		return err
	}
	if err := o.inst.validateContext(ctx); err != nil {
		return err
	}
	if err := o.inst.checkP(o.p); err != nil {
		return err
	}
	full, err := parseFormulation(o.formulation)
	if err != nil {
		return err
	}
	if o.certPath != "" && o.certPath != "-" {
		if err := checkOutput("--certificate", o.certPath); err != nil {
			return err
		}
	} else if o.certPath == "-" && o.asJSON {
		return usagef("--certificate - prints the certificate on stdout instead of the verdict; leave out --json")
	}
	if o.arrays != "" {
		if err := outdir.Check(o.arrays, append(arraysStale, "metadata.json")); err != nil {
			if errors.As(err, new(*outdir.RefusedError)) {
				return usagef("--arrays: %v", err)
			}
			return err
		}
	}
	if err := checkMemory(fmt.Sprintf("d=%d p=%d", o.inst.d, o.p), lp.MemoryEstimate(o.inst.d, o.p, o.inst.model, full, o.sf.opts)); err != nil {
		return err
	}
	in, v, err := decide(ctx, o.inst.source(o.inst.seed), o.p, full, o.sf, stderr)
	if err != nil {
		return err
	}
	rec := certificate.NewVerdictRecord(o.inst.d, o.p, o.inst.seed, o.inst.model.String(), o.inst.embed.String(), o.formulation, v)
	if o.certPath == "-" {
		return printCertificate(stdout, o.inst, in, o.sf.eps, v)
	}
	if o.asJSON {
		if err := json.NewEncoder(stdout).Encode(rec); err != nil {
			return err
		}
	} else {
		printVerdict(stdout, o.inst, o.p, in, o.formulation, o.sf, v, rec)
	}
	if err := saveCertificate(stdout, o.certPath, o.inst, in, o.sf.eps, v, o.asJSON); err != nil {
		return err
	}
	return saveArrays(o.arrays, o.inst, in, o.sf.eps, v)
}

func printVerdict(stdout io.Writer, inst instanceFlags, p int, in *model.Instance, formulation string, sf solverFlags, v feasibility.Verdict, rec certificate.VerdictRecord) {
	fmt.Fprintf(stdout, "%s  %s\n", v.Status, certificateLine(v))
	seed := fmt.Sprintf("seed=%d ", inst.seed)
	if inst.user != nil {
		seed = ""
	}
	fmt.Fprintf(stdout, "  instance     d=%d p=%d %smodel=%s embedding=%s (%d margin constraints, %d unknowns)\n",
		inst.d, p, seed, rec.Model, rec.Embedding, in.Rows(), inst.d*inst.d)
	if v.Status == feasibility.Undecided { // no optimum was reached: "optimal margin t* = 0" misled
		fmt.Fprintf(stdout, "  LP           %s: no optimal margin (undecided; the solver's last t* = %.6g)\n", formulation, v.Margin)
	} else {
		fmt.Fprintf(stdout, "  LP           %s: optimal margin t* = %.6g (box |W_ij| <= 1)\n", formulation, v.Margin)
	}
	switch {
	case formulation == "feasibility":
		fmt.Fprintf(stdout, "  work         HiGHS, all %d rows, %d iterations, %d attempt(s), %.3f s\n",
			v.Rows, v.Iterations, v.Attempts, v.Seconds)
	default:
		fmt.Fprintf(stdout, "  work         %s, %d iterations, %d attempt(s), %.3f s\n",
			v.Solver.Work(v.Rows, v.Rounds), v.Iterations, v.Attempts, v.Seconds)
	}
	if v.Note != "" {
		fmt.Fprintf(stdout, "  note         %s\n", v.Note)
	}
	if v.Disagreement != "" {
		fmt.Fprintf(stdout, "  disagreement %s\n", v.Disagreement)
	}
}

// certificateLine is the one-line summary of the evidence behind a verdict.
func certificateLine(v feasibility.Verdict) string {
	switch v.Status {
	case feasibility.Storable:
		s := v.WCheck
		return fmt.Sprintf("(certified: W with every recomputed margin > its rounding bound; smallest margin %.4g, kappa %.4g at |W|_F = d)",
			s.MinMargin, s.Kappa)
	case feasibility.NotStorable:
		n := v.LambdaCheck
		return fmt.Sprintf("(certified: lambda on %d rows, |A^T lambda|_1/sum = %.3g <= eps %.3g x scale %.3g of its rows; no W with |W_ij| <= 1 has every margin above eps x its largest value |a_r|_1, none with |W|_F = d all above %.3g)",
			len(v.Lambda), n.Residual, n.Eps, n.Scale, n.KappaBound)
	}
	return "(no certificate: " + v.Note + ")"
}

// decide builds the instance of p associations of src and decides it with the margin LP (or the full feasibility LP),
// showing the interior point's iterations on a terminal.
func decide(ctx context.Context, src model.Source, p int, full bool, sf solverFlags, stderr io.Writer) (*model.Instance, feasibility.Verdict, error) {
	in, err := model.NewInstance(src, p)
	if err != nil {
		return nil, feasibility.Verdict{}, err
	}
	t0 := time.Now()
	var v feasibility.Verdict
	if full {
		v, err = feasibility.DecideFull(ctx, in, sf.opts, sf.eps)
	} else {
		opts := sf.opts
		if progress.IsTerminal(stderr) { // a large-d solve takes minutes: show its iterations
			t0 := time.Now()
			opts.Progress = func(it int, t, gap float64) {
				fmt.Fprintf(stderr, "\r  interior point: iteration %d, t = %.4g, gap %.2g, %s ", it, t, gap, time.Since(t0).Round(time.Second))
			}
			defer fmt.Fprint(stderr, "\r\033[K")
		}
		v, err = feasibility.Decide(ctx, lp.NewSolver(in, opts), sf.eps)
	}
	v.Seconds = time.Since(t0).Seconds()
	return in, v, err
}

// saveCertificate saves the verdict's certificate to path, if one is asked for.
func saveCertificate(stdout io.Writer, path string, inst instanceFlags, in *model.Instance, eps float64, v feasibility.Verdict, asJSON bool) error {
	// The verdict is printed first: a certificate that cannot be saved (an
	// undecided verdict, a full disk) is an error, but what was computed is shown.
	if path == "" {
		return nil
	}
	c, err := certificate.New(inst.certInstance(), in, eps, v)
	if err != nil {
		return fmt.Errorf("no certificate saved to %s: %w", path, err)
	}
	if err := outdir.Write(path, c.Encode); err != nil {
		return fmt.Errorf("the verdict above stands, but its certificate was not saved: %w", err)
	}
	if !asJSON {
		fmt.Fprintf(stdout, "  certificate  %s (instance sha256 %.12s...; 'lamcap verify %s' re-checks it)\n", path, c.Instance.SHA256, path)
	}
	return nil
}

// printCertificate prints the verdict's certificate on stdout (--certificate -).
func printCertificate(stdout io.Writer, inst instanceFlags, in *model.Instance, eps float64, v feasibility.Verdict) error {
	c, err := certificate.New(inst.certInstance(), in, eps, v)
	if err != nil {
		return fmt.Errorf("no certificate to print: %w", err)
	}
	return c.Encode(stdout)
}

// solveArgs are the flags of lamcap solve.
type solveArgs struct {
	inst        instanceFlags
	sf          solverFlags
	p           int
	formulation string
	asJSON      bool
	certPath    string
	arrays      string
}

func (o *solveArgs) register(fs *flagSet) {
	o.inst.registerOne(fs, &o.p)
	fs.StringVar(&o.certPath, "certificate", "", "save the verdict with its W or lambda to this JSON file ('lamcap verify' re-checks it); - prints it on stdout instead of the verdict")
	fs.StringVar(&o.arrays, "arrays", "", arraysUsage)
	fs.StringVar(&o.formulation, "formulation", "margin", "margin (bounded-margin LP, solved as --rows says) or feasibility (plain full LP on HiGHS)")
	o.sf.register(fs)
	fs.BoolVar(&o.asJSON, "json", false, "print one JSON object instead of text")
}

// parseFormulation reads --formulation: whether the full feasibility LP is asked for.
func parseFormulation(f string) (full bool, err error) {
	if f != "margin" && f != "feasibility" {
		return false, usagef("--formulation: unknown formulation %q (want margin or feasibility)", f)
	}
	return f == "feasibility", nil
}
