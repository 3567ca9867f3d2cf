package feasibility

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"sync"

	"github.com/lamcap/lamcap/internal/atomicfile"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// Grid is what a sweep computes: the critical size of every (d, model, seed).
// Everything in it must match for two runs to share a sweep directory; shards of
// one grid share it by construction.
type Grid struct {
	Version    int      `json:"version"`
	Ds         []int    `json:"d"`
	Models     []string `json:"models"`
	SeedFirst  int64    `json:"seed_first"`
	SeedLast   int64    `json:"seed_last"`
	Embedding  string   `json:"embedding"`
	Rows       string   `json:"rows"`
	Eps        float64  `json:"eps"`
	InitialPer int      `json:"initial_rows"`
	AddPer     int      `json:"add_rows"`
	// Kappa > 0 asks for the largest p storable with margin kappa (unit-variance
	// normalisation), from certified max-margin values, instead of kappa = 0.
	Kappa float64 `json:"kappa,omitempty"`
}

// GridVersion changes when records of an older lamcap are no longer comparable.
const GridVersion = 1

// Unit is one instance family of a sweep.
type Unit struct {
	D     int    `json:"d"`
	Model string `json:"model"`
	Seed  int64  `json:"seed"`
}

// Units lists the grid's units in a fixed order: d, then model, then seed.
func (g Grid) Units() []Unit {
	var out []Unit
	for _, d := range g.Ds {
		for _, m := range g.Models {
			for s := g.SeedFirst; s <= g.SeedLast; s++ {
				out = append(out, Unit{d, m, s})
			}
		}
	}
	return out
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
	Embedding  string  `json:"embedding"`
	PStar      int     `json:"p_star"`
	Certified  bool    `json:"certified"`
	Lower      int     `json:"lower"`
	Upper      int     `json:"upper"`
	MarginAtP  float64 `json:"margin_at_p_star"`
	Residual   float64 `json:"residual_at_p_star_plus_1"`
	Solves     int     `json:"solves"`
	Undecided  int     `json:"undecided_verdicts"`
	Iterations int     `json:"iterations"`
	Seconds    float64 `json:"seconds"`
	Note       string  `json:"note,omitempty"`
}

// NewRecord turns a threshold into a record.
func NewRecord(u Unit, embedding string, th Threshold) Record {
	r := Record{Unit: u, Embedding: embedding, PStar: th.PStar, Certified: th.Certified,
		Lower: th.Lower, Upper: th.Upper, Solves: th.Solves, Undecided: th.Undecided,
		Iterations: th.Iterations, Seconds: th.Seconds, Note: th.Note}
	if th.Storable != nil {
		r.MarginAtP = th.Storable.Margin
	}
	if th.NotStorable != nil && th.NotStorable.NotStorable != nil {
		r.Residual = th.NotStorable.NotStorable.Residual
	}
	return r
}

// Store is a sweep directory: grid.json fixes the grid, records.jsonl holds one
// JSON line per finished unit, appended and fsynced as soon as the unit finishes.
// A line cut short by a crash (kill -9 during a write) is dropped when the store is
// opened again; everything before it is kept, so no finished unit is lost or
// duplicated.
type Store struct {
	Dir     string
	Grid    Grid
	mu      sync.Mutex
	f       *os.File
	records map[Unit]Record
}

const (
	gridFile    = "grid.json"
	recordsFile = "records.jsonl"
)

