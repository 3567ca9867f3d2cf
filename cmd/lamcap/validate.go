package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/internal/atomicfile"
	"github.com/lamcap/lamcap/internal/inputfile"
	"github.com/lamcap/lamcap/validation"
)

func init() {
	register(command{"validate", "hold exact thresholds against the paper's claims and the theory; writes docs/validation.md", runValidate})
}

const validateSynopsis = `Writes the validation report (docs/validation.md and its figures): coupled vs
decoupled paired seed by seed, three estimators of p_c with intervals, the
finite-size theory beside every d, fits of the coupled-decoupled gap against d,
and where the prediction approaches 1/2 (package validation).

With --records DIR,... it regenerates the report from those sweep directories
alone, byte for byte, without solving; the committed science records are in
docs/data/science (scripts/science-sweep.sh extends them). A directory may
hold any number of records, even one: each d enters a table once it has the
table's minimum, and the report's progress paragraph counts the pairs, the
records without a partner and the searches left against the pair targets.
The directories must be of one instance family (embedding, kappa, eps, user
data); a unit in two of them counts once. Records taken as written (version 1
directories, certificates kept as digests only) are counted in a warning and
in the report's header. The figures go beside the report, named after it
(r.md: r-scale.png, r-gap.png, ...). Without --records it runs (or resumes)
its own sweep over --d and --seeds first.

--verdicts DIR,... adds the single-verdict runs ('lamcap sweep --at'): per d the
storable fractions with exact intervals, the crossings, the paired shift and
relative gap with their SE, and the gap forms' predictions beside them.`

func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("validate [--records DIR,...] [--report docs/validation.md]", validateSynopsis)
	var o validateArgs
	o.register(fs)
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if err := checkOutput("--report", o.report); err != nil {
		return err
	}
	// The figures are written beside the report, named after it: each path
	// is checked before anything is computed, so none is left half-written.
	for _, path := range validation.FigurePaths(o.report) {
		if err := atomicfile.CheckTarget(path); err != nil {
			return usagef("--report %s: its figure %v", o.report, err)
		}
	}
	if fs.Changed("records") && (len(o.records) == 0 || slices.Contains(o.records, "")) {
		return usagef("--records: give sweep directories, comma separated (without --records, validate runs its own sweep)")
	}
	recs, asWritten, err := o.recordsFor(ctx, stderr)
	if err != nil {
		return err
	}
	rep, err := validation.Analyze(recs, validation.Settings{})
	if err != nil {
		return err
	}
	if asWritten >= 0 {
		rep.Records, rep.AsWritten = len(recs), asWritten
	}
	var rows []experiment.CompareRow
	for _, path := range o.compare {
		r, err := experiment.ReadCompare(ctx, path)
		if err != nil {
			return usagef("--compare: %v", err)
		}
		rows = append(rows, r...)
	}
	if len(rows) > 0 {
		if err := rep.SetMechanism(rows, validation.Settings{}); err != nil {
			return err
		}
	}
	if fs.Changed("verdicts") && (len(o.verdicts) == 0 || slices.Contains(o.verdicts, "")) {
		return usagef("--verdicts: give verdict sweep directories ('lamcap sweep --at'), comma separated")
	}
	if len(o.verdicts) > 0 {
		vs, asWritten, err := validation.ReadVerdicts(o.verdicts)
		if err != nil {
			return usagef("--verdicts: %v", err)
		}
		if asWritten > 0 {
			fmt.Fprintf(stderr, "lamcap: warning: --verdicts: %d of %d verdicts are taken as written, not re-checked (certificates kept as digests only)\n", asWritten, len(vs))
		}
		if err := rep.SetVerdicts(vs, validation.Settings{}); err != nil {
			return err
		}
	}
	// The README is checked before anything is written: no partial output.
	var readme []byte
	if o.readme != "" {
		if readme, err = spliceReadme(ctx, o.readme, rep.Claims(o.command())); err != nil {
			return err
		}
	}
	if err := rep.Write(o.report, append(slices.Clone(o.records), o.verdicts...), o.command()); err != nil {
		return err
	}
	if readme != nil {
		if err := atomicfile.Write(o.readme, readme); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "%d records from %d directories; report written to %s (figures beside it, named %s-*.png and .svg)\n", len(recs), len(o.records), o.report, validation.FigureBase(o.report))
	return nil
}

