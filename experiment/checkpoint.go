package experiment

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lamcap/lamcap/certificate"
	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/internal/atomicfile"
	"github.com/lamcap/lamcap/internal/inputfile"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// PartialDir is the subdirectory of a sweep directory that holds the
// checkpoints of units under way: partial/d128-coupled-seed7.json for the
// unit d = 128, coupled, seed 7 (CheckpointName). A checkpoint is written
// (atomically, streamed) after each certified verdict of a unit's bracketing
// search and holds the bracket so far: the certificates of its two ends
// (storable: W, not-storable: lambda, the lines the record's
// certificates.jsonl gets; an interior-point lambda weights every row, about
// 49 bytes of JSON each: 1.8 MB at d = 32, some 170 MB at d = 128), the
// counts of the work that found them, and the unit, grid and eps. The
// certificate is made on the instance the search built for the verdict
// (feasibility.ThresholdOptions.OnVerdictInstance), nothing is rebuilt.
// A unit that starts again (a resumed sweep) checks that each end's
// certificate is the one its search makes (the unit's instance, labels,
// eps and the data's scale), verifies it on the rebuilt instance and resumes
// its search from the ends that hold (feasibility.Known). A checkpoint that
// cannot be read or parsed, is for another unit or grid, or neither of whose
// ends holds is set aside (NAME.rejected.json, NAME.rejected-2.json, ...)
// with one warning, and its unit starts from scratch; one end that does not
// hold is dropped the same way and the unit resumes from the other. Anything
// but a regular file at the checkpoint's path is left alone, with a
// warning, and the unit keeps no checkpoint. The checkpoint is deleted once
// the unit's record is in records.jsonl. Warm searches (the simplex, HiGHS)
// make no checkpoints: their verdicts cost seconds.
//
// A resumed record counts, for every run stopped, the verdicts (solves),
// iterations and wall-clock seconds of its search up to its last
// checkpointed verdict, and all of the last run's search: not a verdict in
// progress when a run stopped, the time since a run's last checkpoint, or
// the time spent verifying a checkpoint on resume (neither the checkpoint's
// seconds nor the record's include it).
const PartialDir = "partial"

// checkpointFormat names the format of a checkpoint file.
const checkpointFormat = "lamcap-checkpoint/1"

// checkpointFile is the JSON form of a checkpoint.
type checkpointFile struct {
	Format string `json:"format"`
	Grid   Grid   `json:"grid"`
	Unit   Unit   `json:"unit"`
	// Solves, Iterations and Seconds are the work of every run of the unit
	// so far (feasibility.Known).
	Solves        int      `json:"solves"`
	Iterations    int      `json:"iterations"`
	Seconds       float64  `json:"seconds"`
	Disagreements []string `json:"disagreements,omitempty"`
	// Streak, if > 0, is feasibility.Known.Streak: the verdicts the search
	// counts as made on the one end it has, when that is not Solves. An end
	// dropped on resume (its certificate did not hold) sets it to 1, and
	// each later verdict on the end kept adds one, until the bracket has two
	// ends again (0). Without it a unit resumed twice after a drop would
	// step as if all Solves had been on the end kept, and take another path
	// than the once-resumed search. Checkpoints written before it have none
	// (0), as have those that never dropped an end.
	Streak int `json:"streak,omitempty"`
	// Lower and Upper are the bracket's ends: the largest p certified
	// storable and the smallest certified not storable (nil: none yet).
	Lower *checkpointEnd `json:"lower,omitempty"`
	Upper *checkpointEnd `json:"upper,omitempty"`
}

// checkpointEnd is one certified verdict of a checkpoint: its certificate
// (the line a record's certificates.jsonl gets, byte for byte) and what the
// certificate does not keep.
type checkpointEnd struct {
	P           int             `json:"p"`
	Margin      float64         `json:"margin"`
	Iterations  int             `json:"iterations"`
	Solver      lp.Method       `json:"solver"`
	Seconds     float64         `json:"seconds"`
	Certificate json.RawMessage `json:"certificate,omitempty"` // last: writeCheckpoint streams it
	// check is what the certificate's own check gives (not written: read
	// back, it is computed again).
	check certCheck
}

// CheckpointName is the file name of unit u's checkpoint in PartialDir.
func CheckpointName(u Unit) string {
	m := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, fmt.Sprint(u.Model))
	return fmt.Sprintf("d%d-%s-seed%d.json", u.D, m, u.Seed)
}

