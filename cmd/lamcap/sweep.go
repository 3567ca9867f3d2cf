package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/figures"
	"github.com/lamcap/lamcap/internal/linalg"
	"github.com/lamcap/lamcap/internal/progress"
	"github.com/lamcap/lamcap/internal/ranges"
	"github.com/lamcap/lamcap/model"
	"github.com/lamcap/lamcap/theory"
)

func init() {
	register(command{"sweep", "critical sizes over a grid of d, with capacities, curves and plots", runSweep})
	register(command{"capacity", "the main job: capacities for d = " + mainJobDims + ", coupled and decoupled", runCapacity})
	register(command{"merge", "combine the shard directories of one sweep into one summary", runMerge})
}

const sweepSynopsis = `Runs threshold for every (d, model, seed) of a grid and summarises each (d, model):
instances, undecided count, the median p* with its 95% order-statistic interval,
mean p* + 1/2 with its 95% Student t interval (the estimate of p_c compared with
theory: p* is the integer part of a real threshold, docs/validation.md),
P(storable | p) with Wilson 95% intervals, and the capacity at p_c = mean p* + 1/2:
p_c log p_c / d^2 (for a vocabulary model bits per parameter, p_c log2 V / d^2).
dev = (mean p* + 1/2 - theory) / theory. A median's interval of fewer than 6
certified instances is the sample's range, marked "*" with its coverage.

The --out directory keeps grid.json and records.jsonl (one line per finished
instance, fsynced as it finishes). Re-running the same command resumes: finished
instances are skipped. Lines of records.jsonl that are not whole records (one cut
short by a kill, say), and duplicate or conflicting ones, are moved to
records.rejected.jsonl with a warning naming each line; every valid line is kept.
One process at a time works in a directory (sweep.lock); a second is refused. A
directory made for another grid, or a non-empty one that is not a sweep, is refused.
The order of the --d and --model lists and the solver flags do not matter to resume.
Interior-point units under way keep their certified verdicts in partial/ for resume.

What a record proves: each names, by SHA-256, the certificates of its verdicts
at p* (storable: W) and p*+1 (not-storable: lambda), kept in certificates.jsonl
in the format of 'lamcap verify'. Resume and merge rebuild both instances from
the unit's seed and re-check the certificates, as verify does; a record whose
certificates are missing, altered, for another unit or p, or do not hold is set
aside and its unit computed again. Records of an older lamcap carry none; they
are kept with a warning that their p* is taken as written.

Outputs: summary.csv, summary.json, records.jsonl, certificates.jsonl, storable.png/svg
(P(storable | p) per d), capacity.png/svg (p_c log p_c / d^2 against d, coupled and
decoupled models) and bits.png/svg (bits per parameter against d, vocabulary models).

--shard K/N runs the K-th of N deterministic slices (unit i goes to shard i mod N + 1),
each into its own directory; 'lamcap merge' combines them.

--at coupled=P1,decoupled=P2 makes it a verdict sweep (the single-verdict, probit
design of docs/validation.md): one certified verdict per (model, seed) at the p
fixed for the model, storable, not storable or undecided, instead of a p*
search (about 6 verdicts at d = 96..128). D:MODEL=P fixes p for one d of several.
grid.json keeps the points, so a resume must give the same ones. The records
are the same format, with lower = p (storable) or upper = p (not storable) and
the one certificate; the table counts the verdicts per model with the storable
fraction's exact 95% interval. 'lamcap validate --verdicts DIR' reports them.

--model vocabulary --vocab 4,16 --answers uniform,zipf:1 sweeps the finite answer
vocabulary (docs/vocabulary.md): one model per V and answer law, named in the
records and summaries vocabulary-V-ANSWERS (vocabulary-4-uniform,
vocabulary-16-zipf1); those full names are accepted in --model too.

--inputs X.npy --targets Y.npy sweep the user's arrays instead: one instance
family (the prefixes of their rows, coupled model, d of the arrays), so no
--d, --seeds, --embedding or --kappa. grid.json names the files by absolute
path and SHA-256; resuming or merging with a file whose bytes changed is refused.`

type sweepFlags struct {
	ds          string
	seeds       string
	models      string
	vocab       string // --vocab: the list of V beside vocabulary in --model
	answers     string // --answers: the list of answer laws
	embed       string
	out         string
	workers     int
	shard       string
	quiet       bool
	asJSON      bool
	kappa       float64
	digestsOnly bool
	at          string // --at: the verdict points (sweep only; registerAt)
	sf          solverFlags
	// The user's arrays (sweep only; registerData).
	inputs, targets, layout string
	fs                      *flagSet
}