// spliceReadme returns the file at path with its claims section replaced.
func spliceReadme(ctx context.Context, path, claims string) ([]byte, error) {
	doc, err := inputfile.ReadAll(ctx, path, maxReadmeBytes)
	if err != nil {
		return nil, usagef("--readme: %v", err)
	}
	out, err := validation.SpliceClaims(doc, claims)
	if err != nil {
		return nil, usagef("--readme %s: %v", path, err)
	}
	return out, nil
}

// maxReadmeBytes bounds the README read by --readme.
const maxReadmeBytes = 4 << 20

// recordsFor reads the records of --records, or without it runs (or resumes) the
// command's own sweep and reports on its directory.
//
// The directories must be of one instance family (embedding, kappa, eps and
// user data); a unit in two of them is taken once, or refused if they
// disagree (experiment.ReadRecordSet). It warns of the records taken as
// written (not re-checked) and returns their number; -1 for its own sweep,
// where it does not count them.
func (o *validateArgs) recordsFor(ctx context.Context, stderr io.Writer) ([]experiment.Record, int, error) {
	if len(o.records) > 0 {
		set, err := experiment.ReadRecordSet(o.records)
		if err != nil {
			return nil, 0, usagef("--records: %v", err)
		}
		if set.Duplicates > 0 {
			fmt.Fprintf(stderr, "lamcap: warning: --records: %d records repeat a unit of an earlier directory with the same result; each unit is counted once\n", set.Duplicates)
		}
		if set.AsWritten > 0 {
			fmt.Fprintf(stderr, "lamcap: warning: --records: %d of %d records are taken as written, not re-checked (version 1 directories, or certificates kept as digests only)\n", set.AsWritten, len(set.Records))
		}
		return set.Records, set.AsWritten, nil
	}
	res, err := runGrid(ctx, o.f, "lamcap validate", stderr)
	o.records = []string{o.f.out}
	return res.Records, -1, err
}

// command is the command line that regenerates the report, as the report names it.
func (o *validateArgs) command() string {
	c := "lamcap validate --records " + strings.Join(o.records, ",")
	if len(o.compare) > 0 {
		c += " --compare " + strings.Join(o.compare, ",")
	}
	if len(o.verdicts) > 0 {
		c += " --verdicts " + strings.Join(o.verdicts, ",")
	}
	return c + " --report " + o.report
}

// validateArgs are the flags of lamcap validate.
type validateArgs struct {
	f       sweepFlags
	report  string
	records []string
	compare []string
	readme  string
	// verdicts are the verdict sweep directories of --verdicts.
	verdicts []string
}

func (o *validateArgs) register(fs *flagSet) {
	o.f.register(fs, "6:20:2", "40", "lamcap-out/validate")
	fs.StringSliceVar(&o.records, "records", nil, "sweep directories to report on, comma separated (no solving)")
	fs.StringVar(&o.report, "report", "docs/validation.md", "report path (figures are written beside it)")
	fs.StringVar(&o.readme, "readme", "", "also replace the claims section of this file (README.md) with the report's")
	fs.StringSliceVar(&o.verdicts, "verdicts", nil, "verdict sweep directories ('lamcap sweep --at') to report the single-verdict section from, comma separated")
	fs.StringSliceVar(&o.compare, "compare", nil, "compare.json files of 'lamcap compare-models' to report the mechanism section from, comma separated (later rows replace earlier ones of the same d, load and model)")
}
