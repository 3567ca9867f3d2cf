package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/figures"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

func init() {
	register(command{"mechanism", "scores, margins and weight spectra of optimal vs Hebbian memories", runMechanism})
	register(command{"compare-models", "coupled vs decoupled: kappa*, scores and spectra side by side", runCompareModels})
}

const mechanismSynopsis = `For storable instances of p associations in dimension d, builds four memories on the
same instance: the optimal (max-margin QP), an LP vertex, the Hebbian rule and the
pseudo-inverse rule, each scaled to |W|_F = d (unit-variance scores). Writes to --out:
  mechanism.json          per model and rule: correct score, largest competitor
                          score and margin (mean, sd, quantiles), fraction of
                          associations recalled and of pairs ordered; singular values;
                          the extreme-value level sqrt(2 log p); KS distance between
                          the coupled and decoupled spectra
  scores-MODEL.png/svg    histograms of the correct scores, with sqrt(2 log p) marked
  margins-MODEL.png/svg   histograms of the margins
  spectra.png/svg         mean singular values by rank
The paper's claim: the optimal W puts correct scores just above the competitors'
extreme-value level; Hebbian correct scores spread broadly.

--model M studies one model instead of --models' list; --model vocabulary
--vocab V [--answers uniform|balanced|zipf:S] studies the finite vocabulary,
whose competitors are the V - 1 other words: its level is sqrt(2 log V), and its
p defaults to 80% of the p_c of 'lamcap theory --vocab V'.`

func runMechanism(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("mechanism --d D [--p P] --seeds A:B --out DIR", mechanismSynopsis)
	var o mechanismArgs
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
	if err := checkOutDir("--out", o.out); err != nil {
		return err
	}
	a, b, err := parseRange(o.seeds, "--seeds")
	if err != nil {
		return err
	}
	ms, err := o.studyModels(fs)
	if err != nil {
		return err
	}
	if o.p == 0 {
		if o.p, err = experiment.DefaultMechanismP(o.inst.d, ms); err != nil {
			return usagef("%v (--p)", err)
		}
	}
	for _, m := range ms { // the memory estimate of the largest model
		inst := o.inst
		inst.model = m
		if err := inst.checkP(o.p); err != nil {
			return err
		}
	}
	doc, err := experiment.StudyMechanism(ctx, experiment.MechanismSettings{
		Family: experiment.Family{D: o.inst.d, Embedding: o.inst.embed, FirstSeed: a, Seeds: int(b - a + 1)},
		Models: ms, P: o.p, LP: lp.Options{Method: o.solver.method}})
	if err != nil {
		return err
	}
	for _, m := range doc.Models {
		if m.Used == 0 { // every statistic would be NaN: nothing to show
			mm, err := model.ParseModel(m.Model)
			if err != nil {
				return err
			}
			pc, err := experiment.ModelPC(doc.D, mm)
			if err != nil {
				return err
			}
			return fmt.Errorf("no instance of the %s model is storable at d=%d p=%d (%d tried); lower --p (the finite-size p_c is %.1f)",
				m.Model, doc.D, doc.P, m.Skipped, pc)
		}
	}
	if err := writeMechanism(o.out, doc); err != nil {
		return err
	}
	if o.asJSON {
		return json.NewEncoder(stdout).Encode(doc)
	}
	printMechanism(stdout, doc, o.out)
	return nil
}

const compareSynopsis = `The paper's equivalence claim, tested: for each d, coupled and decoupled instances
side by side at p = 80% of the finite-size p_c: kappa* (median with 95% interval),
correct and largest-competitor scores of the optimal memory, its top singular value,
and the KS distance between the two models' spectra. One table on stdout, the
figure kappa.png/svg (kappa* against d, equal p) and compare.json in --out.

With --records DIR,... (sweep directories holding both models at these d) each d
is compared a second time at equal relative load: each model at 80% of its own
measured p_c (mean p* + 1/2 of its certified records), since at equal p the
coupled model, whose p_c is higher, is further from its threshold. compare.json
then holds both (field "load"). For capacities of both models use 'lamcap
capacity' or 'lamcap sweep'.`