func (f *sweepFlags) register(fs *flagSet, defDs, defSeeds, defOut string) {
	fs.StringVar(&f.ds, "d", defDs, "dimensions: A:B:STEP, A:B or a comma list")
	fs.StringVar(&f.seeds, "seeds", defSeeds, "seeds: N (meaning 1:N) or A:B")
	fs.StringVar(&f.models, "model", "coupled,decoupled", "models, comma separated: coupled, decoupled, vocabulary (one model per V of --vocab and law of --answers) or a vocabulary model's full name vocabulary-V-ANSWERS (vocabulary-4-uniform, vocabulary-16-zipf1)")
	fs.StringVar(&f.vocab, "vocab", "", "with vocabulary in --model: the numbers V >= 2 of shared answers, A:B:STEP, A:B or a comma list")
	fs.StringVar(&f.answers, "answers", "uniform", "with vocabulary in --model: the answer laws, comma separated: uniform, balanced or zipf:S")
	fs.StringVar(&f.embed, "embedding", "gaussian", embeddingHelp)
	fs.StringVar(&f.out, "out", defOut, "sweep directory (created; reused to resume)")
	fs.IntVar(&f.workers, "workers", runtime.NumCPU(), "parallel workers, one instance each; the cores are shared out among their BLAS threads")
	fs.StringVar(&f.shard, "shard", "", "K/N: run only the K-th of N slices of the grid")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress on stderr")
	fs.Float64Var(&f.kappa, "kappa", 0, "margin kappa >= 0: with kappa > 0, p* is the largest p with certified max margin kappa* >= kappa")
	fs.BoolVar(&f.digestsOnly, "digests-only", false, "keep only the SHA-256 digests of the certificates in the records, not the certificates (at large d an interior-point not-storable certificate is tens of MB); such records are read as written")
	f.sf.register(fs)
	f.fs = fs
}

// registerAt adds --at: a verdict sweep, one verdict per instance at a p
// fixed per model.
func (f *sweepFlags) registerAt(fs *flagSet) {
	fs.StringVar(&f.at, "at", "", "MODEL=P,...: a verdict sweep: one certified verdict per (model, seed) at p = P fixed for the model (at every --d), or D:MODEL=P for one d, instead of a p* search")
}

// parseAt reads --at: comma-separated MODEL=P (for every d of ds) or
// D:MODEL=P entries.
func parseAt(s string, ds []int) ([]experiment.VerdictPoint, error) {
	var out []experiment.VerdictPoint
	for _, e := range strings.Split(s, ",") {
		lhs, pv, ok := strings.Cut(strings.TrimSpace(e), "=")
		if !ok {
			return nil, usagef("--at: want MODEL=P or D:MODEL=P, got %q", e)
		}
		p, err := strconv.Atoi(pv)
		if err != nil || p < 2 {
			return nil, usagef("--at: want an integer p >= 2 in %q", e)
		}
		dims := ds
		if dv, mv, ok := strings.Cut(lhs, ":"); ok {
			d, err := strconv.Atoi(dv)
			if err != nil {
				return nil, usagef("--at: want an integer d in %q", e)
			}
			dims, lhs = []int{d}, mv
		}
		m, err := model.ParseModel(lhs)
		if err != nil {
			return nil, usagef("--at: %v", err)
		}
		for _, d := range dims {
			out = append(out, experiment.VerdictPoint{D: d, Model: m, P: p})
		}
	}
	return out, nil
}

// changed reports whether a flag was given on the command line.
func (f *sweepFlags) changed(name string) bool { return f.fs != nil && f.fs.Changed(name) }

// registerData adds --inputs, --targets and --layout: a sweep of the user's arrays.
func (f *sweepFlags) registerData(fs *flagSet) {
	fs.StringVar(&f.inputs, "inputs", "", "user inputs X as a .npy file (float32 or float64): sweep these arrays, one instance family, instead of seeded ones")
	fs.StringVar(&f.targets, "targets", "", "user targets Y as a .npy file, same shape as --inputs (sweep takes user arrays for the coupled model only)")
	fs.StringVar(&f.layout, "layout", experiment.LayoutRows, "layout of --inputs/--targets: rows (p x d, one embedding per row) or columns (d x p)")
}

// parseDims reads "6:24:2", "6:10" or "6,8,12" (package ranges).
func parseDims(s string) ([]int, error) { v, err := ranges.Dims(s); return v, asUsage(err) }

// parseSeeds reads "N" (meaning 1:N) or "A:B".
func parseSeeds(s string) (int64, int64, error) {
	a, b, err := ranges.Seeds(s)
	return a, b, asUsage(err)
}