// OpenStore opens (or creates) a sweep directory for grid g. It refuses a
// directory that holds a different grid. The solver's choices (Rows, InitialPer,
// AddPer) may differ: a certified p* does not depend on them, so a sweep can be
// resumed with another solver; grid.json keeps the first run's.
func OpenStore(dir string, g Grid) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("sweep directory: %w", err)
	}
	gp := filepath.Join(dir, gridFile)
	if b, err := os.ReadFile(gp); err == nil {
		var old Grid
		if err := json.Unmarshal(b, &old); err != nil {
			return nil, fmt.Errorf("%s: %w", gp, err)
		}
		if !reflect.DeepEqual(withoutSolver(old), withoutSolver(g)) {
			return nil, fmt.Errorf("%s holds a different sweep (%s); use another --out directory", dir, gridDiff(old, g))
		}
	} else if errors.Is(err, os.ErrNotExist) {
		b, _ := json.MarshalIndent(g, "", "  ")
		if err := WriteFileAtomic(gp, append(b, '\n')); err != nil {
			return nil, err
		}
	} else {
		return nil, err
	}
	s := &Store{Dir: dir, Grid: g, records: map[Unit]Record{}}
	rp := filepath.Join(dir, recordsFile)
	recs, good, err := readRecords(rp)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if _, dup := s.records[r.Unit]; !dup {
			s.records[r.Unit] = r
		}
	}
	f, err := os.OpenFile(rp, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("records: %w", err)
	}
	// Cut a torn last line so that new lines start clean.
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, fmt.Errorf("records: %w", err)
	}
	if _, err := f.Seek(good, 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("records: %w", err)
	}
	s.f = f
	return s, nil
}

// withoutSolver blanks the fields that choose how, not what, a sweep computes.
func withoutSolver(g Grid) Grid {
	g.Rows, g.InitialPer, g.AddPer = "", 0, 0
	return g
}

func gridDiff(a, b Grid) string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := 0; i < va.NumField(); i++ {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			return fmt.Sprintf("%s was %v, now %v", va.Type().Field(i).Tag.Get("json"), va.Field(i).Interface(), vb.Field(i).Interface())
		}
	}
	return "same"
}

// readRecords reads complete lines and returns the byte length they span.
func readRecords(path string) ([]Record, int64, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("records: %w", err)
	}
	var out []Record
	var good int64
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			break // torn last line
		}
		var r Record
		if err := json.Unmarshal(b[:i], &r); err != nil {
			break // a torn line followed by nothing valid
		}
		out = append(out, r)
		good += int64(i + 1)
		b = b[i+1:]
	}
	return out, good, nil
}

// ReadRecords returns the finished records of a sweep directory.
func ReadRecords(dir string) ([]Record, Grid, error) {
	var g Grid
	b, err := os.ReadFile(filepath.Join(dir, gridFile))
	if err != nil {
		return nil, g, fmt.Errorf("%s is not a sweep directory: %w", dir, err)
	}
	if err := json.Unmarshal(b, &g); err != nil {
		return nil, g, fmt.Errorf("%s: %w", filepath.Join(dir, gridFile), err)
	}
	recs, _, err := readRecords(filepath.Join(dir, recordsFile))
	return recs, g, err
}

// Done reports whether a unit has a record.
func (s *Store) Done(u Unit) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.records[u]
	return ok
}

// Records returns the finished records in unit order.
func (s *Store) Records() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Record, 0, len(s.records))
	for _, r := range s.records {
		out = append(out, r)
	}
	SortRecords(out)
	return out
}

// SortRecords orders records by d, model, seed.
func SortRecords(rs []Record) {
	sort.Slice(rs, func(i, j int) bool {
		a, b := rs[i].Unit, rs[j].Unit
		if a.D != b.D {
			return a.D < b.D
		}
		if a.Model != b.Model {
			return a.Model < b.Model
		}
		return a.Seed < b.Seed
	})
}

// Append writes one record durably (write, then fsync).
func (s *Store) Append(r Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.records[r.Unit]; dup {
		return nil
	}
	if _, err := s.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("writing record: %w", err)
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("syncing records: %w", err)
	}
	s.records[r.Unit] = r
	return nil
}

// Close closes the records file.
func (s *Store) Close() error { return s.f.Close() }

// WriteFileAtomic writes data to path atomically (see package atomicfile).
func WriteFileAtomic(path string, data []byte) error { return atomicfile.Write(path, data) }