func runCompareModels(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("compare-models --d 6,8,10 --seeds A:B [--out DIR]", compareSynopsis)
	var o compareArgs
	o.register(fs)
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if err := o.solver.validate(); err != nil {
		return err
	}
	dims, err := parseDims(o.ds)
	if err != nil {
		return err
	}
	if err := checkOutDir("--out", o.out); err != nil {
		return err
	}
	a, b, err := parseRange(o.seeds, "--seeds")
	if err != nil {
		return err
	}
	var load experiment.CompareLoad
	if len(o.records) > 0 {
		recs, err := experiment.ReadRecordDirs(o.records)
		if err != nil {
			return usagef("--records: %v", err)
		}
		load.Measured = experiment.MeasuredPC(recs)
		// Every d needs both models' measured p_c; without them the
		// equal-load comparison was left out and nothing said so.
		for _, d := range dims {
			for _, m := range []model.Model{model.Coupled, model.Decoupled} {
				if _, ok := load.Measured(d, m); !ok {
					return usagef("--records: no certified records of the %s model at d = %d in %s (the equal-load comparison needs both models at every --d)", m, d, strings.Join(o.records, ","))
				}
			}
		}
	}
	rows, err := experiment.CompareModels(ctx, experiment.CompareSettings{Ds: dims,
		Family: experiment.Family{FirstSeed: a, Seeds: int(b - a + 1)}, Load: load, LP: lp.Options{Method: o.solver.method}})
	if err != nil {
		return err
	}
	if err := writeCompare(o.out, rows); err != nil {
		return err
	}
	if o.asJSON {
		return json.NewEncoder(stdout).Encode(rows)
	}
	fmt.Fprintf(stdout, "%4s  %-19s  %4s  %-9s  %-28s  %8s  %9s  %7s  %-26s\n", "d", "load", "p", "model", "kappa* median [95% CI]", "correct", "max comp", "top sv", "spectra KS (p perm, approx)")
	for _, r := range rows {
		fmt.Fprintf(stdout, "%4d  %-19s  %4d  %-9s  %-28s  %8.3f  %9.3f  %7.3f  %.3f (%.2g, %.2g)\n", r.D, r.Load, r.P, r.Model,
			fmt.Sprintf("%.4f [%.4f, %.4f]", r.Kappa, r.KappaCI.Lo, r.KappaCI.Hi), r.Correct, r.MaxComp, r.TopSV, r.KS, r.KSPerm, r.KSp)
	}
	fmt.Fprintf(stdout, "written to %s: compare.json, kappa.png/svg\n", o.out)
	return nil
}

// writeMechanism writes mechanism.json and the figures of the study into out.
// The JSON is made before the folder, and a folder this call created is
// removed again if nothing could be written into it.
func writeMechanism(out string, doc *experiment.Mechanism) error {
	b2, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	_, statErr := os.Stat(out)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	err = experiment.WriteFileAtomic(filepath.Join(out, "mechanism.json"), append(b2, '\n'))
	if err != nil {
		if statErr != nil {
			os.Remove(out) // only if still empty
		}
		return err
	}
	return figures.Mechanism(out, doc)
}

// printMechanism prints the study as a table.
func printMechanism(stdout io.Writer, doc *experiment.Mechanism, out string) {
	width, paper := len("model"), false
	for _, r := range doc.Models {
		width = max(width, len(r.Model))
		paper = paper || !strings.HasPrefix(r.Model, "vocabulary-")
	}
	fmt.Fprintf(stdout, "d=%d p=%d", doc.D, doc.P)
	if paper {
		fmt.Fprintf(stdout, ", extreme-value level sqrt(2 log p) = %.3f", math.Sqrt(2*math.Log(float64(doc.P))))
	}
	fmt.Fprintln(stdout)
	for _, r := range doc.Models {
		if strings.HasPrefix(r.Model, "vocabulary-") {
			fmt.Fprintf(stdout, "%s: the competitors of an input are the other V - 1 words, whatever p is: extreme-value level sqrt(2 log V) = %.3f\n", r.Model, r.EVLevel)
		}
	}
	fmt.Fprintf(stdout, "%-*s %-15s %5s  %-16s  %-16s  %-16s  %8s  %8s  %7s\n", width, "model", "rule", "n", "correct mean(sd)", "max comp mean(sd)", "margin mean(sd)", "recalled", "ordered", "top sv")
	for _, r := range doc.Models {
		for _, rule := range experiment.Rules {
			rr := r.Rules[rule]
			st := rr.Recall
			fmt.Fprintf(stdout, "%-*s %-15s %5d  %6.3f (%6.3f)  %6.3f (%6.3f)   %6.3f (%6.3f)  %8.3f  %8.4f  %7.3f\n", width, r.Model, rule, r.Used,
				st.Correct.Mean, st.Correct.SD, st.MaxCompetitor.Mean, st.MaxCompetitor.SD, st.Margin.Mean, st.Margin.SD,
				st.FractionRecalled, st.FractionOrdered, rr.TopSingular.Mean)
		}
		if r.Skipped > 0 {
			fmt.Fprintf(stdout, "%-*s %d instances were not storable and are left out\n", width, r.Model, r.Skipped)
		}
	}
	if doc.Spectra == nil && len(doc.Models) > 1 {
		fmt.Fprintln(stdout, "spectra: compared only between the coupled and decoupled models (their KS test is the paper's equivalence claim)")
	}
	if doc.Spectra != nil {
		opt, heb := doc.Spectra[experiment.Optimal], doc.Spectra[experiment.Hebbian]
		fmt.Fprintf(stdout, "spectra coupled vs decoupled (KS; p paired permutation, asymptotic): optimal %.3f (p %.2g, %.2g), hebbian %.3f (p %.2g, %.2g)\n",
			opt.Distance, opt.Permutation, opt.PValue, heb.Distance, heb.Permutation, heb.PValue)
	}
	fmt.Fprintf(stdout, "written to %s: mechanism.json, scores-*.png/svg, margins-*.png/svg, spectra.png/svg\n", out)
}

