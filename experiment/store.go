package experiment

import (
	"bytes"
	"cmp"
	"context"
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
	"github.com/lamcap/lamcap/internal/inputfile"
	"github.com/lamcap/lamcap/internal/ranges"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
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

	// Uncertified counts the records taken as written (Record.TakenAsWritten:
	// without certificates, of an older lamcap in a version 1 directory, or
	// with certificates kept as digests only): their p* is not re-checked.
	Uncertified int

	// Warn, if set, is told about a unit's checkpoint (PartialDir) that was
	// set aside or could not be written, in one line, from the worker that
	// ran the unit (several may call at once); nil: stderr.
	Warn func(msg string)

	recordSet // the records, and the mutex of every write
	f         appendFile
	size      int64 // bytes of whole lines in records.jsonl
	cf        appendFile
	csize     int64           // bytes of whole lines in certificates.jsonl
	certSums  map[string]bool // digests of the lines in certificates.jsonl
	err       error           // the first failed write: the store takes no more records
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
	// CertificatesFile holds the certificates records name, one per line in
	// the format of 'lamcap verify' (a line saved as a file verifies).
	CertificatesFile = "certificates.jsonl"
	LockFile         = "sweep.lock"
)

// DirError refuses a directory as a sweep directory: it is not lamcap's, or it
// holds another grid. It is the user's choice of directory that is wrong.
type DirError struct{ msg string }

func (e *DirError) Error() string { return e.msg }

