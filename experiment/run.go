package experiment

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"

	"github.com/lamcap/lamcap/certificate"
	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/internal/atomicfile"
	"github.com/lamcap/lamcap/internal/buildinfo"
	"github.com/lamcap/lamcap/internal/ranges"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
	"github.com/lamcap/lamcap/stats"
)

// Grid is what a sweep computes: the critical size of every (d, model, seed).
// Everything in it must match for two runs to share a sweep directory; shards of
// one grid share it by construction.
type Grid struct {
	Version   int             `json:"version"`
	Ds        []int           `json:"d"`
	Models    []model.Model   `json:"models"`
	SeedFirst int64           `json:"seed_first"`
	SeedLast  int64           `json:"seed_last"`
	Embedding model.Embedding `json:"embedding"`
	Rows      lp.Rows         `json:"rows"`
	// Solver is the lp.Method (auto, simplex, ipm, highs; empty means auto).
	// Like Rows it says how, not what, a sweep computes: a resumed sweep
	// accepts records from any solver.
	Solver     lp.Method `json:"solver,omitempty"`
	Eps        float64   `json:"eps"`
	InitialPer int       `json:"initial_rows"`
	AddPer     int       `json:"add_rows"`
	// Kappa > 0 asks for the largest p storable with margin kappa (unit-variance
	// normalisation), from certified max-margin values, instead of kappa = 0.
	Kappa float64 `json:"kappa,omitempty"`
	// DigestsOnly keeps only the SHA-256 digests of the certificates in the
	// records, not the certificates in certificates.jsonl: at large d an
	// interior-point not-storable certificate weights every one of the
	// p(p-1) rows (65 MB at d = 96), too much to keep for a sweep. Records of
	// such a directory are read as written: nothing checks them but a re-run.
	DigestsOnly bool `json:"digests_only,omitempty"`
	// Inputs, Targets and Layout name the arrays of a user embedding
	// (Embedding model.User; see UserData): the files by absolute path and
	// the SHA-256 of their bytes, and whether they hold a vector per row or
	// per column. A sweep directory is resumed or merged only with files of
	// those bytes.
	Inputs  *DataFile `json:"inputs,omitempty"`
	Targets *DataFile `json:"targets,omitempty"`
	Layout  string    `json:"layout,omitempty"`
	// At, if set, makes the grid a verdict grid: one certified verdict per
	// unit at the p fixed in advance for its (d, model), not a p* (see
	// VerdictPoint and VerdictOf). Grids without it are p* grids.
	At []VerdictPoint `json:"verdict_at,omitempty"`
}

// GridVersion is the version of grid.json this lamcap writes. Version 2
// directories require every record to carry its certificates (see Record);
// version 1 directories, of an older lamcap, are read and resumed as they are.
// Grid.Same does not compare versions: records of both are comparable.
const GridVersion = 2

// oldestGridVersion is the oldest version of grid.json this lamcap reads.
const oldestGridVersion = 1

// Unit is one instance family of a sweep.
type Unit struct {
	D     int         `json:"d"`
	Model model.Model `json:"model"`
	Seed  int64       `json:"seed"`
}

// Units lists the grid's units in a fixed order: d, then model, then seed,
// each ascending, whatever the order of the grid's lists (shards depend on it).
func (g Grid) Units() []Unit {
	g = g.canonical()
	var out []Unit
	if g.SeedFirst < 0 || g.SeedLast < g.SeedFirst || g.SeedLast > ranges.MaxSeed {
		return nil // not a grid (Grid.check)
	}
	for _, d := range g.Ds {
		for _, m := range g.Models {
			// Counted, not compared: s <= SeedLast never fails at the int64 maximum.
			for i := int64(0); i <= g.SeedLast-g.SeedFirst; i++ {
				out = append(out, Unit{d, m, g.SeedFirst + i})
			}
		}
	}
	return out
}