// checkpoints are the checkpoints of one sweep directory. A nil
// *checkpoints (an in-memory sweep) keeps none.
type checkpoints struct {
	dir  string // the sweep directory's PartialDir
	grid Grid
	warn func(msg string)
}

// newCheckpoints returns the checkpoints of sink's directory, or nil if sink
// is not a Store or the sweep is at kappa > 0 (whose verdicts are about
// kappa*, not storability).
func newCheckpoints(s sink, cfg runConfig) *checkpoints {
	st, ok := s.(*Store)
	if !ok || cfg.kappa > 0 {
		return nil
	}
	warn := st.Warn
	if warn == nil {
		warn = func(msg string) { fmt.Fprintln(os.Stderr, "lamcap: warning: "+msg) }
	}
	return &checkpoints{dir: filepath.Join(st.Dir, PartialDir), grid: st.Grid, warn: warn}
}

func (c *checkpoints) path(u Unit) string { return filepath.Join(c.dir, CheckpointName(u)) }

// remove deletes the checkpoint of a unit whose record is written (a
// regular file only: a directory at its path is left alone).
func (c *checkpoints) remove(u Unit) {
	if c == nil {
		return
	}
	if st, err := os.Lstat(c.path(u)); err == nil && !st.Mode().IsRegular() {
		return
	}
	if err := os.Remove(c.path(u)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		c.warn(fmt.Sprintf("%s: %v", c.path(u), err))
	}
}

// tidy removes PartialDir if no checkpoint is left in it (when no unit runs).
func (c *checkpoints) tidy() {
	if c != nil {
		os.Remove(c.dir) // fails, as it should, while it holds checkpoints
	}
}

// prune deletes the checkpoints of units that have records (a process that
// ended between a record and the deletion of its checkpoint leaves one), and
// the temporary files of checkpoint writes cut short by kill -9 (the sweep's
// lock makes this process the only writer).
func (c *checkpoints) prune(units []Unit, done func(Unit) bool) {
	if c == nil {
		return
	}
	ents, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if n := e.Name(); strings.HasPrefix(n, ".") && strings.Contains(n, ".json.tmp") {
			os.Remove(filepath.Join(c.dir, n))
		}
	}
	for _, u := range units {
		if done(u) {
			if _, err := os.Stat(c.path(u)); err == nil {
				c.remove(u)
			}
		}
	}
}

// certCheck is what a certificate's own check (certificate.Checked on the
// line saved) gives, as a record states it: the storable W's margins, or the
// not-storable lambda's residual, kappa bound, data scale and rows. A record
// takes them from the certificate it names, so that they are what 'lamcap
// verify' prints for it, whether its unit was resumed or not.
type certCheck struct {
	MinMargin, MinSlack, Kappa  float64
	Residual, KappaBound, Scale float64
	Rows                        int
}

// checkOf is the certCheck of a verdict certificate.Checked returned.
func checkOf(v feasibility.Verdict) certCheck {
	var c certCheck
	if w := v.WCheck; w != nil {
		c.MinMargin, c.MinSlack, c.Kappa = w.MinMargin, w.MinSlack, w.Kappa
	}
	if l := v.LambdaCheck; l != nil {
		c.Residual, c.KappaBound, c.Scale, c.Rows = l.Residual, l.KappaBound, l.Scale, len(l.Lambda)
	}
	return c
}

// savedCert is a certificate line a unit's checkpoint holds, with its check.
type savedCert struct {
	line  []byte
	check certCheck
}

// unitCheckpoint is the checkpoint of one unit under way: what earlier runs
// certified (known), and the file it keeps up to date. The file's ends hold
// the only copies of their certificate lines: an end replaced by a later
// verdict takes its line with it (some 170 MB for a lambda at d = 128).
type unitCheckpoint struct {
	c     *checkpoints // nil: nothing is written
	u     Unit
	src   model.Source
	ci    certificate.Instance
	eps   float64
	t0    time.Time // when this run's search started (after the checkpoint was verified)
	known feasibility.Known
	file  checkpointFile
}

// checkpointHook, when set, is called after each verdict of a unit has been
// checkpointed: tests use it to cancel at a known point (no sleeps).
var checkpointHook func(u Unit, p int, v feasibility.Verdict)