// OpenStore opens (or creates) the sweep directory dir for grid g and locks it.
// It refuses a directory that another process holds (*dirlock.BusyError), a
// directory that is neither empty nor a sweep directory, and one that holds a
// different grid (*DirError), without writing anything into it (not even the
// lock file). The solver's choices (Rows, InitialPer, AddPer) may differ from
// the first run's (see Grid.Same); grid.json keeps the first run's, and the
// store's Grid is the one in grid.json.
//
// Records are checked against their certificates (certificates.jsonl, see
// ParseRecords); a record whose certificates are missing or do not hold is set
// aside like any bad line, and its unit is computed again.
func OpenStore(dir string, g Grid) (st *Store, err error) {
	g = g.canonical()
	if err := g.check(); err != nil {
		return nil, err
	}
	if err := checkSweepDir(dir, g); err != nil {
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
	if g, err = openGrid(dir, g); err != nil {
		return nil, err
	}
	var user *UserData
	if g.Embedding == model.User {
		if user, err = g.userData(dir); err != nil {
			return nil, err
		}
	}
	rp, cp := filepath.Join(dir, RecordsFile), filepath.Join(dir, CertificatesFile)
	data, err := readIfThere(rp)
	if err != nil {
		return nil, err
	}
	cdata, err := readIfThere(cp)
	if err != nil {
		return nil, err
	}
	certs, torn := parseCertLines(cdata)
	kept, bad := parseRecordLines(data, certs, g, user)
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
	// The certificates file keeps the lines the kept records name, once each:
	// a torn last line, or lines of records set aside or never written (a
	// crash between a unit's certificates and its record), are dropped.
	named := map[string]bool{}
	for _, l := range kept {
		for _, c := range l.certs {
			named[c.sum] = true
		}
	}
	if torn || len(named) != len(certs) {
		err := atomicfile.WriteWith(cp, func(w io.Writer) error {
			for _, l := range kept {
				for _, c := range l.certs {
					if !named[c.sum] {
						continue
					}
					named[c.sum] = false
					if _, err := w.Write(append(c.text[:len(c.text):len(c.text)], '\n')); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("certificates: %w", err)
		}
	}
	f, err := openAppend(rp)
	if err != nil {
		return nil, fmt.Errorf("records: %w", err)
	}
	cf, err := openAppend(cp)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("certificates: %w", err)
	}
	atomicfile.SyncDir(dir) // new records and certificates files survive a crash
	fi, err := f.Stat()
	cfi, cerr := cf.Stat()
	if err == nil {
		err = cerr
	}
	if err != nil {
		f.Close()
		cf.Close()
		return nil, fmt.Errorf("records: %w", err)
	}
	st = &Store{Dir: dir, Grid: g, Rejected: bad, f: f, size: fi.Size(), cf: cf, csize: cfi.Size(), lock: lock,
		recordSet: recordSet{records: map[Unit]Record{}}, certSums: map[string]bool{}}
	for _, l := range kept {
		st.records[l.Unit] = l.Record
		for _, c := range l.certs {
			st.certSums[c.sum] = true
		}
		if l.TakenAsWritten() {
			st.Uncertified++
		}
	}
	return st, nil
}

func openAppend(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
}

// readIfThere reads a file of a sweep directory; a missing file is empty.
// Only a regular file is read (a named pipe or device is refused without
// blocking on it), and at most maxSweepFileBytes of it.
func readIfThere(path string) ([]byte, error) {
	b, err := inputfile.ReadAll(context.Background(), path, maxSweepFileBytes)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, badFile(err)
	}
	return b, nil
}

// Size limits of the files of a sweep directory, checked before they are
// read: a grid.json is a few hundred bytes (its user data names two files),
// and records.jsonl and certificates.jsonl hold a line per unit and a
// certificate (at most d^2 weights, a few MB at d = 512) per end of a unit.
const (
	maxGridBytes      = 1 << 20
	maxSweepFileBytes = 1 << 33
)

// readGridFile reads a grid.json: a regular file of at most maxGridBytes.
func readGridFile(path string) ([]byte, error) {
	b, err := inputfile.ReadAll(context.Background(), path, maxGridBytes)
	return b, badFile(err)
}

// badFile makes an error of inputfile that is the directory's fault (a
// special file, or one too large) a *DirError, which the commands refuse as
// bad input; other errors (a missing file, I/O) are returned as they are.
// inputfile's errors name the path.
func badFile(err error) error {
	if errors.Is(err, inputfile.ErrNotRegular) || errors.Is(err, inputfile.ErrTooLarge) {
		return &DirError{err.Error()}
	}
	return err
}

// checkSweepDir refuses, before anything is written into it, an existing
// directory that holds files but no grid.json (only the lock file and
// temporary files of an interrupted first write are allowed: lamcap writes into
// its own directories only), and one whose grid.json is not lamcap's or holds
// another grid than g.
func checkSweepDir(dir string, g Grid) error {
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
			_, err := readGrid(dir, g)
			return err
		}
	}
	for _, e := range ents {
		if n := e.Name(); n != LockFile && !strings.HasPrefix(n, "."+GridFile+".tmp") {
			return &DirError{fmt.Sprintf("%s is not a lamcap sweep directory (it holds %s but no %s); use a new or empty directory", dir, n, GridFile)}
		}
	}
	return nil
}

// readGrid reads the grid.json of dir and checks that it is lamcap's and the
// same grid as g; a missing grid.json gives fs.ErrNotExist.
func readGrid(dir string, g Grid) (Grid, error) {
	gp := filepath.Join(dir, GridFile)
	b, err := readGridFile(gp)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Grid{}, err
		}
		return Grid{}, fmt.Errorf("sweep directory: %w", err)
	}
	old, err := parseGrid(gp, b)
	if err != nil {
		return Grid{}, err
	}
	if err := changedFile(dir, old, g); err != nil {
		return Grid{}, err
	}
	if !old.Same(g) {
		return Grid{}, &DirError{fmt.Sprintf("%s holds a different sweep (%s); use another --out directory", dir, gridDiff(old, g))}
	}
	return old, nil
}

// parseGrid reads a grid.json strictly: a JSON object with the fields of a
// Grid, a version this lamcap reads, and a valid range of seeds.
func parseGrid(path string, b []byte) (Grid, error) {
	var g Grid
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) == nil {
		if err := checkTypedFields(m, gridTypedFields); err != nil {
			return g, &DirError{fmt.Sprintf("%s is not a lamcap grid: %v", path, err)}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return g, &DirError{fmt.Sprintf("%s is not a lamcap grid: %v", path, err)}
	}
	if g.Version < oldestGridVersion || g.Version > GridVersion {
		return g, &DirError{fmt.Sprintf("%s is not a grid written by this lamcap (version %d; it reads versions %d to %d)", path, g.Version, oldestGridVersion, GridVersion)}
	}
	if err := g.check(); err != nil {
		return g, &DirError{fmt.Sprintf("%s: %v", path, err)}
	}
	return g.canonical(), nil
}