// Contains reports whether u is a unit of the grid.
func (g Grid) Contains(u Unit) bool {
	return slices.Contains(g.Ds, u.D) && slices.Contains(g.Models, u.Model) && u.Seed >= g.SeedFirst && u.Seed <= g.SeedLast
}

// Shard returns the deterministic k-th of n slices of units (k = 1..n): unit i
// goes to shard i mod n + 1, which balances sizes across shards.
func Shard(units []Unit, k, n int) []Unit {
	var out []Unit
	for i, u := range units {
		if i%n == k-1 {
			out = append(out, u)
		}
	}
	return out
}

// Record is the durable result of one unit.
type Record struct {
	Unit
	Embedding model.Embedding `json:"embedding"`
	// ForKappa and Eps are the settings the record was computed with, so that
	// a line read out of its directory says what it is: the margin kappa its
	// p* is for (0: plain storability), and the relative eps of its
	// not-storable verdicts (a residual at most Eps times the scale of the
	// rows lambda weighs, lp.NotStorableCheck; EpsScale is that scale at
	// Upper; records of an older lamcap state the data's largest row norm,
	// lp.Scale). Records of an older lamcap
	// lack them; reading fills kappa and eps from the directory's grid.json
	// (ParseRecord), and a record whose own differ from the grid's is refused.
	ForKappa  float64 `json:"kappa"`
	Eps       float64 `json:"eps"`
	PStar     int     `json:"p_star"`
	Certified bool    `json:"certified"`
	Lower     int     `json:"lower"`
	Upper     int     `json:"upper"`
	// MarginAtP is the solver's t at p*: the optimal margin t* for the
	// simplex and HiGHS, but for the interior-point method's sign-only
	// verdicts the t of the first certified iterate, only a lower bound on t*
	// (the name is kept for older records). The certified smallest margin of
	// the W is MinMargin.
	MarginAtP float64 `json:"margin_at_p_star"`
	// Residual is |A^T lambda|_1 / sum(lambda) of the not-storable certificate
	// at Upper, as checking the certificate the record names computes it (what
	// 'lamcap verify' prints for it), in records of this lamcap; older ones hold
	// the solver's lambda before the certificate normalised it.
	Residual   float64 `json:"residual_at_p_star_plus_1"`
	Solves     int     `json:"solves"`
	Undecided  int     `json:"undecided_verdicts"`
	Iterations int     `json:"iterations"`
	Seconds    float64 `json:"seconds"`
	Note       string  `json:"note,omitempty"`
	// Solver names the solvers whose certificates decided p* and p*+1 ("ipm",
	// "simplex", "highs", or two joined by "+" when they differ).
	Solver string `json:"solver,omitempty"`

	// The fields below are optional: records of an older lamcap lack them.

	// Certificates names, by SHA-256, the lines of certificates.jsonl that
	// hold the certificates of the verdicts at Lower (storable: W) and Upper
	// (not-storable: lambda), in the format of 'lamcap verify'. Reading a
	// record checks them on the rebuilt instances (see ParseRecords).
	Certificates *RecordCertificates `json:"certificates,omitempty"`
	// The check values below (MinMargin to EpsScale) are those of the
	// certificates the record names, computed by checking them (certificate
	// Checked), so that a resumed unit and an uninterrupted one agree.
	//
	// MinMargin and MinSlack are the storable certificate's smallest
	// recomputed margin and smallest margin less its rounding bound (> 0);
	// Kappa is its margin in unit-variance normalisation.
	MinMargin float64 `json:"storable_min_margin,omitempty"`
	MinSlack  float64 `json:"storable_min_slack,omitempty"`
	Kappa     float64 `json:"storable_kappa,omitempty"`
	// KappaBound bounds every |W|_F = d memory's margin at Upper (from lambda,
	// rounding included); LambdaRows is the number of rows lambda weights.
	KappaBound float64 `json:"not_storable_kappa_bound,omitempty"`
	LambdaRows int     `json:"not_storable_rows,omitempty"`
	// IterationsAtLower and IterationsAtUpper are the solver iterations of the
	// two certified verdicts.
	IterationsAtLower int `json:"iterations_at_lower,omitempty"`
	IterationsAtUpper int `json:"iterations_at_upper,omitempty"`
	// EpsScale is the scale of the rows the not-storable certificate at Upper
	// weighs (lp.NotStorableCheck.Scale; lp.Scale in records of an older
	// lamcap), the unit of Eps: Residual <= Eps * EpsScale.
	EpsScale float64 `json:"eps_scale,omitempty"`
	// Disagreements lists the verdicts of the search at which a solver's
	// not-storable certificate was overruled by another solver's storable one
	// (feasibility.Verdict.Disagreement), each as "p = N: why".
	Disagreements []string `json:"disagreements,omitempty"`
	// Revision is the VCS revision of the lamcap build that computed the
	// record (internal/buildinfo), so that a report can tell which engine
	// made which record; absent in records of an older lamcap and in builds
	// that recorded no revision (test binaries among them). Merging shards
	// keeps each record's own.
	Revision string `json:"revision,omitempty"`

	// certs are the certificate lines the digests name, when the record was
	// computed or read with them (a store appends them beside the record).
	certs []certLine
}

