package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
docs/data/science (scripts/science-sweep.sh extends them). Without --records it
runs (or resumes) its own sweep over --d and --seeds first.`

func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("validate [--records DIR,...] [--report docs/validation.md]", validateSynopsis)
	var o validateArgs
	o.register(fs)
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	var recs []experiment.Record
	var err error
	if len(o.records) == 0 {
		res, err := runGrid(ctx, o.f, "lamcap validate", stderr)
		if err != nil {
			return err
		}
		recs, o.records = res.Records, []string{o.f.out}
	} else if recs, err = readRecordDirs(o.records); err != nil {
		return err
	}
	rep, err := validation.Analyze(recs, validation.Settings{})
	if err != nil {
		return err
	}
	if o.compare != "" {
		if rep.Mechanism, err = readCompare(ctx, o.compare); err != nil {
			return err
		}
	}
	dir := filepath.Dir(o.report)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := rep.WriteFigures(dir); err != nil {
		return err
	}
	command := fmt.Sprintf("lamcap validate --records %s", strings.Join(o.records, ","))
	if o.compare != "" {
		command += " --compare " + o.compare
	}
	command += " --report " + o.report
	if err := atomicfile.Write(o.report, []byte(rep.Markdown(o.records, command))); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d records from %d directories; report written to %s (figures beside it)\n", len(recs), len(o.records), o.report)
	return nil
}

// validateArgs are the flags of lamcap validate.
type validateArgs struct {
	f       sweepFlags
	report  string
	records []string
	compare string
}

func (o *validateArgs) register(fs *flagSet) {
	o.f.register(fs, "6:20:2", "40", "lamcap-out/validate")
	fs.StringSliceVar(&o.records, "records", nil, "sweep directories to report on, comma separated (no solving)")
	fs.StringVar(&o.report, "report", "docs/validation.md", "report path (figures are written beside it)")
	fs.StringVar(&o.compare, "compare", "", "compare.json of 'lamcap compare-models' to report the mechanism section from")
}

// maxCompareBytes bounds a compare.json (a few hundred bytes per row).
const maxCompareBytes = 16 << 20

// readCompare reads the rows 'lamcap compare-models' wrote to compare.json.
func readCompare(ctx context.Context, path string) ([]experiment.CompareRow, error) {
	b, err := inputfile.ReadAll(ctx, path, maxCompareBytes)
	if err != nil {
		return nil, usagef("--compare: %v", err)
	}
	var rows []experiment.CompareRow
	if err := json.Unmarshal(b, &rows); err != nil || len(rows) == 0 {
		return nil, usagef("--compare: %s is not a compare.json of lamcap compare-models", path)
	}
	return rows, nil
}

// readRecordDirs reads the records of sweep directories, refusing any with
// invalid lines.
func readRecordDirs(dirs []string) ([]experiment.Record, error) {
	var recs []experiment.Record
	for _, dir := range dirs {
		rs, _, bad, err := experiment.ReadRecords(dir)
		if err != nil {
			return nil, usagef("--records: %v", err)
		}
		if len(bad) > 0 {
			return nil, fmt.Errorf("%s: %d records are not valid (first: line %d); repair the directory by resuming its sweep", dir, len(bad), bad[0].Line)
		}
		recs = append(recs, rs...)
	}
	return recs, nil
}