// gridTypedFields are the parsed fields of a grid.json.
var gridTypedFields = []typedField{
	{"models", func() any { return new([]model.Model) }},
	{"embedding", func() any { return new(model.Embedding) }},
	{"rows", func() any { return new(lp.Rows) }},
	{"verdict_at", func() any { return new([]VerdictPoint) }},
}

// check refuses a grid whose seeds or lists cannot be a sweep's.
func (g Grid) check() error {
	switch {
	case g.SeedFirst < 0 || g.SeedLast < g.SeedFirst || g.SeedLast > ranges.MaxSeed:
		return fmt.Errorf("grid: seeds %d:%d, want 0 <= first <= last <= %d", g.SeedFirst, g.SeedLast, int64(ranges.MaxSeed))
	case len(g.Ds) == 0 || len(g.Models) == 0:
		return fmt.Errorf("grid: no d or no model")
	}
	if _, err := lp.ParseMethod(string(g.Solver)); err != nil {
		return fmt.Errorf("grid: solver: %w", err)
	}
	for _, d := range g.Ds {
		if d < 2 {
			return fmt.Errorf("grid: d = %d", d)
		}
	}
	if err := g.checkAt(); err != nil {
		return err
	}
	return g.checkUser()
}

// openGrid writes grid.json into a new sweep directory, or checks that the one
// there is the same grid; it returns the grid of the directory.
func openGrid(dir string, g Grid) (Grid, error) {
	old, err := readGrid(dir, g)
	if errors.Is(err, fs.ErrNotExist) {
		b, _ := json.MarshalIndent(g, "", "  ")
		return g, atomicfile.Write(filepath.Join(dir, GridFile), append(b, '\n'))
	}
	return old, err
}

// Same reports whether two grids compute the same units, the one question
// both resuming and merging ask. The order of the d and model lists does not
// matter, nor do the solver's choices (Rows, Solver, InitialPer, AddPer): a
// certified p* does not depend on them; nor does the version (see GridVersion).
func (g Grid) Same(o Grid) bool {
	return reflect.DeepEqual(g.withoutSolver().canonical(), o.withoutSolver().canonical())
}

// withoutSolver blanks the fields that choose how, not what, a sweep computes.
func (g Grid) withoutSolver() Grid {
	g.Rows, g.Solver, g.InitialPer, g.AddPer, g.Version = 0, "", 0, 0, 0
	return g
}

// canonical sorts the d and model lists and drops repeats.
func (g Grid) canonical() Grid {
	g.Ds = slices.Compact(slices.Sorted(slices.Values(g.Ds)))
	g.Models = slices.Clone(g.Models)
	slices.SortFunc(g.Models, func(a, b model.Model) int { return cmp.Compare(a.String(), b.String()) })
	g.Models = slices.Compact(g.Models)
	g.At = canonicalAt(g.At)
	return g
}