// RecordCertificates are the SHA-256 digests (lowercase hex) of a record's
// certificate lines; a verdict that is not there has "".
type RecordCertificates struct {
	Storable    string `json:"storable,omitempty"`
	NotStorable string `json:"not_storable,omitempty"`
}

// engineRevision is the running build's VCS revision for Record.Revision, or
// "" when the build recorded none.
func engineRevision() string {
	if _, rev := buildinfo.Version(); rev != "unknown" {
		return rev
	}
	return ""
}

// NewRecord turns a threshold into a record.
func NewRecord(u Unit, embedding model.Embedding, th feasibility.Threshold) Record {
	r := Record{Unit: u, Embedding: embedding, PStar: th.PStar, Certified: th.Certified,
		Lower: th.Lower, Upper: th.Upper, Solves: th.Solves, Undecided: th.Undecided,
		Iterations: th.Iterations, Seconds: th.Seconds, Note: th.Note, Revision: engineRevision()}
	if th.AtLower != nil {
		r.MarginAtP = th.AtLower.Margin
		r.IterationsAtLower = th.AtLower.Iterations
		if c := th.AtLower.WCheck; c != nil {
			r.MinMargin, r.MinSlack, r.Kappa = c.MinMargin, c.MinSlack, c.Kappa
		}
	}
	if th.AtUpper != nil {
		r.IterationsAtUpper = th.AtUpper.Iterations
		r.LambdaRows = len(th.AtUpper.Lambda)
		if c := th.AtUpper.LambdaCheck; c != nil {
			r.Residual, r.KappaBound, r.EpsScale = c.Residual, c.KappaBound, c.Scale
		}
	}
	r.Solver = th.Solvers()
	return r
}