// start returns the checkpoint of unit u on source src, with what an earlier
// run certified if its checkpoint is there and holds. Only a cancellation of
// ctx is an error: a checkpoint that is not to be trusted is set aside with a
// warning and the unit starts from scratch; one whose ends do not both hold
// keeps the end that does. The time spent verifying is not counted in the
// unit's seconds (the record's and the checkpoint's alike).
func (c *checkpoints) start(ctx context.Context, u Unit, src model.Source, embed model.Embedding, user *UserData, eps float64) (*unitCheckpoint, error) {
	uc := &unitCheckpoint{c: c, u: u, src: src, eps: eps, ci: certInstance(u, embed, user)}
	defer func() { uc.t0 = time.Now() }()
	if c == nil {
		return uc, nil
	}
	uc.file = checkpointFile{Format: checkpointFormat, Grid: c.grid, Unit: u}
	path := c.path(u)
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return uc, nil
	case err != nil:
		uc.c = nil
		c.warn(fmt.Sprintf("checkpoint %s: %v; %s starts from scratch and writes no checkpoint", path, err, u.Name()))
		return uc, nil
	case !st.Mode().IsRegular():
		uc.c = nil // atomicfile would refuse to write over it at every verdict
		c.warn(fmt.Sprintf("checkpoint %s is %s, not a checkpoint: left alone; %s starts from scratch and writes no checkpoint", path, atomicfile.Kind(st.Mode()), u.Name()))
		return uc, nil
	}
	// Read through inputfile: a file swapped for a named pipe after the Lstat
	// is refused without blocking, and the size is bounded before reading.
	b, err := inputfile.ReadAll(ctx, path, maxSweepFileBytes)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		c.setAside(u, fmt.Sprintf("cannot be read (%v)", err), "starts from scratch")
		return uc, nil
	}
	f, kn, dropped, err := uc.read(ctx, b)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		c.setAside(u, err.Error(), "starts from scratch")
		return uc, nil
	}
	uc.file, uc.known = f, kn
	if len(dropped) > 0 {
		var kept string
		if e := f.Lower; e != nil {
			kept = fmt.Sprintf("resumes from the storable end at p = %d", e.P)
		} else {
			kept = fmt.Sprintf("resumes from the not-storable end at p = %d", f.Upper.P)
		}
		c.setAside(u, "dropped "+strings.Join(dropped, "; "), kept)
		if err := uc.write(); err != nil {
			c.warn(fmt.Sprintf("checkpoint of %s: %v", u.Name(), err))
		}
	}
	return uc, nil
}

// setAside moves the checkpoint of u to a name of its own beside it
// (NAME.rejected.json, then NAME.rejected-2.json, ...: an earlier one is
// never overwritten) and warns once, saying why and what the unit does.
func (c *checkpoints) setAside(u Unit, why, then string) {
	path := c.path(u)
	base := strings.TrimSuffix(path, ".json") + ".rejected"
	rejected := base + ".json"
	for i := 2; ; i++ {
		if _, err := os.Lstat(rejected); errors.Is(err, fs.ErrNotExist) || i > 1000 {
			break
		}
		rejected = fmt.Sprintf("%s-%d.json", base, i)
	}
	if err := os.Rename(path, rejected); err != nil {
		c.warn(fmt.Sprintf("checkpoint %s: %s; setting it aside failed (%v); %s %s", path, why, err, u.Name(), then))
		return
	}
	c.warn(fmt.Sprintf("checkpoint %s: %s; moved to %s, %s %s", path, why, filepath.Base(rejected), u.Name(), then))
}

