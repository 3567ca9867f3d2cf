package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/figures"
	"github.com/lamcap/lamcap/internal/atomicfile"
	"github.com/lamcap/lamcap/model"
)

func init() {
	register(command{"vocab-study", "the finite-vocabulary study: p_c(d, V), bits per parameter, report", runVocabStudy})
}

const vocabStudySynopsis = `Finds the certified p* of every seed of the vocabulary model (--model vocabulary)
for every d, every V of the grid 2, 3, 4, 6, 8, 12, ..., d+1, ... up to the paper's
p_c at d (from --reduced-from on, the reduced grid: the powers of 2 below d/2,
the V from d/2 to 2d and the largest), and every answer distribution,
appending each to DIR/records.jsonl as it finishes. Thresholds the records
hold are never found again: a run stopped (Ctrl-C, SIGTERM, a kill) loses
only the one in flight and resumes where it stopped. One process at a time
works in DIR. Then writes the summary (DIR/summary.json), the figures and the
report (--report), which says per d how many thresholds of the study the
records hold, so that one command regenerates docs/vocabulary.md from the
committed records (--no-solve: from the records alone, solving nothing).`

type vocabStudyArgs struct {
	ds, answers, out, report string
	curveVs, curveAnswers    string
	curveD, curveSeeds       int
	timeLimit                float64
	seeds                    string
	maxV, reducedFrom        int
	vs                       string
	quiet, noSolve           bool
	solver                   methodFlag
}

func runVocabStudy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o vocabStudyArgs
	fs := vocabStudyFlags(&o)
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	err := o.run(ctx, stdout, stderr)
	if errors.As(err, new(*experiment.DirError)) {
		return usagef("%v", err) // a records file that is not a regular file
	}
	return err
}

// vocabStudyFlags registers the flags of vocab-study in o.
func vocabStudyFlags(o *vocabStudyArgs) *flagSet {
	fs := newFlags("vocab-study --d 8,12,16 --seeds N --out DIR [--report FILE]", vocabStudySynopsis)
	fs.StringVar(&o.ds, "d", "8,12,16,24", "dimensions")
	fs.StringVar(&o.seeds, "seeds", "10", "seeds 1..N per (d, V, answers): one N, or one per --d (comma separated)")
	fs.StringVar(&o.answers, "answers", "uniform,zipf:1", "answer distributions, comma separated")
	fs.IntVar(&o.maxV, "max-v", 0, "largest V of the grid (0: the paper's p_c at each d)")
	fs.IntVar(&o.reducedFrom, "reduced-from", 0, "the reduced grid at every d >= this (0: the whole grid everywhere)")
	fs.StringVar(&o.vs, "v", "", "vocabulary sizes replacing the grid at every d, comma separated (e.g. for cost measurements)")
	fs.BoolVar(&o.noSolve, "no-solve", false, "solve nothing: write the summary, figures and report from the records as they are")
	fs.StringVar(&o.out, "out", experiment.VocabDir, "records directory (created; reused to resume)")
	fs.StringVar(&o.report, "report", "", "write the report (markdown) here, e.g. docs/vocabulary.md")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress on stderr")
	fs.Float64Var(&o.timeLimit, "time-limit", 120, "time limit per solve in seconds (0: none); a solve that hits it goes to the next solver (HiGHS), so verdicts stay certified")
	fs.IntVar(&o.curveD, "curve-d", 6, "whole curves: the dimension (records in DIR/curves; 0: none)")
	fs.StringVar(&o.curveVs, "curve-v", "2,4,7,16", "whole curves: vocabulary sizes")
	fs.IntVar(&o.curveSeeds, "curve-seeds", 200, "whole curves: seeds 1..N")
	fs.StringVar(&o.curveAnswers, "curve-answers", "uniform,balanced", "whole curves: answer distributions")
	o.solver.register(fs)
	return fs
}

// run runs the study the flags describe and writes its report.
func (o *vocabStudyArgs) run(ctx context.Context, stdout, stderr io.Writer) error {
	st, err := o.study()
	if err != nil {
		return err
	}
	if o.report != "" {
		if err := checkOutput("--report", o.report); err != nil {
			return err
		}
	}
	st.Dir, st.Progress = o.out, stderr
	if o.quiet {
		st.Progress = nil
	}
	var cs experiment.VocabStudy
	if o.curveD > 0 {
		if cs, err = o.curveStudy(st); err != nil {
			return err
		}
	}
	if !o.noSolve {
		for _, s := range []experiment.VocabStudy{st, cs} {
			if len(s.Ds) > 0 {
				if err := s.CheckMemory(); err != nil {
					return usagef("%v", err)
				}
			}
		}
		if _, err := experiment.StudyVocab(ctx, st); err != nil {
			return err
		}
		if o.curveD > 0 {
			if _, err := experiment.StudyVocab(ctx, cs); err != nil {
				return err
			}
		}
	}
	return writeVocabReport(stdout, st, o.report)
}

