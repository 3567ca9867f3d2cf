package experiment

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lamcap/lamcap/certificate"
	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/internal/atomicfile"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// PartialDir is the subdirectory of a sweep directory that holds the
// checkpoints of units under way: partial/d128-coupled-seed7.json for the
// unit d = 128, coupled, seed 7 (CheckpointName). A checkpoint is written
// (atomically) after each certified verdict of a unit's bracketing search and
// holds the bracket so far: the certificates of its ends (storable: W,
// not-storable: lambda, as certificate.New makes them; an interior-point
// lambda weights every row, about 49 bytes of JSON each: 1.8 MB at d = 32,
// some 170 MB at d = 128), the counts of the work that found them, and the
// unit, grid and eps. A unit that starts again (a resumed sweep) verifies
// both certificates on its rebuilt instances and resumes its search from
// them (feasibility.Known); a checkpoint that cannot be read, is for another
// unit or grid, or whose certificates do not hold is renamed to
// NAME.rejected.json with one warning, and its unit starts from scratch. The
// checkpoint is deleted once the unit's record is in records.jsonl. Warm
// searches (the simplex, HiGHS) make no checkpoints: their verdicts cost
// seconds.
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
	Certificate json.RawMessage `json:"certificate"`
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

// remove deletes the checkpoint of a unit whose record is written.
func (c *checkpoints) remove(u Unit) {
	if c == nil {
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

// unitCheckpoint is the checkpoint of one unit under way: what earlier runs
// certified (known), and the file it keeps up to date.
type unitCheckpoint struct {
	c     *checkpoints // nil: nothing is written
	u     Unit
	src   model.Source
	ci    certificate.Instance
	eps   float64
	t0    time.Time
	known feasibility.Known
	file  checkpointFile
	// certs are the certificate lines of the verdicts checkpointed, by p:
	// attachCertificates takes them as they are instead of making them again.
	certs map[int][]byte
}

// checkpointHook, when set, is called after each verdict of a unit has been
// checkpointed: tests use it to cancel at a known point (no sleeps).
var checkpointHook func(u Unit, p int, v feasibility.Verdict)

// start returns the checkpoint of unit u on source src, with what an earlier
// run certified if its checkpoint is there and holds. Only a cancellation of
// ctx is an error: a checkpoint that is not to be trusted is set aside with a
// warning and the unit starts from scratch.
func (c *checkpoints) start(ctx context.Context, u Unit, src model.Source, embed model.Embedding, user *UserData, eps float64) (*unitCheckpoint, error) {
	uc := &unitCheckpoint{c: c, u: u, src: src, eps: eps, t0: time.Now(), certs: map[int][]byte{},
		ci: certInstance(u, embed, user)}
	if c == nil {
		return uc, nil
	}
	uc.file = checkpointFile{Format: checkpointFormat, Grid: c.grid, Unit: u}
	b, err := os.ReadFile(c.path(u))
	if errors.Is(err, fs.ErrNotExist) {
		return uc, nil
	}
	if err == nil {
		var f checkpointFile
		var kn feasibility.Known
		if f, kn, err = uc.read(ctx, b); err == nil {
			uc.file, uc.known = f, kn
			return uc, nil
		}
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	uc.certs = map[int][]byte{}
	rejected := strings.TrimSuffix(c.path(u), ".json") + ".rejected.json"
	if rerr := os.Rename(c.path(u), rejected); rerr != nil {
		c.warn(fmt.Sprintf("checkpoint %s: %v; setting it aside failed (%v); %s starts from scratch", c.path(u), err, rerr, u.Name()))
		return uc, nil
	}
	c.warn(fmt.Sprintf("checkpoint %s: %v; moved to %s, %s starts from scratch", c.path(u), err, filepath.Base(rejected), u.Name()))
	return uc, nil
}

// read parses a checkpoint and verifies its certificates on the instances
// rebuilt from the unit's seed.
func (uc *unitCheckpoint) read(ctx context.Context, b []byte) (checkpointFile, feasibility.Known, error) {
	var f checkpointFile
	var kn feasibility.Known
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return f, kn, fmt.Errorf("not a checkpoint (%v)", err)
	}
	switch {
	case f.Format != checkpointFormat:
		return f, kn, fmt.Errorf("format %q, want %q", f.Format, checkpointFormat)
	case f.Unit != uc.u:
		return f, kn, fmt.Errorf("it is for %s", f.Unit.Name())
	case !f.Grid.Same(uc.c.grid):
		return f, kn, fmt.Errorf("it is for another grid (%s)", gridDiff(f.Grid, uc.c.grid))
	case f.Solves < 0 || f.Iterations < 0 || !(f.Seconds >= 0):
		return f, kn, errors.New("negative counts")
	case f.Lower != nil && f.Upper != nil && f.Lower.P >= f.Upper.P:
		return f, kn, fmt.Errorf("storable at p = %d but not at p = %d", f.Lower.P, f.Upper.P)
	}
	kn.Solves, kn.Iterations, kn.Seconds = f.Solves, f.Iterations, f.Seconds
	verdict := func(e *checkpointEnd, want feasibility.Status) (*feasibility.Verdict, error) {
		c, err := certificate.Parse(e.Certificate)
		if err != nil {
			return nil, fmt.Errorf("the %s certificate at p = %d: %w", want, e.P, err)
		}
		if c.Verdict != string(want) || c.Instance.P != e.P || c.Instance.D != uc.u.D {
			return nil, fmt.Errorf("the certificate at p = %d is a %s one for d = %d, p = %d", e.P, c.Verdict, c.Instance.D, c.Instance.P)
		}
		in, err := model.NewInstanceContext(ctx, uc.src, e.P)
		if err != nil {
			return nil, err
		}
		v, err := c.Checked(in, uc.eps)
		if err != nil {
			return nil, fmt.Errorf("the %s certificate at p = %d: %w", want, e.P, err)
		}
		v.Margin, v.Iterations, v.Solver, v.Seconds, v.Attempts = e.Margin, e.Iterations, e.Solver, e.Seconds, 1
		uc.certs[e.P] = e.Certificate
		return &v, nil
	}
	var err error
	if e := f.Lower; e != nil {
		if kn.AtLower, err = verdict(e, feasibility.Storable); err != nil {
			return f, kn, err
		}
		kn.Lower = e.P
	}
	if e := f.Upper; e != nil {
		if kn.AtUpper, err = verdict(e, feasibility.NotStorable); err != nil {
			return f, kn, err
		}
		kn.Upper = e.P
	}
	return f, kn, nil
}

// verdict records a verdict of the unit's search (made at p, with the
// disagreements noted so far) and, if it is certified, writes the checkpoint
// with it as an end of the bracket. The certificate is made and written even
// when ctx is cancelled meanwhile: it is the work the checkpoint is there to
// keep (a few seconds at d = 128, within Slurm's 30 s after SIGTERM). A
// checkpoint that cannot be written is a warning: the unit goes on, and only
// a later resume loses the verdict.
func (uc *unitCheckpoint) verdict(ctx context.Context, p int, v feasibility.Verdict, disagreements []string) {
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
	in, err := model.NewInstanceContext(context.WithoutCancel(ctx), uc.src, p)
	if err != nil {
		uc.c.warn(fmt.Sprintf("checkpoint of %s at p = %d: %v", uc.u.Name(), p, err))
		return
	}
	c, err := certificate.New(uc.ci, in, uc.eps, v)
	var b []byte
	if err == nil {
		b, err = json.Marshal(c)
	}
	if err != nil {
		uc.c.warn(fmt.Sprintf("checkpoint of %s at p = %d: %v", uc.u.Name(), p, err))
		return
	}
	e := &checkpointEnd{P: p, Margin: v.Margin, Iterations: v.Iterations, Solver: v.Solver, Seconds: v.Seconds, Certificate: b}
	if v.Status == feasibility.Storable {
		f.Lower = e
	} else {
		f.Upper = e
	}
	uc.certs[p] = b
	out, err := json.Marshal(f)
	if err == nil {
		if err = os.MkdirAll(uc.c.dir, 0o777); err == nil {
			err = atomicfile.Write(uc.c.path(uc.u), append(out, '\n'))
		}
	}
	if err != nil {
		uc.c.warn(fmt.Sprintf("checkpoint of %s at p = %d: %v", uc.u.Name(), p, err))
	}
}