// parseShard reads "K/N" with 1 <= K <= N.
func parseShard(s string) (int, int, error) { k, n, err := ranges.Shard(s); return k, n, asUsage(err) }

// settings translates the flags into the sweep's settings.
func (f *sweepFlags) settings() (experiment.Sweep, error) {
	return f.settingsContext(context.Background())
}

// settingsContext is settings with a context that interrupts a long read of
// the user's arrays.
func (f *sweepFlags) settingsContext(ctx context.Context) (experiment.Sweep, error) {
	var sw experiment.Sweep
	if err := checkOutDir("--out", f.out); err != nil {
		return sw, err
	}
	if err := f.sf.validate(); err != nil {
		return sw, err
	}
	ds, err := parseDims(f.ds)
	if err != nil {
		return sw, err
	}
	a, b, err := parseSeeds(f.seeds)
	if err != nil {
		return sw, err
	}
	models, err := parseSweepModels(f.models, f.vocab, f.answers, f.changed("vocab"), f.changed("answers"))
	if err != nil {
		return sw, err
	}
	embed, err := model.ParseEmbedding(f.embed)
	if err != nil {
		return sw, usagef("--embedding: %v", err)
	}
	if f.workers < 1 {
		return sw, usagef("--workers must be >= 1")
	}
	if !(f.kappa >= 0) || f.kappa > theory.MaxKappa {
		return sw, usagef("--kappa must be in [0, %g], got %v", theory.MaxKappa, f.kappa)
	}
	sw = experiment.Sweep{Ds: ds, Models: models, FirstSeed: a, Seeds: int(b - a + 1), Embedding: embed,
		Kappa: f.kappa, DigestsOnly: f.digestsOnly, Eps: f.sf.eps, LP: f.sf.opts, Workers: f.workers}
	if f.at != "" {
		if f.inputs != "" {
			return sw, usagef("--at does not apply to --inputs/--targets")
		}
		if sw.At, err = parseAt(f.at, ds); err != nil {
			return sw, err
		}
		if _, err := sw.Grid(); err != nil {
			return sw, usagef("--at: %v", err)
		}
	}
	if err := f.userData(ctx, &sw); err != nil {
		return sw, err
	}
	if f.shard != "" {
		if sw.Shard, sw.Shards, err = parseShard(f.shard); err != nil {
			return sw, err
		}
		// An empty shard computes nothing and writes no plot: refused.
		g, err := sw.Grid()
		if err != nil {
			return sw, usagef("%v", err)
		}
		if n := len(g.Units()); sw.Shard > n {
			return sw, usagef("--shard %s: the grid has %d units, so shard %d would be empty; use at most %d shards", f.shard, n, sw.Shard, n)
		}
	}
	if err := sw.CheckMemory(); err != nil {
		return sw, usagef("%v", err)
	}
	return sw, nil
}

// userData reads --inputs and --targets, if given, into sw: the arrays are
// the sweep's one instance family (experiment.Sweep.Data), which fixes its
// d, model and seed.
func (f *sweepFlags) userData(ctx context.Context, sw *experiment.Sweep) error {
	if (f.inputs == "") != (f.targets == "") {
		return usagef("--inputs and --targets go together")
	}
	if f.inputs == "" {
		return nil
	}
	for _, name := range []string{"d", "seeds", "embedding", "kappa"} {
		if f.fs != nil && f.fs.Changed(name) {
			return usagef("--%s does not apply to --inputs/--targets: the files are the instance family", name)
		}
	}
	if f.layout != experiment.LayoutRows && f.layout != experiment.LayoutColumns {
		return usagef("--layout: want rows or columns, got %q", f.layout)
	}
	data, err := experiment.LoadUserData(ctx, f.inputs, f.targets, f.layout)
	if err != nil {
		return fileError("--inputs/--targets", err)
	}
	sw.Data, sw.Embedding, sw.Ds, sw.FirstSeed, sw.Seeds = data, model.User, nil, experiment.MainJobFirstSeed, 1
	if f.fs == nil || !f.fs.Changed("model") {
		sw.Models = []model.Model{model.Coupled}
	}
	if _, err := sw.Grid(); err != nil {
		return usagef("%v", err)
	}
	return nil
}

func runSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sweep --d 6:24:2 --seeds N --model coupled,decoupled [--out DIR]", sweepSynopsis)
	var f sweepFlags
	f.register(fs, "6:12:2", "20", "lamcap-out/sweep")
	f.registerData(fs)
	f.registerAt(fs)
	fs.BoolVar(&f.asJSON, "json", false, "print summary.json on stdout instead of the table")
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	return sweep(ctx, f, stdout, stderr)
}

