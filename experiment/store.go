package experiment

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/lamcap/lamcap/internal/atomicfile"
	"github.com/lamcap/lamcap/internal/dirlock"
)

// Store is a sweep directory: grid.json fixes the grid, records.jsonl holds one
// JSON line per finished unit, appended and fsynced as soon as the unit
// finishes. An open store holds an exclusive lock on the directory (sweep.lock),
// which the kernel releases when the process ends, however it ends.
//
// Opening a store reads records.jsonl with ParseRecords. Lines that are not
// records of the grid (a line cut short by kill -9 among them), duplicates and
// conflicting records are moved to records.rejected.jsonl, each line as it
// was, and listed in Rejected; every valid line is kept. A unit whose records
// conflict is computed again.
type Store struct {
	Dir  string
	Grid Grid
	// Rejected lists the lines OpenStore moved from records.jsonl to
	// records.rejected.jsonl, with line numbers of records.jsonl as it found it.
	Rejected []BadLine

	recordSet // the records, and the mutex of every write
	f         appendFile
	size      int64 // bytes of whole lines in records.jsonl
	err       error // the first failed write: the store takes no more records
	lock      *dirlock.Lock
}

// appendFile is what a store writes records to: an *os.File opened to append.
type appendFile interface {
	io.Writer
	Sync() error
	Truncate(size int64) error
	Close() error
}

// Files of a sweep directory.
const (
	GridFile     = "grid.json"
	RecordsFile  = "records.jsonl"
	RejectedFile = "records.rejected.jsonl"
	LockFile     = "sweep.lock"
)

// DirError refuses a directory as a sweep directory: it is not lamcap's, or it
// holds another grid. It is the user's choice of directory that is wrong.
type DirError struct{ msg string }

func (e *DirError) Error() string { return e.msg }

// OpenStore opens (or creates) the sweep directory dir for grid g and locks it.
// It refuses a directory that another process holds (*dirlock.BusyError), a
// directory that is neither empty nor a sweep directory, and one that holds a
// different grid (*DirError), without writing anything into it. The solver's
// choices (Rows, InitialPer, AddPer) may differ from the first run's (see
// Grid.Same); grid.json keeps the first run's.
func OpenStore(dir string, g Grid) (st *Store, err error) {
	g = g.canonical()
	if err := checkSweepDir(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, fmt.Errorf("sweep directory: %w", err)
	}
	lock, err := dirlock.Acquire(dir, filepath.Join(dir, LockFile))
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			lock.Release()
		}
	}()
	if err := openGrid(dir, g); err != nil {
		return nil, err
	}
	rp := filepath.Join(dir, RecordsFile)
	data, err := os.ReadFile(rp)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("records: %w", err)
	}
	kept, bad := parseRecordLines(data, g)
	if len(bad) > 0 || len(data) > 0 && data[len(data)-1] != '\n' {
		// Set the bad lines aside durably first, then rewrite the records: a
		// crash in between leaves a line in both files, never in neither.
		if err := setAside(filepath.Join(dir, RejectedFile), bad); err != nil {
			return nil, err
		}
		err := atomicfile.WriteWith(rp, func(w io.Writer) error {
			for _, l := range kept {
				if _, err := w.Write(append(l.text[:len(l.text):len(l.text)], '\n')); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("records: %w", err)
		}
	}
	f, err := os.OpenFile(rp, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
	if err != nil {
		return nil, fmt.Errorf("records: %w", err)
	}
	atomicfile.SyncDir(dir) // a new records file survives a crash
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("records: %w", err)
	}
	st = &Store{Dir: dir, Grid: g, Rejected: bad, f: f, size: fi.Size(), lock: lock, recordSet: recordSet{records: map[Unit]Record{}}}
	for _, l := range kept {
		st.records[l.Unit] = l.Record
	}
	return st, nil
}

// checkSweepDir refuses an existing directory that holds files but no grid.json
// (only the lock file and temporary files of an interrupted first write are
// allowed): lamcap writes into its own directories only.
func checkSweepDir(dir string) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if fi, serr := os.Stat(dir); serr == nil && !fi.IsDir() {
		return &DirError{fmt.Sprintf("%s is a file, not a directory", dir)}
	}
	if err != nil {
		return fmt.Errorf("sweep directory: %w", err)
	}
	for _, e := range ents {
		if e.Name() == GridFile {
			return nil
		}
	}
	for _, e := range ents {
		if n := e.Name(); n != LockFile && !strings.HasPrefix(n, "."+GridFile+".tmp") {
			return &DirError{fmt.Sprintf("%s is not a lamcap sweep directory (it holds %s but no %s); use a new or empty directory", dir, n, GridFile)}
		}
	}
	return nil
}