// RunOptions control how a sweep runs (not what it computes).
type RunOptions struct {
	Workers int
	// Progress, if set, is called after each finished unit with the units done and
	// in all, and the fraction of the expected work done (units weighted by
	// UnitCost), which gives a far better ETA than the unit count.
	Progress func(done, total int, workDone float64)
	// Start, if set, gives the first p to try for a unit before enough units of
	// its (d, model) have finished to start at their median.
	Start func(u Unit) int
}

// Run computes every unit of units that the store does not have yet, with
// opts.Workers goroutines each owning its own HiGHS models. Finished units are
// appended to the store as they finish. On cancellation in-flight units are
// discarded and Run returns the context's error after the finished ones are saved.
func Run(ctx context.Context, st *Store, units []Unit, opts RunOptions) error {
	g := st.Grid
	embed, err := model.ParseEmbedding(g.Embedding)
	if err != nil {
		return err
	}
	rows, err := lp.ParseRows(g.Rows)
	if err != nil {
		return err
	}
	lpo := lp.Options{Rows: rows, InitialPerMu: g.InitialPer, AddPerMu: g.AddPer}
	var todo []Unit
	for _, u := range units {
		if !st.Done(u) {
			todo = append(todo, u)
		}
	}
	total, done := len(units), len(units)-len(todo)
	var allWork, doneWork float64
	for _, u := range units {
		allWork += UnitCost(u.D)
	}
	for _, u := range units {
		if st.Done(u) {
			doneWork += UnitCost(u.D)
		}
	}
	if opts.Progress != nil {
		opts.Progress(done, total, doneWork/allWork)
	}
	workers := opts.Workers
	if workers < 1 {
		workers = 1
	}
	jobs := make(chan Unit)
	type result struct {
		rec Record
		err error
	}
	results := make(chan result)
	starts := newStartTracker(st.Records())
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range jobs {
				m, err := model.ParseModel(u.Model)
				if err != nil {
					results <- result{err: err}
					continue
				}
				src := model.Random{D: u.D, Seed: uint64(u.Seed), Kind: m, Embed: embed}
				start := starts.start(u)
				if start == 0 && opts.Start != nil {
					start = opts.Start(u)
				}
				var th Threshold
				if g.Kappa > 0 {
					th, err = FindKappaThreshold(ctx, src, g.Kappa, max(start, 2))
				} else {
					th, err = FindThreshold(ctx, src, ThresholdOptions{LP: lpo, Eps: g.Eps, Start: start})
				}
				if err != nil {
					results <- result{err: err}
					continue
				}
				results <- result{rec: NewRecord(u, g.Embedding, th)}
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
	for r := range results {
		if r.err != nil {
			if firstErr == nil && !errors.Is(r.err, context.Canceled) {
				firstErr = r.err
			}
			continue
		}
		if err := st.Append(r.rec); err != nil && firstErr == nil {
			firstErr = err
		}
		starts.add(r.rec)
		done++
		doneWork += UnitCost(r.rec.D)
		if opts.Progress != nil {
			opts.Progress(done, total, doneWork/allWork)
		}
	}
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// UnitCost is the relative expected time of one threshold search in dimension d,
// measured to grow like d^6 on Gaussian instances (0.15 s at d = 10, 3 s at d = 16).
func UnitCost(d int) float64 { return math.Pow(float64(d), 6) }

// startTracker starts each search just below the median p* of the finished units
// of the same (d, model), once a few are in; the start never changes a p*, only
// how long finding it takes.
type startTracker struct {
	mu sync.Mutex
	by map[[2]string][]float64
}

func newStartTracker(rs []Record) *startTracker {
	t := &startTracker{by: map[[2]string][]float64{}}
	for _, r := range rs {
		t.add(r)
	}
	return t
}

func key(u Unit) [2]string { return [2]string{fmt.Sprint(u.D), u.Model} }

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
	s := int(Median(ps)) - 1
	if s < 2 {
		s = 2
	}
	return s
}