// The main job's grid as flags: experiment.MainJob's dimensions and seeds,
// written once there.
var (
	mainJobDims  = ranges.FormatDims(experiment.DefaultDs)
	mainJobSeeds = fmt.Sprintf("%d:%d", experiment.MainJobFirstSeed, experiment.MainJobFirstSeed+experiment.DefaultSeeds-1)
)

// capacityFlags registers the capacity command's flags: sweep's, with the
// main job (experiment.MainJob) as their defaults.
func capacityFlags(f *sweepFlags) *flagSet {
	fs := newFlags("capacity [flags]", fmt.Sprintf("The main job (what 'make run' runs, experiment.MainJob): exact capacities for d = %s\nwith seeds %s, coupled and decoupled, summarised in a table with plots. Same flags as sweep.", mainJobDims, mainJobSeeds))
	f.register(fs, mainJobDims, mainJobSeeds, "lamcap-out/capacity")
	return fs
}

func runCapacity(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f sweepFlags
	fs := capacityFlags(&f)
	fs.BoolVar(&f.asJSON, "json", false, "print summary.json on stdout instead of the table")
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	return sweep(ctx, f, stdout, stderr)
}

// runGrid opens (or resumes) the sweep directory, computes the units it lacks
// with progress on stderr, and writes the summaries and plots. They are written
// even after an interruption or a failure (covering what finished); then the
// first error is returned: the run's own, else the outputs', else the
// interruption.
func runGrid(ctx context.Context, f sweepFlags, label string, stderr io.Writer) (experiment.Result, error) {
	sw, err := f.settingsContext(ctx)
	if err != nil {
		return experiment.Result{}, err
	}
	g, err := sw.Grid()
	if err != nil {
		return experiment.Result{}, usagef("%v", err)
	}
	st, err := openStore(f.out, g, stderr)
	if err != nil {
		return experiment.Result{}, err
	}
	defer st.Close()
	pr := progress.New(stderr, label, f.quiet)
	update := sweepProgress(pr, stderr, label, f.quiet)
	sw.Progress = func(done, total int, work float64) {
		update(done, total, work)
		if unitHook != nil {
			unitHook(done)
		}
	}
	// Each worker's BLAS gets its share of the cores: no oversubscription with
	// several workers, every core for a single instance.
	units, _ := sw.Units()
	linalg.SetThreads(linalg.Share(min(f.workers, len(units))))
	res, runErr := experiment.RunStore(ctx, st, sw)
	pr.End()
	var outErr error
	if !res.Grid.IsVerdicts() { // a verdict sweep's outputs are its records
		outErr = writeOutputs(f.out, res)
	}
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		return res, runErr
	}
	if outErr != nil {
		return res, outErr
	}
	return res, runErr
}

// openStore opens a sweep directory and warns on stderr about each line of its
// records that it set aside. A directory that is not lamcap's or holds another
// grid is a usage error; one in use by another process is not.
func openStore(dir string, g experiment.Grid, stderr io.Writer) (*experiment.Store, error) {
	st, err := experiment.OpenStore(dir, g)
	if errors.As(err, new(*experiment.DirError)) {
		return nil, usagef("%v", err)
	}
	if err != nil {
		return nil, err
	}
	warnBadLines(stderr, filepath.Join(dir, experiment.RecordsFile), st.Rejected,
		"moved to "+filepath.Join(dir, experiment.RejectedFile))
	warnUncertified(stderr, dir, st.Uncertified)
	st.Warn = func(msg string) { fmt.Fprintf(stderr, "lamcap: warning: %s\n", msg) }
	return st, nil
}

// warnUncertified says how many records of a directory carry no certificates
// to re-check (written by an older lamcap, or kept as digests only): their p*
// is taken as written, not proved.
func warnUncertified(stderr io.Writer, dir string, n int) {
	if n > 0 {
		fmt.Fprintf(stderr, "lamcap: warning: %s: %d records carry no certificates to re-check (written by an older lamcap, or kept as digests only); their p* is taken as written\n", dir, n)
	}
}

// unitHook, when set, is called after each finished unit of a sweep with the
// number done: tests use it to act at a known point of a run (no sleeps).
var unitHook func(done int)

// warnBadLines prints one warning line per bad line of a records file, at most
// maxWarnings of them and then a count.
func warnBadLines(stderr io.Writer, path string, bad []experiment.BadLine, action string) {
	const maxWarnings = 10
	for i, b := range bad {
		if i == maxWarnings {
			fmt.Fprintf(stderr, "lamcap: warning: %s: %d more bad lines, %s\n", path, len(bad)-i, action)
			return
		}
		fmt.Fprintf(stderr, "lamcap: warning: %s line %d: %s; %s\n", path, b.Line, oneLine(errors.New(b.Reason)), action)
	}
}