// openGrid writes grid.json into a new sweep directory, or checks that the one
// there is the same grid.
func openGrid(dir string, g Grid) error {
	gp := filepath.Join(dir, GridFile)
	b, err := os.ReadFile(gp)
	if errors.Is(err, fs.ErrNotExist) {
		b, _ := json.MarshalIndent(g, "", "  ")
		return atomicfile.Write(gp, append(b, '\n'))
	}
	if err != nil {
		return fmt.Errorf("sweep directory: %w", err)
	}
	var old Grid
	if err := json.Unmarshal(b, &old); err != nil {
		return &DirError{fmt.Sprintf("%s is not a lamcap grid: %v", gp, err)}
	}
	if !old.Same(g) {
		return &DirError{fmt.Sprintf("%s holds a different sweep (%s); use another --out directory", dir, gridDiff(old, g))}
	}
	return nil
}

// Same reports whether two grids compute the same units, the one question
// both resuming and merging ask. The order of the d and model lists does not
// matter, nor do the solver's choices (Rows, Solver, InitialPer, AddPer): a
// certified p* does not depend on them.
func (g Grid) Same(o Grid) bool {
	return reflect.DeepEqual(g.withoutSolver().canonical(), o.withoutSolver().canonical())
}

// withoutSolver blanks the fields that choose how, not what, a sweep computes.
func (g Grid) withoutSolver() Grid {
	g.Rows, g.Solver, g.InitialPer, g.AddPer = "", "", 0, 0
	return g
}

// canonical sorts the d and model lists and drops repeats.
func (g Grid) canonical() Grid {
	g.Ds = slices.Compact(slices.Sorted(slices.Values(g.Ds)))
	g.Models = slices.Compact(slices.Sorted(slices.Values(g.Models)))
	return g
}

func gridDiff(a, b Grid) string {
	a, b = a.withoutSolver().canonical(), b.withoutSolver().canonical()
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := 0; i < va.NumField(); i++ {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			return fmt.Sprintf("%s was %v, now %v", va.Type().Field(i).Tag.Get("json"), va.Field(i).Interface(), vb.Field(i).Interface())
		}
	}
	return "same"
}

// setAside appends lines to the rejected file and syncs it.
func setAside(path string, bad []BadLine) error {
	if len(bad) == 0 {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
	if err != nil {
		return fmt.Errorf("setting bad records aside: %w", err)
	}
	for _, b := range bad {
		if _, err = f.Write(append(b.Text[:len(b.Text):len(b.Text)], '\n')); err != nil {
			break
		}
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("setting bad records aside in %s: %w", path, err)
	}
	atomicfile.SyncDir(filepath.Dir(path))
	return nil
}

// ReadRecords reads the grid and records of a sweep directory without changing
// it or locking it (merge reads its inputs so), with the reader OpenStore uses;
// the lines OpenStore would set aside are returned in bad.
func ReadRecords(dir string) (recs []Record, g Grid, bad []BadLine, err error) {
	b, err := os.ReadFile(filepath.Join(dir, GridFile))
	if err != nil {
		return nil, g, nil, fmt.Errorf("%s is not a sweep directory: %w", dir, err)
	}
	if err := json.Unmarshal(b, &g); err != nil {
		return nil, g, nil, fmt.Errorf("%s: %w", filepath.Join(dir, GridFile), err)
	}
	g = g.canonical()
	data, err := os.ReadFile(filepath.Join(dir, RecordsFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, g, nil, fmt.Errorf("records: %w", err)
	}
	recs, bad = ParseRecords(data, g)
	return recs, g, bad, nil
}

// Append writes one record durably (write, then fsync). A record of a unit the
// store has is dropped if it says the same and refused if it does not. After a
// failed write the file is cut back to its whole lines and every later Append
// returns that first error.
func (s *Store) Append(r Record) error {
	if err := checkRecord(r, s.Grid); err != nil {
		return fmt.Errorf("refusing record: %w", err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	if old, dup := s.records[r.Unit]; dup {
		if old.SameResult(r) {
			return nil
		}
		return fmt.Errorf("%s has conflicting records: %s and %s", r.Unit.Name(), resultString(old), resultString(r))
	}
	_, err = s.f.Write(b)
	if err == nil {
		err = s.f.Sync()
	}
	if err != nil {
		s.f.Truncate(s.size) // best effort; a torn line left is set aside on the next open
		s.err = fmt.Errorf("writing record to %s: %w", filepath.Join(s.Dir, RecordsFile), err)
		return s.err
	}
	s.size += int64(len(b))
	s.records[r.Unit] = r
	return nil
}

// Close closes the records file and releases the directory.
func (s *Store) Close() error {
	err := s.f.Close()
	if lerr := s.lock.Release(); err == nil {
		err = lerr
	}
	return err
}

// ReadRecordDirs reads the records of several sweep directories, in order (a
// report over sweeps that cover different d, say). A directory with lines that
// are not valid records is refused: resuming its sweep repairs it.
func ReadRecordDirs(dirs []string) ([]Record, error) {
	var recs []Record
	for _, dir := range dirs {
		rs, _, bad, err := ReadRecords(dir)
		if err != nil {
			return nil, err
		}
		if len(bad) > 0 {
			return nil, fmt.Errorf("%s: %d records are not valid (first: line %d); repair the directory by resuming its sweep", dir, len(bad), bad[0].Line)
		}
		recs = append(recs, rs...)
	}
	return recs, nil
}