// read parses a checkpoint, checks that it is this unit's under this grid,
// and verifies the certificate of each end on the instance rebuilt from the
// unit's source. An end whose certificate is not the one this unit's search
// makes (another instance, label, eps or scale) or does not hold is dropped,
// and dropped says why; an error (or both ends dropped) sets the whole
// checkpoint aside. The ends kept hold their certificates as json.Marshal
// writes them (the lines a record's certificates.jsonl gets) with their
// checks.
func (uc *unitCheckpoint) read(ctx context.Context, b []byte) (checkpointFile, feasibility.Known, []string, error) {
	var f checkpointFile
	var kn feasibility.Known
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return f, kn, nil, fmt.Errorf("not a checkpoint (%v)", err)
	}
	switch {
	case f.Format != checkpointFormat:
		return f, kn, nil, fmt.Errorf("format %q, want %q", f.Format, checkpointFormat)
	case f.Unit != uc.u:
		return f, kn, nil, fmt.Errorf("it is for %s", f.Unit.Name())
	case !f.Grid.Same(uc.c.grid):
		return f, kn, nil, fmt.Errorf("it is for another grid (%s)", gridDiff(f.Grid, uc.c.grid))
	case f.Solves < 0 || f.Iterations < 0 || f.Streak < 0 || !(f.Seconds >= 0):
		return f, kn, nil, errors.New("negative counts")
	case f.Lower != nil && f.Upper != nil && f.Lower.P >= f.Upper.P:
		return f, kn, nil, fmt.Errorf("storable at p = %d but not at p = %d", f.Lower.P, f.Upper.P)
	}
	if err := uc.reachable(f); err != nil {
		return f, kn, nil, err
	}
	kn.Solves, kn.Iterations, kn.Seconds, kn.Streak = f.Solves, f.Iterations, f.Seconds, f.Streak
	var dropped []string
	var err error
	if e := f.Lower; e != nil {
		if kn.AtLower, err = uc.verifyEnd(ctx, e, feasibility.Storable); err != nil {
			f.Lower = nil
			dropped = append(dropped, fmt.Sprintf("the storable end at p = %d (%v)", e.P, err))
		} else {
			kn.Lower = e.P
		}
	}
	if e := f.Upper; e != nil {
		if kn.AtUpper, err = uc.verifyEnd(ctx, e, feasibility.NotStorable); err != nil {
			f.Upper = nil
			dropped = append(dropped, fmt.Sprintf("the not-storable end at p = %d (%v)", e.P, err))
		} else {
			kn.Upper = e.P
		}
	}
	if ctx.Err() != nil {
		return f, kn, nil, ctx.Err()
	}
	if len(dropped) > 0 {
		if f.Lower == nil && f.Upper == nil {
			return f, kn, nil, errors.New(strings.Join(dropped, "; "))
		}
		// The Solves were on both sides: step from the side kept as if its
		// verdict were the only one (the smallest step, the safe guess). The
		// file keeps it (uc.write after the drop), and verdict counts on.
		kn.Streak, f.Streak = 1, 1
	}
	if f.Lower != nil && f.Upper != nil {
		kn.Streak, f.Streak = 0, 0 // two ends: the search bisects, no streak
	}
	return f, kn, dropped, nil
}

// maxCheckpointSolves bounds the verdicts a checkpoint may count: a search
// makes about log2 of its range plus a few (five to six at d = 64..128, a
// few dozen at most with one side of the bracket missing for long); far more
// can only be an edited or corrupted file.
const maxCheckpointSolves = 1000

// reachable refuses counts and end fields that no search of this unit can
// have written (F5 of the red team: "solves": 40 with only a storable end
// made the resumed search step by 2^30 prior widths, to p ~ 3e9, and run
// out of memory on every resume).
//
// With only the storable end, the search stepped up from p >= 2 by at least
// one prior width, doubling with each verdict (feasibility's searchBracket):
// after n verdicts there, Lower >= 2 + w (2^(n-1) - 1), w = ceil(prior
// width). A larger n claims steps the search never took. The end fields a
// record takes as written must be what a verdict gives: finite, seconds and
// iterations >= 0, a solver this lamcap knows. (The margin's size is not
// checked against the certificate: a storable verdict is the W's exact
// check, whatever t* the solver reported beside it.)
func (uc *unitCheckpoint) reachable(f checkpointFile) error {
	switch {
	case f.Solves > maxCheckpointSolves || f.Streak > f.Solves:
		return fmt.Errorf("it counts %d verdicts (streak %d), more than a search makes", f.Solves, f.Streak)
	case math.IsInf(f.Seconds, 0):
		return errors.New("infinite seconds")
	}
	if f.Lower != nil && f.Upper == nil && uc.src != nil {
		n := f.Solves
		if f.Streak > 0 {
			n = f.Streak
		}
		w := math.Max(math.Ceil(feasibility.PriorOf(uc.src).Width), 1)
		if n > 1 && float64(f.Lower.P-2) < w*(math.Ldexp(1, n-1)-1) {
			return fmt.Errorf("it counts %d verdicts on the storable side, which would have passed p = %d (steps of %g doubling)", n, f.Lower.P, w)
		}
	}
	for _, e := range []*checkpointEnd{f.Lower, f.Upper} {
		if e == nil {
			continue
		}
		_, merr := lp.ParseMethod(string(e.Solver))
		switch {
		case e.P < 2:
			return fmt.Errorf("an end at p = %d", e.P)
		case e.Iterations < 0 || !(e.Seconds >= 0) || math.IsInf(e.Seconds, 0) || math.IsNaN(e.Margin) || math.IsInf(e.Margin, 0):
			return fmt.Errorf("the end at p = %d has negative or non-finite counts, seconds or margin", e.P)
		case merr != nil || e.Solver == lp.Auto || e.Solver == "":
			return fmt.Errorf("the end at p = %d names solver %q", e.P, e.Solver)
		}
	}
	return nil
}