func sweep(ctx context.Context, f sweepFlags, stdout, stderr io.Writer) error {
	res, err := runGrid(ctx, f, "lamcap "+filepath.Base(f.out), stderr)
	if err != nil {
		return err
	}
	if res.Grid.IsVerdicts() {
		if f.asJSON {
			return printJSON(stdout, res.Verdicts)
		}
		fmt.Fprint(stdout, experiment.VerdictTable(res.Verdicts))
		fmt.Fprintf(stdout, "\n%d verdicts in %s: records.jsonl, certificates.jsonl ('lamcap validate --verdicts %s' sets them beside the p* records)\n", len(res.Records), f.out, f.out)
		return nil
	}
	if f.asJSON {
		return printJSON(stdout, experiment.NewSummary(res.Grid, res.Groups, lamcapVersion()))
	}
	fmt.Fprint(stdout, experiment.SummaryTable(res.Groups))
	fmt.Fprintln(stdout, experiment.TheoryNote(res.Grid))
	fmt.Fprintf(stdout, "\n%d instances in %s: %s\n", len(res.Records), f.out, outputsWritten(res))
	return nil
}

// outputsWritten names the files writeOutputs wrote for res.
func outputsWritten(res experiment.Result) string {
	s := "summary.csv, summary.json, records.jsonl, certificates.jsonl"
	files := figures.SweepFiles(res.Groups)
	for _, f := range files {
		s += ", " + f + ".png/svg"
	}
	if len(files) == 0 {
		s += " (no plots: no finished instance)"
	}
	return s
}

// writeOutputs writes summary.csv, summary.json and the plots atomically, with
// the finite-size theory beside the measurements.
func writeOutputs(dir string, res experiment.Result) error {
	if err := experiment.NewSummary(res.Grid, res.Groups, lamcapVersion()).Write(dir); err != nil {
		return err
	}
	if len(res.Groups) == 0 {
		return nil
	}
	return figures.Sweep(dir, res.Groups)
}

const mergeSynopsis = `Reads the sweep directories given as arguments (the shards of one grid, or partial
runs of it), checks that they hold the same grid, and writes into --out the records
and summaries a single-machine run would have produced. The inputs are read, never
changed: their bad lines are skipped with a warning. Records of one unit that
disagree stop the merge before anything is written. --out must not be an input.`

func runMerge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("merge --out DIR SHARD_DIR...", mergeSynopsis)
	var out string
	var asJSON bool
	fs.StringVar(&out, "out", "lamcap-out/merged", "directory for the merged sweep")
	fs.BoolVar(&asJSON, "json", false, "print summary.json on stdout instead of the table")
	if err := fs.parseArgs(args, stdout); err != nil {
		return err
	}
	dirs := fs.Args()
	if err := checkOutDir("--out", out); err != nil {
		return err
	}
	res, err := experiment.Merge(out, dirs, func(path string, bad []experiment.BadLine, action string) {
		warnBadLines(stderr, path, bad, action)
	})
	if errors.As(err, new(*experiment.DirError)) {
		return usagef("%v", err)
	}
	if err != nil {
		return err
	}
	warnUncertified(stderr, out, res.AsWritten)
	if res.Grid.IsVerdicts() {
		if asJSON {
			return printJSON(stdout, res.Verdicts)
		}
		fmt.Fprint(stdout, experiment.VerdictTable(res.Verdicts))
		fmt.Fprintf(stdout, "\nmerged %d verdicts from %d directories into %s\n", len(res.Records), len(dirs), out)
		return nil
	}
	if err := writeOutputs(out, res); err != nil {
		return err
	}
	if asJSON {
		return printJSON(stdout, experiment.NewSummary(res.Grid, res.Groups, lamcapVersion()))
	}
	fmt.Fprint(stdout, experiment.SummaryTable(res.Groups))
	fmt.Fprintln(stdout, experiment.TheoryNote(res.Grid))
	fmt.Fprintf(stdout, "\nmerged %d instances from %d directories into %s", len(res.Records), len(dirs), out)
	if missing := len(res.Grid.Units()) - len(res.Records); missing > 0 {
		fmt.Fprintf(stdout, " (%d units of the grid are not finished yet)", missing)
	}
	fmt.Fprintln(stdout)
	return nil
}

// printJSON prints v as indented JSON.
func printJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