// attachCertificates makes the certificates of th's verdicts at Lower and
// Upper on src (random instances of seed u.Seed, or the user's arrays, which
// the certificates then name by file) and names them in r. A certificate line
// in saved (by p: the unit's checkpoint made it) is taken as it is. The
// record's check values (storable: MinMargin, MinSlack, Kappa; not storable:
// Residual, KappaBound, EpsScale, LambdaRows) are then those of the
// certificates it names, as 'lamcap verify' computes them, rather than those
// of the solver's evidence before it was normalised for saving. It stops
// with ctx's error when ctx is done (the instances take seconds at d = 96).
func (r *Record) attachCertificates(ctx context.Context, src model.Source, embed model.Embedding, user *UserData, eps float64, th feasibility.Threshold, saved map[int]savedCert) error {
	ci := certInstance(r.Unit, embed, user)
	add := func(p int, v *feasibility.Verdict) (string, *certCheck, error) {
		if p <= 0 || v == nil {
			return "", nil, nil
		}
		s, ok := saved[p]
		if !ok {
			in, err := model.NewInstanceContext(ctx, src, p)
			if err != nil {
				return "", nil, err
			}
			if s.line, s.check, err = makeCertificate(ci, in, eps, *v); err != nil {
				return "", nil, fmt.Errorf("certificate at p=%d: %w", p, err)
			}
		}
		l := newCertLine(s.line)
		r.certs = append(r.certs, l)
		return l.sum, &s.check, nil
	}
	var rc RecordCertificates
	var err error
	var c *certCheck
	if rc.Storable, c, err = add(r.Lower, th.AtLower); err != nil {
		return err
	}
	if c != nil {
		r.MinMargin, r.MinSlack, r.Kappa = c.MinMargin, c.MinSlack, c.Kappa
	}
	if rc.NotStorable, c, err = add(r.Upper, th.AtUpper); err != nil {
		return err
	}
	if c != nil {
		r.Residual, r.KappaBound, r.EpsScale, r.LambdaRows = c.Residual, c.KappaBound, c.Scale, c.Rows
	}
	if rc != (RecordCertificates{}) {
		r.Certificates = &rc
	}
	return nil
}

// makeCertificate is the certificate line of verdict v on in, which ci names
// (certificate.New: the evidence normalised for saving), with what its own
// check gives (certificate.Checked, as 'lamcap verify' checks the line: JSON
// keeps every float64 exactly, so checking the certificate is checking its
// line). Normalising again moves a residual near the tolerance: a line that
// no longer holds is an error, never saved.
func makeCertificate(ci certificate.Instance, in *model.Instance, eps float64, v feasibility.Verdict) ([]byte, certCheck, error) {
	c, err := certificate.New(ci, in, eps, v)
	if err != nil {
		return nil, certCheck{}, err
	}
	cv, err := c.Checked(in, eps)
	if err != nil {
		return nil, certCheck{}, fmt.Errorf("the %s certificate made of the verdict does not hold: %w", v.Status, err)
	}
	b, err := json.Marshal(c)
	return b, checkOf(cv), err
}

// certInstance names the instance of unit u in its certificates: the model,
// the embedding and the seed, or the user's files (a certificate of user data
// names the arrays, not a seed). The unit's checkpoint and its record name it
// alike, so a certificate carried over from a checkpoint has the digest a
// fresh one would.
func certInstance(u Unit, embed model.Embedding, user *UserData) certificate.Instance {
	seed := u.Seed
	ci := certificate.Instance{Model: u.Model.String(), Embedding: embed.String(), Seed: &seed}
	if user != nil {
		ci.Seed, ci.Inputs, ci.Targets, ci.Layout = nil, user.Inputs.Path, user.Targets.Path, user.Layout
	}
	return ci
}

// SortRecords orders records by d, model, seed.
func SortRecords(rs []Record) {
	sort.Slice(rs, func(i, j int) bool {
		a, b := rs[i].Unit, rs[j].Unit
		if a.D != b.D {
			return a.D < b.D
		}
		if a.Model != b.Model {
			return a.Model.String() < b.Model.String()
		}
		return a.Seed < b.Seed
	})
}

// WriteFileAtomic writes data to path atomically (see package atomicfile).
func WriteFileAtomic(path string, data []byte) error { return atomicfile.Write(path, data) }

// runConfig is how every unit of one sweep is computed: the typed settings of
// a Sweep with its defaults applied.
type runConfig struct {
	embed model.Embedding
	user  *UserData // the arrays of a user embedding (nil: drawn from seeds)
	kappa float64
	eps   float64
	lp    lp.Options
	// start gives the first p of a unit's search before enough units of its
	// (d, model) have finished to start at their median (0: the search's own).
	start func(u Unit) int
	// checkpoints keeps the units' checkpoints (nil: none; see PartialDir).
	checkpoints *checkpoints
	// at, for a verdict sweep (Sweep.At), is the p of each (d, model)'s
	// verdict; nil for a p* sweep.
	at map[unitKey]int
}