// verifyEnd checks that e's certificate is the one this unit's search makes
// at e.P (verdict want, the unit's instance, labels, eps and the data's
// scale) and holds there, and returns its verdict.
func (uc *unitCheckpoint) verifyEnd(ctx context.Context, e *checkpointEnd, want feasibility.Status) (*feasibility.Verdict, error) {
	c, err := certificate.Parse(e.Certificate)
	if err != nil {
		return nil, err
	}
	wantCI := uc.ci
	wantCI.D, wantCI.P, wantCI.SHA256 = uc.u.D, e.P, c.Instance.SHA256 // the hash: Checked compares it
	switch {
	case c.Verdict != string(want):
		return nil, fmt.Errorf("it is a %s certificate", c.Verdict)
	case labelDiff(c.Instance, wantCI) != "":
		return nil, fmt.Errorf("its instance has %s", labelDiff(c.Instance, wantCI))
	case c.SolveEps != uc.eps:
		return nil, fmt.Errorf("its solve_eps is %g, the sweep's eps %g", c.SolveEps, uc.eps)
	}
	in, err := model.NewInstanceContext(ctx, uc.src, e.P)
	if err != nil {
		return nil, err
	}
	v, err := c.Checked(in, uc.eps)
	if err != nil {
		return nil, err
	}
	scale := 0.0
	if v.LambdaCheck != nil {
		scale = v.LambdaCheck.Scale
	} else {
		scale = lp.Scale(in)
	}
	// A not-storable certificate written before each row was checked at its
	// own scale states the data's largest row norm (lp.Scale) instead.
	if c.Scale != scale && (v.LambdaCheck == nil || c.Scale != lp.Scale(in)) {
		return nil, fmt.Errorf("its scale is %g, the data's %g", c.Scale, scale)
	}
	line, err := json.Marshal(c) // what certificate.New's would be: JSON keeps every float64
	if err != nil {
		return nil, err
	}
	e.Certificate, e.check = line, checkOf(v)
	v.Margin, v.Iterations, v.Solver, v.Seconds, v.Attempts = e.Margin, e.Iterations, e.Solver, e.Seconds, 1
	return &v, nil
}

// labelDiff names the first label (model, embedding, seed, user files, d, p)
// in which got differs from want, as "seed 1001, want 7", or is "".
func labelDiff(got, want certificate.Instance) string {
	seed := func(s *int64) string {
		if s == nil {
			return "none"
		}
		return fmt.Sprint(*s)
	}
	for _, l := range []struct{ name, got, want string }{
		{"d", fmt.Sprint(got.D), fmt.Sprint(want.D)}, {"p", fmt.Sprint(got.P), fmt.Sprint(want.P)},
		{"model", got.Model, want.Model}, {"embedding", got.Embedding, want.Embedding},
		{"seed", seed(got.Seed), seed(want.Seed)}, {"inputs", got.Inputs, want.Inputs},
		{"targets", got.Targets, want.Targets}, {"layout", got.Layout, want.Layout},
		{"answers", got.Answers, want.Answers}, {"sha256", got.SHA256, want.SHA256},
	} {
		if l.got != l.want {
			return fmt.Sprintf("%s %q, want %q", l.name, l.got, l.want)
		}
	}
	return ""
}

// saved are the certificate lines of the checkpoint's ends, by p, with their
// checks: attachCertificates takes them as they are.
func (uc *unitCheckpoint) saved() map[int]savedCert {
	m := map[int]savedCert{}
	for _, e := range []*checkpointEnd{uc.file.Lower, uc.file.Upper} {
		if e != nil {
			m[e.P] = savedCert{e.Certificate, e.check}
		}
	}
	return m
}