// parseModels reads a comma-separated list of models.
func parseModels(s, flag string) ([]model.Model, error) {
	var ms []model.Model
	for _, m := range strings.Split(s, ",") {
		mm, err := model.ParseModel(strings.TrimSpace(m))
		if err != nil {
			return nil, usagef("%s: %v", flag, err)
		}
		ms = append(ms, mm)
	}
	return ms, nil
}

// studyModels are the models of the study: --model (with --vocab and
// --answers) when given, else the --models list; not both.
func (o *mechanismArgs) studyModels(fs *flagSet) ([]model.Model, error) {
	if o.inst.given("model") {
		if fs.Changed("models") {
			return nil, usagef("give --model or --models, not both")
		}
		return []model.Model{o.inst.model}, nil
	}
	return parseModels(o.models, "--models")
}

// mechanismArgs are the flags of lamcap mechanism.
type mechanismArgs struct {
	inst               instanceFlags
	p                  int
	seeds, models, out string
	solver             methodFlag
	asJSON             bool
}

func (o *mechanismArgs) register(fs *flagSet) {
	o.inst.register(fs)
	fs.IntVarP(&o.p, "p", "p", 0, "associations per instance (0: 80% of the finite-size p_c, so most instances are storable)")
	fs.StringVar(&o.seeds, "seeds", "1:20", "seeds A:B")
	fs.StringVar(&o.models, "models", "coupled,decoupled", "models, comma separated: coupled, decoupled or a vocabulary model's full name vocabulary-V-ANSWERS (vocabulary-4-uniform, vocabulary-16-zipf1); or one model with --model")
	fs.StringVar(&o.out, "out", "lamcap-out/mechanism", "output directory")
	o.solver.register(fs)
	fs.BoolVar(&o.asJSON, "json", false, "print mechanism.json on stdout instead of the table (the files are written too)")
}

// compareArgs are the flags of lamcap compare-models.
type compareArgs struct {
	ds, seeds, out string
	records        []string
	solver         methodFlag
	asJSON         bool
}

func (o *compareArgs) register(fs *flagSet) {
	fs.StringVar(&o.ds, "d", "6,8,10,12", "dimensions")
	fs.StringVar(&o.seeds, "seeds", "1:20", "seeds A:B")
	fs.StringVar(&o.out, "out", "lamcap-out/compare", "output directory")
	fs.StringSliceVar(&o.records, "records", nil, "sweep directories whose measured p_c add an equal-relative-load comparison, comma separated")
	o.solver.register(fs)
	fs.BoolVar(&o.asJSON, "json", false, "print the table as one JSON array (the files are written too)")
}

// writeCompare writes compare.json and the kappa figure into out.
func writeCompare(out string, rows []experiment.CompareRow) error {
	if err := experiment.WriteCompare(out, rows); err != nil {
		return err
	}
	var equalP []experiment.CompareRow
	for _, r := range rows {
		if r.Load == experiment.LoadEqualP {
			equalP = append(equalP, r)
		}
	}
	return figures.CompareKappa(out, equalP)
}