// curveStudy is the study of whole curves at one small d.
func (o *vocabStudyArgs) curveStudy(st experiment.VocabStudy) (experiment.VocabStudy, error) {
	cs := experiment.VocabStudy{Ds: []int{o.curveD}, Seeds: []int{o.curveSeeds}, LP: st.LP,
		Dir: filepath.Join(st.Dir, "curves"), Progress: st.Progress}
	if o.curveD < 2 || o.curveSeeds < 1 {
		return cs, usagef("--curve-d must be 0 or >= 2 and --curve-seeds >= 1")
	}
	vs, err := parseVocabs(o.curveVs)
	if err != nil {
		return cs, usagef("--curve-v: %v", err)
	}
	cs.Vs = vs
	for _, a := range strings.Split(o.curveAnswers, ",") {
		ans, err := model.ParseAnswers(strings.TrimSpace(a))
		if err != nil {
			return cs, usagef("--curve-answers: %v", err)
		}
		cs.Answers = append(cs.Answers, ans)
	}
	return cs, nil
}

// study translates the flags.
func (o *vocabStudyArgs) study() (experiment.VocabStudy, error) {
	var st experiment.VocabStudy
	if err := o.solver.validate(); err != nil {
		return st, err
	}
	ds, err := parseDims(o.ds)
	if err != nil {
		return st, err
	}
	var seeds []int
	for _, f := range strings.Split(o.seeds, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return st, usagef("--seeds: %q is not a count >= 1", f)
		}
		seeds = append(seeds, n)
	}
	if (len(seeds) != 1 && len(seeds) != len(ds)) || o.maxV < 0 {
		return st, usagef("--seeds: want one count >= 1 or one per --d, and --max-v >= 0")
	}
	for _, d := range ds {
		if d < 2 {
			return st, usagef("--d: every d must be at least 2, got %d", d)
		}
	}
	if o.reducedFrom < 0 {
		return st, usagef("--reduced-from must be >= 0")
	}
	st = experiment.VocabStudy{Ds: ds, Seeds: seeds, MaxV: o.maxV, ReducedFrom: o.reducedFrom}
	if o.vs != "" {
		if st.Vs, err = parseVocabs(o.vs); err != nil {
			return st, usagef("--v: %v", err)
		}
		for _, v := range st.Vs {
			if v < 2 {
				return st, usagef("--v: every V must be at least 2, got %d", v)
			}
		}
	}
	st.LP.Method = o.solver.method
	if !(o.timeLimit >= 0) {
		return st, usagef("--time-limit must be >= 0")
	}
	st.LP.TimeLimit = o.timeLimit
	for _, a := range strings.Split(o.answers, ",") {
		ans, err := model.ParseAnswers(strings.TrimSpace(a))
		if err != nil {
			return st, usagef("--answers: %v", err)
		}
		st.Answers = append(st.Answers, ans)
	}
	return st, nil
}

// writeVocabReport summarises the records of st.Dir and, with a path, writes
// the report there.
func writeVocabReport(stdout io.Writer, st experiment.VocabStudy, report string) error {
	dir := st.Dir
	recs, err := experiment.ReadVocabRecords(dir)
	if err != nil {
		return err
	}
	groups, err := experiment.SummariseVocab(recs)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%4s  %5s  %-9s  %4s  %7s  %10s  %9s  %7s  %10s\n", "d", "V", "answers", "n", "median", "mean + 1/2", "theory", "dev", "bits/param")
	for _, g := range groups {
		fmt.Fprintf(stdout, "%4d  %5d  %-9s  %4d  %7.1f  %10.1f  %9.2f  %+6.1f%%  %10.3f\n", g.D, g.V, g.Answers, g.N, g.PC, g.Threshold, g.Theory, 100*g.Dev, g.Bits)
	}
	fmt.Fprintln(stdout, "dev = (mean p* + 1/2 - theory) / theory; bits/param at mean p* + 1/2, as in the report's tables")
	if err := experiment.WriteVocabSummary(dir, groups); err != nil {
		return err
	}
	if report == "" {
		return figures.Vocab(dir, "", groups)
	}
	// The report's figures go beside it (docs/data keeps no images).
	if err := figures.Vocab(filepath.Dir(report), "vocabulary-", groups); err != nil {
		return err
	}
	text, err := vocabReport(st, st.Dir, recs, groups)
	if err != nil {
		return err
	}
	return atomicfile.Write(report, text)
}

// vocabReport is the report of st from the records of st.Dir (recs, and the
// groups they make) and those of its curves; it names st.Dir dir (as the user
// gave it).
func vocabReport(st experiment.VocabStudy, dir string, recs []experiment.VocabThreshold, groups []experiment.VocabGroup) ([]byte, error) {
	paper, err := experiment.PaperPC(groups)
	if err != nil {
		return nil, err
	}
	curveRecs, err := experiment.ReadVocabRecords(filepath.Join(st.Dir, "curves"))
	if err != nil {
		return nil, err
	}
	curves, err := experiment.SummariseVocabCurves(curveRecs)
	if err != nil {
		return nil, err
	}
	parts, err := st.Parts(recs)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := experiment.WriteVocabReport(&b, dir, groups, paper, curves, parts); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