// runUnits computes every unit of units that sink does not have yet, with
// workers goroutines each owning its own solvers. Finished units are appended to
// the sink as they finish. The first error (a unit that fails, or a record that
// cannot be written) cancels the other workers at once and is returned; on
// cancellation of ctx in-flight units are discarded and runUnits returns the
// context's error. Either way every unit finished before is kept, and so are
// the verdicts of in-flight units of a Store (their checkpoints, PartialDir).
func runUnits(ctx context.Context, sink sink, units []Unit, cfg runConfig, workers int, progress func(done, total int, workDone float64)) error {
	cfg.checkpoints = newCheckpoints(sink, cfg)
	cfg.checkpoints.prune(units, sink.Done)
	var todo []Unit
	for _, u := range units {
		if !sink.Done(u) {
			todo = append(todo, u)
		}
	}
	// Seed-major order: the models of one (d, seed) run next to each other, so
	// that a sweep stopped part way holds whole pairs (the paired statistics
	// need both models of a seed). Units and shards keep the grid's order.
	slices.SortStableFunc(todo, func(a, b Unit) int {
		return cmp.Or(cmp.Compare(a.D, b.D), cmp.Compare(a.Seed, b.Seed))
	})
	total, done := len(units), len(units)-len(todo)
	var allWork, doneWork float64
	for _, u := range units {
		allWork += UnitCost(u.D)
		if sink.Done(u) {
			doneWork += UnitCost(u.D)
		}
	}
	if progress != nil {
		progress(done, total, doneWork/allWork)
	}
	workers = max(workers, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan Unit)
	type result struct {
		rec Record
		err error
	}
	results := make(chan result)
	starts := newStartTracker(sink.Records())
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range jobs {
				if ctx.Err() != nil {
					continue
				}
				start := starts.start(u)
				if start == 0 && cfg.start != nil {
					start = cfg.start(u)
				}
				rec, err := computeUnit(ctx, cfg, u, start)
				results <- result{rec, err}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, u := range todo {
			select {
			case jobs <- u:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	var firstErr error
	fail := func(err error) {
		if firstErr == nil {
			firstErr = err
			cancel()
		}
	}
	for r := range results {
		if r.err != nil {
			// A unit cut short by the cancellation is not an error of its own.
			if ctx.Err() == nil {
				fail(fmt.Errorf("%s: %w", r.rec.Unit.Name(), r.err))
			}
			continue
		}
		if err := sink.Append(r.rec); err != nil {
			fail(err)
			continue
		}
		cfg.checkpoints.remove(r.rec.Unit)
		starts.add(r.rec)
		done++
		doneWork += UnitCost(r.rec.D)
		if progress != nil {
			progress(done, total, doneWork/allWork)
		}
	}
	cfg.checkpoints.tidy()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// sink is where finished units go: a Store, or memory.
type sink interface {
	Done(u Unit) bool
	Append(r Record) error
	Records() []Record
}

// recordSet holds the finished records of a sweep, safe for concurrent use:
// the in-memory sink, and the index of a Store.
type recordSet struct {
	mu      sync.Mutex
	records map[Unit]Record
}

// Record returns the record of a unit, if there is one.
func (s *recordSet) Record(u Unit) (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.records[u]
	return r, ok
}

// Done reports whether a unit has a record.
func (s *recordSet) Done(u Unit) bool {
	_, ok := s.Record(u)
	return ok
}

// Records returns the finished records in unit order.
func (s *recordSet) Records() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Record, 0, len(s.records))
	for _, r := range s.records {
		out = append(out, r)
	}
	SortRecords(out)
	return out
}

// memory is the sink of an in-memory sweep.
type memory struct{ recordSet }

func (m *memory) Append(r Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.records[r.Unit] = r
	return nil
}

// computeUnit finds the threshold of one unit, starting at p = start (0: the
// default guess). Tests replace it to count units or make them fail.
var computeUnit = func(ctx context.Context, cfg runConfig, u Unit, start int) (Record, error) {
	if cfg.at != nil {
		return computeVerdict(ctx, cfg, u, cfg.at[key(u)])
	}
	rec := Record{Unit: u}
	var src model.Source = model.Random{D: u.D, Seed: uint64(u.Seed), Kind: u.Model, Embed: cfg.embed}
	if cfg.user != nil {
		src = cfg.user.Source()
	}
	var th feasibility.Threshold
	var err error
	lpo := cfg.lp
	lpo.Eps = cfg.eps
	var disagreements []string
	var ck *unitCheckpoint
	if cfg.kappa > 0 {
		th, err = feasibility.FindKappaThreshold(ctx, src, cfg.kappa, max(start, 2), lpo)
	} else {
		// A bracketing search resumes from the unit's checkpoint and keeps it.
		var cks *checkpoints
		if feasibility.Brackets(src, lpo) {
			cks = cfg.checkpoints
		}
		if ck, err = cks.start(ctx, u, src, cfg.embed, cfg.user, cfg.eps); err != nil {
			return rec, err
		}
		disagreements = ck.file.Disagreements
		onVerdict := func(p int, v feasibility.Verdict) {
			if v.Disagreement != "" {
				disagreements = append(disagreements, fmt.Sprintf("p = %d: %s", p, v.Disagreement))
			}
		}
		onInstance := func(in *model.Instance, v feasibility.Verdict) { ck.verdict(in, v, disagreements) }
		th, err = feasibility.FindThreshold(ctx, src, feasibility.ThresholdOptions{LP: lpo, Eps: cfg.eps, Start: start,
			OnVerdict: onVerdict, OnVerdictInstance: onInstance, Known: ck.known})
	}
	if err != nil {
		return rec, err
	}
	rec = NewRecord(u, cfg.embed, th)
	rec.ForKappa, rec.Eps, rec.Disagreements = cfg.kappa, cfg.eps, disagreements
	if cfg.kappa == 0 { // at kappa > 0 the verdicts are about kappa*, not storability
		if err := rec.attachCertificates(ctx, src, cfg.embed, cfg.user, cfg.eps, th, ck.saved()); err != nil {
			return rec, err
		}
	}
	return rec, nil
}

// UnitCost is the relative expected time of one threshold search in dimension d,
// measured to grow like d^6 on Gaussian instances (0.15 s at d = 10, 3 s at d = 16).
func UnitCost(d int) float64 { return math.Pow(float64(d), 6) }

// startTracker starts each search just below the median p* of the finished units
// of the same (d, model), once a few are in; the start never changes a p*, only
// how long finding it takes.
type startTracker struct {
	mu sync.Mutex
	by map[unitKey][]float64
}

func newStartTracker(rs []Record) *startTracker {
	t := &startTracker{by: map[unitKey][]float64{}}
	for _, r := range rs {
		t.add(r)
	}
	return t
}

// unitKey is a (d, model) of the start tracker.
type unitKey struct {
	d int
	m model.Model
}

func key(u Unit) unitKey { return unitKey{u.D, u.Model} }

func (t *startTracker) add(r Record) {
	if !r.Certified {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.by[key(r.Unit)] = append(t.by[key(r.Unit)], float64(r.PStar))
}

func (t *startTracker) start(u Unit) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	ps := t.by[key(u)]
	if len(ps) < 3 {
		return 0
	}
	s := int(stats.Median(ps)) - 1
	if s < 2 {
		s = 2
	}
	return s
}