// verdict records a verdict of the unit's search, made on in (the instance
// the search built), with the disagreements noted so far, and, if it is
// certified, writes the checkpoint with it as an end of the bracket. Nothing
// is rebuilt: the certificate is made on in, checked as 'lamcap verify'
// checks it, and streamed to the file, even when the sweep is being
// cancelled meanwhile (it is the work the checkpoint is there to keep: 2.1 s
// for a decoupled unit at d = 64 under load 9-11 on 2 cores, 4.1 s when it
// rebuilt the instance, growing like p^2 d: tens of seconds at d = 128, see
// TestCheckpointWriteTiming and docs/clusters.md). A
// checkpoint that cannot be written is a warning: the unit goes on, and only
// a later resume loses the verdict.
func (uc *unitCheckpoint) verdict(in *model.Instance, v feasibility.Verdict, disagreements []string) {
	p := in.P
	f := &uc.file
	f.Solves++
	f.Iterations += v.Iterations
	f.Seconds = uc.known.Seconds + time.Since(uc.t0).Seconds()
	f.Disagreements = disagreements
	if uc.c == nil || !v.Certified || v.Status == feasibility.Undecided {
		return
	}
	defer func() {
		if checkpointHook != nil {
			checkpointHook(uc.u, p, v)
		}
	}()
	lower, upper := f.Lower, f.Upper
	if v.Status == feasibility.Storable && (lower != nil && p <= lower.P) || v.Status == feasibility.NotStorable && (upper != nil && p >= upper.P) {
		return // the bracket does not move (the bracketing search never does this)
	}
	line, chk, err := makeCertificate(uc.ci, in, uc.eps, v)
	if err != nil {
		uc.c.warn(fmt.Sprintf("checkpoint of %s at p = %d: %v", uc.u.Name(), p, err))
		return
	}
	e := &checkpointEnd{P: p, Margin: v.Margin, Iterations: v.Iterations, Solver: v.Solver, Seconds: v.Seconds, Certificate: line, check: chk}
	if v.Status == feasibility.Storable {
		f.Lower = e // the end replaced, and its line, are dropped
	} else {
		f.Upper = e
	}
	switch {
	case f.Lower != nil && f.Upper != nil:
		f.Streak = 0
	case f.Streak > 0: // one more verdict on the one end kept since a drop
		f.Streak++
	}
	if err := uc.write(); err != nil {
		uc.c.warn(fmt.Sprintf("checkpoint of %s at p = %d: %v", uc.u.Name(), p, err))
	}
}

// write writes the checkpoint file atomically, streaming the ends'
// certificate lines (writeCheckpoint) rather than copying them into one
// buffer first.
func (uc *unitCheckpoint) write() error {
	if err := os.MkdirAll(uc.c.dir, 0o777); err != nil {
		return err
	}
	return atomicfile.WriteWith(uc.c.path(uc.u), func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<16)
		if err := writeCheckpoint(bw, &uc.file); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// writeCheckpoint writes f as one line of JSON, the bytes json.Marshal(f)
// gives and a newline, but writes each end's certificate line to w as it is
// instead of compacting a copy of it into a buffer that holds the whole file
// (json.Marshal and json.Encoder both do: two extra copies of up to 170 MB
// each at d = 128). The certificate lines are json.Marshal's output already
// (compact, HTML-escaped), so the bytes are the same.
func writeCheckpoint(w io.Writer, f *checkpointFile) error {
	head := *f
	head.Lower, head.Upper = nil, nil
	b, err := json.Marshal(head)
	if err != nil {
		return err
	}
	if _, err := w.Write(b[:len(b)-1]); err != nil { // without its closing brace
		return err
	}
	for _, end := range []struct {
		key string
		e   *checkpointEnd
	}{{"lower", f.Lower}, {"upper", f.Upper}} {
		if end.e == nil {
			continue
		}
		eh := *end.e
		eh.Certificate = nil
		b, err := json.Marshal(eh)
		if err != nil {
			return err
		}
		for _, part := range [][]byte{[]byte(`,"` + end.key + `":`), b[:len(b)-1], []byte(`,"certificate":`), end.e.Certificate, []byte("}")} {
			if _, err := w.Write(part); err != nil {
				return err
			}
		}
	}
	_, err = w.Write([]byte("}\n"))
	return err
}