func gridDiff(a, b Grid) string {
	a, b = a.withoutSolver().canonical(), b.withoutSolver().canonical()
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := 0; i < va.NumField(); i++ {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			name, _, _ := strings.Cut(va.Type().Field(i).Tag.Get("json"), ",") // "verdict_at", not "verdict_at,omitempty"
			return fmt.Sprintf("%s was %v, now %v", name, va.Field(i).Interface(), vb.Field(i).Interface())
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
// it or locking it (merge reads its inputs so), with the reader OpenStore uses
// (certificates checked); the lines OpenStore would set aside are returned in bad.
func ReadRecords(dir string) (recs []Record, g Grid, bad []BadLine, err error) {
	gp := filepath.Join(dir, GridFile)
	b, err := readGridFile(gp)
	if err != nil {
		return nil, g, nil, fmt.Errorf("%s is not a sweep directory: %w", dir, err)
	}
	if g, err = parseGrid(gp, b); err != nil {
		return nil, g, nil, err
	}
	data, err := readIfThere(filepath.Join(dir, RecordsFile))
	if err != nil {
		return nil, g, nil, err
	}
	cdata, err := readIfThere(filepath.Join(dir, CertificatesFile))
	if err != nil {
		return nil, g, nil, err
	}
	certs, _ := parseCertLines(cdata)
	var user *UserData
	if g.Embedding == model.User {
		if user, err = g.userData(dir); err != nil {
			return nil, g, nil, err
		}
	}
	recs, bad = parseRecords(data, certs, g, user)
	return recs, g, bad, nil
}

// Append writes one record durably: first the certificates it names into
// certificates.jsonl, then the record into records.jsonl, each written and
// fsynced. A record of a unit the store has is dropped if it says the same and
// refused if it does not; one without the certificates its grid needs, or
// naming certificates it does not carry and the store does not have, is
// refused. After a failed write the files are cut back to their whole lines
// and every later Append returns that first error.
func (s *Store) Append(r Record) error {
	if err := checkRecord(r, s.Grid); err != nil {
		return fmt.Errorf("refusing record: %w", err)
	}
	if r.Certificates == nil && s.Grid.needsCertificates() && (r.Lower > 0 || r.Upper > 0) {
		return fmt.Errorf("refusing record: %s carries no certificates", r.Unit.Name())
	}
	if r.Certificates != nil && !r.HasCertificates() {
		return fmt.Errorf("refusing record: %s names certificates that do not match lower = %d and upper = %d", r.Unit.Name(), r.Lower, r.Upper)
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
	var cb []byte
	if c := r.Certificates; c != nil && !s.Grid.DigestsOnly {
		have := map[string][]byte{}
		for _, l := range r.certs {
			have[l.sum] = l.text
		}
		for _, sum := range []string{c.Storable, c.NotStorable} {
			if sum == "" || s.certSums[sum] {
				continue
			}
			text, ok := have[sum]
			if !ok || newCertLine(text).sum != sum {
				return fmt.Errorf("refusing record: %s names a certificate (sha256 %.12s...) it does not carry", r.Unit.Name(), sum)
			}
			cb = append(append(cb, text...), '\n')
		}
	}
	if len(cb) > 0 {
		_, err = s.cf.Write(cb)
		if err == nil {
			err = s.cf.Sync()
		}
		if err != nil {
			s.cf.Truncate(s.csize) // best effort; a torn line left is dropped on the next open
			s.err = fmt.Errorf("writing certificates to %s: %w", filepath.Join(s.Dir, CertificatesFile), err)
			return s.err
		}
		s.csize += int64(len(cb))
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
	if c := r.Certificates; c != nil {
		s.certSums[c.Storable], s.certSums[c.NotStorable] = true, true
		delete(s.certSums, "")
	}
	r.certs = nil // the store's copy is on disk
	s.records[r.Unit] = r
	return nil
}

// Close closes the records and certificates files and releases the directory.
func (s *Store) Close() error {
	err := s.f.Close()
	if cerr := s.cf.Close(); err == nil {
		err = cerr
	}
	if lerr := s.lock.Release(); err == nil {
		err = lerr
	}
	return err
}

// RecordDirs is what ReadRecordSet read from several sweep directories.
type RecordDirs struct {
	// Records holds each unit once, in the order the directories and their
	// lines give.
	Records []Record
	// AsWritten counts the Records whose bracket no certificate re-checked
	// when they were read: records of a version 1 directory (an older
	// lamcap's, without certificates), of a digests-only one whose
	// certificates are not there, and of a kappa > 0 sweep (which has none).
	// Their p* is taken as written.
	AsWritten int
	// Duplicates counts the records left out because an earlier directory
	// had the same unit with the same result (the same directory named
	// twice, or shards beside their merge).
	Duplicates int
}

// ReadRecordSet reads the records of several sweep directories, in order (a
// report over sweeps that cover different d, say), each with ReadRecords. A
// directory with lines that are not valid records is refused: resuming its
// sweep repairs it. The directories must hold instances of one family: the
// same embedding (and user data), kappa and eps (their d, models and seeds
// may differ); a *DirError refuses others. A unit found in two directories is
// taken once if both say the same, and refused (*DirError) if not, as Merge
// does.
func ReadRecordSet(dirs []string) (RecordDirs, error) {
	var out RecordDirs
	var first Grid
	at := map[Unit]int{} // index in out.Records
	from := map[Unit]string{}
	for i, dir := range dirs {
		rs, g, bad, err := ReadRecords(dir)
		if err != nil {
			return RecordDirs{}, err
		}
		if g.IsVerdicts() {
			return RecordDirs{}, &DirError{fmt.Sprintf("%s is a verdict sweep (one verdict per instance, 'lamcap sweep --at'), not p* records", dir)}
		}
		if i == 0 {
			first = g
		} else if a, b := first.family(), g.family(); !reflect.DeepEqual(a, b) {
			return RecordDirs{}, &DirError{fmt.Sprintf("%s holds other instances than %s (%s): one report pools sweeps of one embedding, kappa, eps and user data", dir, dirs[0], familyDiff(a, b))}
		}
		if len(bad) > 0 {
			return RecordDirs{}, fmt.Errorf("%s: %d records are not valid (first: line %d); repair the directory by resuming its sweep", dir, len(bad), bad[0].Line)
		}
		for _, r := range rs {
			if j, ok := at[r.Unit]; ok {
				if !out.Records[j].SameResult(r) {
					return RecordDirs{}, &DirError{fmt.Sprintf("%s has conflicting records in %s and %s", r.Unit.Name(), from[r.Unit], dir)}
				}
				out.Duplicates++
				continue
			}
			at[r.Unit], from[r.Unit] = len(out.Records), dir
			out.Records = append(out.Records, r)
			if r.TakenAsWritten() {
				out.AsWritten++
			}
		}
	}
	return out, nil
}

// ReadRecordDirs is ReadRecordSet's records.
func ReadRecordDirs(dirs []string) ([]Record, error) {
	s, err := ReadRecordSet(dirs)
	return s.Records, err
}

// family is the part of a grid that defines its instances and what their p*
// means: embedding (with the user data), kappa and eps. The units (d, models,
// seeds) and how they are solved (rows, solver, version, digests only) are
// blanked.
func (g Grid) family() Grid {
	g = g.withoutSolver()
	g.Ds, g.Models, g.SeedFirst, g.SeedLast, g.DigestsOnly = nil, nil, 0, 0, false
	return g
}

// familyDiff names the first field in which two families differ.
func familyDiff(a, b Grid) string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := 0; i < va.NumField(); i++ {
		if x, y := va.Field(i).Interface(), vb.Field(i).Interface(); !reflect.DeepEqual(x, y) {
			if p, ok := x.(*DataFile); ok && p != nil {
				x = *p
			}
			if p, ok := y.(*DataFile); ok && p != nil {
				y = *p
			}
			name, _, _ := strings.Cut(va.Type().Field(i).Tag.Get("json"), ",")
			return fmt.Sprintf("%s %v, not %v", name, y, x)
		}
	}
	return "same"
}

// TakenAsWritten says whether no certificate re-checked r's bracket when it
// was read (ReadRecords, OpenStore): it names none, or some of those it names were not there (a
// digests-only directory). A record with no bracket (nothing certified)
// claims nothing to check.
func (r Record) TakenAsWritten() bool {
	if r.Lower <= 0 && r.Upper <= 0 {
		return false
	}
	if r.Certificates == nil {
		return true
	}
	n := 0
	for _, sum := range []string{r.Certificates.Storable, r.Certificates.NotStorable} {
		if sum != "" {
			n++
		}
	}
	return len(r.certs) < n
}
