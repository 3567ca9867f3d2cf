package experiment

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/lamcap/lamcap/certificate"
	"github.com/lamcap/lamcap/feasibility"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/lamcap/lamcap/internal/dirlock"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// storeGrid is small: each of its 24 units solves in milliseconds.
var storeGrid = Grid{Version: GridVersion, Ds: []int{4, 5, 6}, Models: []model.Model{model.Coupled, model.Decoupled},
	SeedFirst: 1, SeedLast: 4, Embedding: model.Gaussian, Rows: lp.Implicit, Eps: feasibility.DefaultEps}

// outcome is what a record says, without the solver's statistics.
type outcome struct {
	p, lo, hi int
	certified bool
}

// fileOutcomes reads records.jsonl independently of the reader under test:
// every line must be a whole record, and no unit may appear twice.
func fileOutcomes(t *testing.T, dir string) map[Unit]outcome {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, RecordsFile))
	if err != nil {
		t.Fatal(err)
	}
	out := map[Unit]outcome{}
	for i, line := range bytes.SplitAfter(b, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var r Record
		if line[len(line)-1] != '\n' || json.Unmarshal(line, &r) != nil {
			t.Fatalf("%s line %d is not a whole record: %q", dir, i+1, line)
		}
		if _, dup := out[r.Unit]; dup {
			t.Fatalf("%s: %+v recorded twice", dir, r.Unit)
		}
		out[r.Unit] = outcome{r.PStar, r.Lower, r.Upper, r.Certified}
	}
	return out
}

func sameOutcomes(t *testing.T, got, want map[Unit]outcome, what string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d records, the undisturbed run has %d", what, len(got), len(want))
	}
	for u, w := range want {
		if g, ok := got[u]; !ok || g != w {
			t.Errorf("%s: %+v: %+v, the undisturbed run says %+v", what, u, g, w)
		}
	}
}

var reference struct {
	once     sync.Once
	outcomes map[Unit]outcome
	lines    [][]byte // records.jsonl of the undisturbed run, without newlines
	certs    []byte   // its certificates.jsonl
}

// undisturbed runs storeGrid once, from start to end without interference.
func undisturbed(t *testing.T) (map[Unit]outcome, [][]byte) {
	t.Helper()
	reference.once.Do(func() {
		dir := t.TempDir()
		sweepAll(t, dir)
		reference.outcomes = fileOutcomes(t, dir)
		b, _ := os.ReadFile(filepath.Join(dir, RecordsFile))
		reference.lines = bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
		reference.certs, _ = os.ReadFile(filepath.Join(dir, CertificatesFile))
	})
	if len(reference.outcomes) != len(storeGrid.Units()) {
		t.Fatalf("the undisturbed run has %d records, want %d", len(reference.outcomes), len(storeGrid.Units()))
	}
	return reference.outcomes, reference.lines
}

// sweepAll opens dir and runs every unit of storeGrid into it.
func sweepAll(t *testing.T, dir string) *Store {
	t.Helper()
	st, err := OpenStore(dir, storeGrid)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := runOnStore(context.Background(), st, storeGrid.Units(), runOptions{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	return st
}

func writeLines(t *testing.T, path string, lines ...[]byte) {
	t.Helper()
	if err := os.WriteFile(path, bytes.Join(lines, nil), 0o644); err != nil {
		t.Fatal(err)
	}
}

func nl(b []byte) []byte { return append(b[:len(b):len(b)], '\n') }

// A bad line in the middle or at the end loses no valid line: every valid line
// is kept as it was, and the bad ones are moved aside with their line numbers.
func TestStoreKeepsEveryValidLine(t *testing.T) {
	want, ref := undisturbed(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, GridFile), mustJSON(storeGrid), 0o644); err != nil {
		t.Fatal(err)
	}
	writeLines(t, filepath.Join(dir, CertificatesFile), reference.certs)
	garbage := []byte(`{"d":5,"model":"coupled",garbage`)
	torn := ref[3][:len(ref[3])/2]
	tail := []byte(`{"d":6,"model":"decoupled","seed":3,"p_st`)
	var lines [][]byte
	lines = append(lines, nl(ref[0]), nl(ref[1]), nl(garbage), nl(ref[2]), nl(torn)) // lines 1-5
	for _, l := range ref[4:10] {                                                    // lines 6-11
		lines = append(lines, nl(l))
	}
	lines = append(lines, nl(ref[9])) // line 12: an exact duplicate
	for _, l := range ref[10:] {
		lines = append(lines, nl(l))
	}
	lines = append(lines, tail) // cut short by a kill
	writeLines(t, filepath.Join(dir, RecordsFile), lines...)
	last := len(lines)

	st, err := OpenStore(dir, storeGrid)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, b := range st.Rejected {
		got = append(got, b.Line)
	}
	if fmt.Sprint(got) != fmt.Sprint([]int{3, 5, 12, last}) {
		t.Errorf("rejected lines %v, want [3 5 12 %d]", got, last)
	}
	if n := len(st.Records()); n != len(ref)-1 {
		t.Errorf("kept %d records, want every valid line: %d", n, len(ref)-1)
	}
	side, _ := os.ReadFile(filepath.Join(dir, RejectedFile))
	if wantSide := bytes.Join([][]byte{nl(garbage), nl(torn), nl(ref[9]), nl(tail)}, nil); !bytes.Equal(side, wantSide) {
		t.Errorf("%s holds\n%s\nwant\n%s", RejectedFile, side, wantSide)
	}
	// The valid lines stay byte for byte, in order, apart from the lost unit.
	b, _ := os.ReadFile(filepath.Join(dir, RecordsFile))
	wantKept := append(append([][]byte{}, ref[:3]...), ref[4:]...)
	if !bytes.Equal(b, append(bytes.Join(wantKept, []byte("\n")), '\n')) {
		t.Errorf("records.jsonl after repair:\n%s", b)
	}
	if err := runOnStore(context.Background(), st, storeGrid.Units(), runOptions{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	sameOutcomes(t, fileOutcomes(t, dir), want, "resumed after corruption")
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// Conflicting records of one unit are both set aside and the unit is computed
// again; agreeing duplicates keep the first line. Records that carry
// certificates cannot conflict (a certified p* is unique): a record shifted
// to another p* is refused for its certificates, and its unit keeps the true
// record. Records without certificates (a version 1 directory) can.
func TestStoreConflictingDuplicates(t *testing.T) {
	want, ref := undisturbed(t)
	var r0, r1 Record
	json.Unmarshal(ref[0], &r0)
	json.Unmarshal(ref[1], &r1)
	shift := func(r Record, by int) Record {
		r.PStar, r.Lower, r.Upper = r.PStar+by, r.Lower+by, r.Upper+by
		return r
	}
	again := r1
	again.Seconds += 1

	t.Run("certified", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, GridFile), mustJSON(storeGrid), 0o644)
		writeLines(t, filepath.Join(dir, CertificatesFile), reference.certs)
		writeLines(t, filepath.Join(dir, RecordsFile), nl(ref[0]), nl(ref[1]), nl(mustJSON(shift(r0, 1))), nl(mustJSON(again)))
		st, err := OpenStore(dir, storeGrid)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Rejected) != 2 || st.Rejected[0].Line != 3 || st.Rejected[0].Conflict || !strings.Contains(st.Rejected[0].Reason, "certificate at p = ") ||
			st.Rejected[1].Line != 4 || st.Rejected[1].Conflict {
			t.Fatalf("rejected %+v, want line 3 for its certificates and 4 as a duplicate", st.Rejected)
		}
		if got, ok := st.Record(r0.Unit); !ok || got.PStar != r0.PStar {
			t.Errorf("the true record of %s was not kept: %+v", r0.Unit.Name(), got)
		}
		if err := st.Append(again); err != nil {
			t.Errorf("appending an agreeing duplicate: %v", err)
		}
		if err := st.Append(shift(r1, 2)); err == nil || !strings.Contains(err.Error(), "conflicting") {
			t.Errorf("appending a conflicting record: %v", err)
		}
		if err := runOnStore(context.Background(), st, storeGrid.Units(), runOptions{Workers: 2}); err != nil {
			t.Fatal(err)
		}
		st.Close()
		sameOutcomes(t, fileOutcomes(t, dir), want, "resumed after a shifted record")
	})

	t.Run("version 1", func(t *testing.T) {
		dir := t.TempDir()
		old := storeGrid
		old.Version = 1
		os.WriteFile(filepath.Join(dir, GridFile), mustJSON(old), 0o644)
		bare := func(r Record) Record { r.Certificates = nil; return r }
		writeLines(t, filepath.Join(dir, RecordsFile), nl(mustJSON(bare(r0))), nl(mustJSON(bare(r1))), nl(mustJSON(bare(shift(r0, 1)))), nl(mustJSON(bare(again))))
		st, err := OpenStore(dir, storeGrid)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Rejected) != 3 || !st.Rejected[0].Conflict || !st.Rejected[1].Conflict || st.Rejected[2].Conflict {
			t.Fatalf("rejected %+v, want lines 1 and 3 as conflicts and 4 as a duplicate", st.Rejected)
		}
		if st.Done(r0.Unit) || st.Uncertified != 1 || st.Grid.Version != 1 {
			t.Errorf("done %v, %d records without certificates, version %d; want false, 1, 1", st.Done(r0.Unit), st.Uncertified, st.Grid.Version)
		}
		if err := runOnStore(context.Background(), st, storeGrid.Units(), runOptions{Workers: 2}); err != nil {
			t.Fatal(err)
		}
		st.Close()
		sameOutcomes(t, fileOutcomes(t, dir), want, "resumed after conflicting records")
	})
}

// TestRecordsProveTheirPStar: a record whose p*, lower and upper are shifted
// by 3 (consistent with each other) is refused by resume and merge alike, as
// is one without certificates in a version 2 directory, one whose certificate
// lines are missing or altered, and one whose certificate is another unit's.
// Before, all of them were accepted.
func TestRecordsProveTheirPStar(t *testing.T) {
	_, ref := undisturbed(t)
	var r0, r1 Record
	json.Unmarshal(ref[0], &r0)
	json.Unmarshal(ref[1], &r1)
	shifted := r0
	shifted.PStar, shifted.Lower, shifted.Upper = r0.PStar+3, r0.Lower+3, r0.Upper+3
	bare := r0
	bare.Certificates = nil
	swapped := r0
	swapped.Certificates = r1.Certificates // another unit's certificates
	altered := bytes.Replace(reference.certs, []byte(`"weight":`), []byte(`"weight":1e-300+`), 1)
	altered = bytes.Replace(altered, []byte(`1e-300+`), []byte(`2`), 1)
	cases := []struct {
		name   string
		line   Record
		certs  []byte
		reason string
	}{
		{"shifted by 3", shifted, reference.certs, "certificate at p = "},
		{"no certificates", bare, reference.certs, "carries no certificates"},
		{"another unit's certificates", swapped, reference.certs, "not for unit"},
	}
	// A forger who also rewrites the digest: W set to zero no longer
	// certifies, whatever the record says.
	idx, _ := parseCertLines(reference.certs)
	var c certificate.Certificate
	json.Unmarshal(idx[r0.Certificates.Storable], &c)
	for _, row := range c.W {
		clear(row)
	}
	zero := newCertLine(mustJSON(c))
	forged := r0
	forged.Certificates = &RecordCertificates{Storable: zero.sum, NotStorable: r0.Certificates.NotStorable}
	cases = append(cases, struct {
		name   string
		line   Record
		certs  []byte
		reason string
	}{"a zero W under a new digest", forged, append(append(bytes.Clone(reference.certs), zero.text...), '\n'), "certificate rejected"})
	if !bytes.Equal(altered, reference.certs) {
		cases = append(cases, struct {
			name   string
			line   Record
			certs  []byte
			reason string
		}{"a lambda weight altered", r0, altered, "not in certificates.jsonl"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, GridFile), mustJSON(storeGrid), 0o644)
			writeLines(t, filepath.Join(dir, CertificatesFile), c.certs)
			writeLines(t, filepath.Join(dir, RecordsFile), nl(mustJSON(c.line)), nl(ref[1]))
			_, _, bad, err := ReadRecords(dir)
			if err != nil || len(bad) != 1 || bad[0].Line != 1 || !strings.Contains(bad[0].Reason, c.reason) {
				t.Fatalf("ReadRecords: %v, bad %+v, want line 1 refused with %q", err, bad, c.reason)
			}
			out := filepath.Join(t.TempDir(), "merged")
			res, err := Merge(out, []string{dir}, nil)
			if err != nil || len(res.Records) != 1 || res.Records[0].Unit != r1.Unit {
				t.Fatalf("merge: %v, %d records, want only %s", err, len(res.Records), r1.Unit.Name())
			}
			if _, _, bad, err := ReadRecords(out); err != nil || len(bad) != 0 {
				t.Errorf("the merged directory does not read back: %v, %+v", err, bad)
			}
			st, err := OpenStore(dir, storeGrid)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if len(st.Rejected) != 1 || st.Done(r0.Unit) || !st.Done(r1.Unit) {
				t.Errorf("resume: rejected %+v, want line 1 only; %s must be computed again", st.Rejected, r0.Unit.Name())
			}
			// The certificates file keeps the lines of the kept record only.
			b, _ := os.ReadFile(filepath.Join(dir, CertificatesFile))
			if n := bytes.Count(b, []byte("\n")); n != 2 {
				t.Errorf("certificates.jsonl keeps %d lines, want the 2 of the kept record", n)
			}
		})
	}
}

// TestStoreGridFiles: a user's own grid.json (no version, or another program's)
// is refused as not lamcap's, not as "version was 0", and without leaving a
// sweep.lock in the user's folder; a grid with seeds up to the int64 maximum
// is refused rather than looped over forever.
func TestStoreGridFiles(t *testing.T) {
	for name, content := range map[string]string{
		"no version":    `{"d":[4],"models":["coupled"],"seed_first":1,"seed_last":2,"embedding":"gaussian","rows":"implicit","eps":1e-6,"initial_rows":2,"add_rows":4}`,
		"other program": `{"width": 4, "height": 2}`,
		"future":        `{"version":99,"d":[4],"models":["coupled"],"seed_first":1,"seed_last":2,"embedding":"gaussian","rows":"implicit","eps":1e-6,"initial_rows":2,"add_rows":4}`,
		"int64 seeds":   `{"version":2,"d":[4],"models":["coupled"],"seed_first":9223372036854775806,"seed_last":9223372036854775807,"embedding":"gaussian","rows":"implicit","eps":1e-6,"initial_rows":2,"add_rows":4}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, GridFile), []byte(content), 0o644)
			_, err := OpenStore(dir, storeGrid)
			if !errors.As(err, new(*DirError)) || strings.Contains(err.Error(), "was 0") {
				t.Errorf("open: %v, want a DirError saying the grid is not lamcap's", err)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 1 {
				t.Errorf("refusing left files in the folder: %v", ents)
			}
			if _, _, _, err := ReadRecords(dir); err == nil {
				t.Errorf("ReadRecords accepted it")
			}
		})
	}
	g := storeGrid
	g.SeedFirst, g.SeedLast = 9223372036854775806, 9223372036854775807
	if _, err := OpenStore(t.TempDir(), g); err == nil {
		t.Errorf("a grid with seeds up to the int64 maximum was opened")
	}
	if u := g.Units(); len(u) != 0 {
		t.Errorf("Units of such a grid: %d units", len(u))
	}
}

func TestStoreLockRefusesSecondOpen(t *testing.T) {
	dir := t.TempDir()
	st, err := OpenStore(dir, storeGrid)
	if err != nil {
		t.Fatal(err)
	}
	_, err = OpenStore(dir, storeGrid)
	var busy *dirlock.BusyError
	if !errors.As(err, &busy) || busy.PID != os.Getpid() {
		t.Fatalf("second open: %v, want busy with pid %d", err, os.Getpid())
	}
	st.Close()
	st, err = OpenStore(dir, storeGrid)
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	st.Close()
}

func TestStoreRefusesForeignDirectory(t *testing.T) {
	dir := t.TempDir()
	mine := filepath.Join(dir, "summary.csv")
	os.WriteFile(mine, []byte("the user's own file\n"), 0o644)
	_, err := OpenStore(dir, storeGrid)
	if !errors.As(err, new(*DirError)) || !strings.Contains(err.Error(), "not a lamcap sweep directory") {
		t.Fatalf("open of a folder that is not a sweep: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("refusing wrote into the folder: %d entries", len(ents))
	}
	if b, _ := os.ReadFile(mine); string(b) != "the user's own file\n" {
		t.Errorf("the user's file changed")
	}
	if _, err := OpenStore(mine, storeGrid); !errors.As(err, new(*DirError)) {
		t.Errorf("open of a file: %v, want a DirError", err)
	}
	// An empty folder, or one holding only the lock of a run killed before it
	// wrote grid.json, is fine.
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, LockFile), nil, 0o644)
	st, err := OpenStore(empty, storeGrid)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
}

func TestSameGrid(t *testing.T) {
	g := storeGrid
	same := []func(*Grid){
		func(h *Grid) { h.Models = []model.Model{model.Decoupled, model.Coupled} },
		func(h *Grid) { h.Ds = []int{6, 4, 5} },
		func(h *Grid) { h.Ds = []int{4, 5, 5, 6} },
		func(h *Grid) { h.Rows, h.InitialPer, h.AddPer = lp.Dense, 7, 3 },
		func(h *Grid) { h.Version = 1 }, // a version 1 directory resumes
	}
	differ := []func(*Grid){
		func(h *Grid) { h.Models = []model.Model{model.Coupled} },
		func(h *Grid) { h.Ds = []int{4, 5} },
		func(h *Grid) { h.SeedLast++ },
		func(h *Grid) { h.Eps *= 2 },
		func(h *Grid) { h.Kappa = 0.1 },
		func(h *Grid) { h.Embedding = model.Sphere },
	}
	for i, f := range same {
		h := g
		h.Ds, h.Models = append([]int(nil), g.Ds...), append([]model.Model(nil), g.Models...)
		f(&h)
		if !g.Same(h) || !h.Same(g) {
			t.Errorf("same[%d]: %+v differs from %+v", i, h, g)
		}
		if fmt.Sprint(h.Units()) != fmt.Sprint(g.Units()) {
			t.Errorf("same[%d]: other units (shards would differ)", i)
		}
	}
	for i, f := range differ {
		h := g
		h.Ds, h.Models = append([]int(nil), g.Ds...), append([]model.Model(nil), g.Models...)
		f(&h)
		if g.Same(h) {
			t.Errorf("differ[%d]: %+v counts as %+v", i, h, g)
		}
	}
	// Resume accepts the grid with its lists in another order.
	dir := t.TempDir()
	st, err := OpenStore(dir, g)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	h := g
	h.Models = []model.Model{model.Decoupled, model.Coupled}
	if st, err = OpenStore(dir, h); err != nil {
		t.Fatalf("models in another order: %v", err)
	}
	st.Close()
}

// failingFile writes through to the real records file until budget bytes are
// spent, then writes what is left of the budget (a torn line) and fails with
// ENOSPC, as a full disk does.
type failingFile struct {
	*os.File
	budget int
}

func (f *failingFile) Write(b []byte) (int, error) {
	if len(b) <= f.budget {
		f.budget -= len(b)
		return f.File.Write(b)
	}
	n, _ := f.File.Write(b[:f.budget])
	f.budget = 0
	return n, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
}

// countUnits replaces computeUnit with a counting one for the test.
func countUnits(t *testing.T) *atomic.Int64 {
	var n atomic.Int64
	orig := computeUnit
	computeUnit = func(ctx context.Context, g runConfig, u Unit, start int) (Record, error) {
		n.Add(1)
		return orig(ctx, g, u, start)
	}
	t.Cleanup(func() { computeUnit = orig })
	return &n
}

// A failed record write stops the run at once and is the error returned; the
// file keeps whole lines only, and a resume is exact.
func TestRunStopsAtFirstWriteError(t *testing.T) {
	want, ref := undisturbed(t)
	dir := t.TempDir()
	st, err := OpenStore(dir, storeGrid)
	if err != nil {
		t.Fatal(err)
	}
	real := st.f.(*os.File)
	st.f = &failingFile{File: real, budget: len(ref[0]) + len(ref[1]) + len(ref[2]) + 20}
	calls := countUnits(t)
	const workers = 2
	err = runOnStore(context.Background(), st, storeGrid.Units(), runOptions{Workers: workers})
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "writing record") {
		t.Fatalf("Run: %v, want the failed record write", err)
	}
	saved := len(st.Records())
	if n := calls.Load(); n > int64(saved+1+workers) {
		t.Errorf("%d units computed after %d were saved and one failed to save: the run did not stop", n, saved)
	}
	var r Record
	json.Unmarshal(ref[5], &r)
	if err2 := st.Append(r); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("Append after the failure: %v, want the first error again", err2)
	}
	st.Close()
	fileOutcomes(t, dir) // whole lines only: the torn write was cut back
	st, err = OpenStore(dir, storeGrid)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Rejected) != 0 {
		t.Errorf("rejected %+v after a cut-back write", st.Rejected)
	}
	if err := runOnStore(context.Background(), st, storeGrid.Units(), runOptions{Workers: workers}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	sameOutcomes(t, fileOutcomes(t, dir), want, "resumed after a full disk")
}

// A unit that fails stops the run at once and is the error returned.
func TestRunStopsAtFirstUnitError(t *testing.T) {
	dir := t.TempDir()
	st, err := OpenStore(dir, storeGrid)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	calls := countUnits(t)
	inner := computeUnit
	bad := storeGrid.Units()[2]
	computeUnit = func(ctx context.Context, g runConfig, u Unit, start int) (Record, error) {
		if u == bad {
			return Record{Unit: u}, errors.New("solver exploded")
		}
		return inner(ctx, g, u, start)
	}
	err = runOnStore(context.Background(), st, storeGrid.Units(), runOptions{Workers: 2})
	if err == nil || !strings.Contains(err.Error(), "solver exploded") || !strings.Contains(err.Error(), bad.Name()) {
		t.Fatalf("Run: %v, want the unit's error", err)
	}
	// Units are handed out in order: the failing third one and at most one more
	// per worker start before the failure is seen.
	if n := calls.Load(); n > 3+2+1 {
		t.Errorf("%d of %d units computed: the run did not stop at the failure", n, len(storeGrid.Units()))
	}
}

// The acceptance test: a sweep killed, corrupted, run twice at once and
// run into a full disk, then resumed, ends with exactly the records of an
// undisturbed run.
func TestSweepSurvivesEverything(t *testing.T) {
	want, _ := undisturbed(t)
	dir := t.TempDir()
	units := storeGrid.Units()

	// Killed: cancelled after a few units, and a line torn by the kill.
	st, err := OpenStore(dir, storeGrid)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	err = runOnStore(ctx, st, units, runOptions{Workers: 2, Progress: func(done, total int, _ float64) {
		if done >= 5 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v", err)
	}
	st.Close()
	n := len(fileOutcomes(t, dir))
	if n < 5 || n == len(units) {
		t.Fatalf("cancelled run saved %d of %d units; the test wants a partial run", n, len(units))
	}
	rp := filepath.Join(dir, RecordsFile)
	f, _ := os.OpenFile(rp, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"d":4,"model":"coupled","seed":3,"embedding":"gau`)
	f.Close()

	// Corrupted: garbage in the middle.
	b, _ := os.ReadFile(rp)
	i := bytes.IndexByte(b, '\n') + 1
	os.WriteFile(rp, append(append(b[:i:i], "\x00\x00 not json\n"...), b[i:]...), 0o644)

	// Run twice at once: the second is refused while the first works.
	st, err = OpenStore(dir, storeGrid)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Rejected) != 2 {
		t.Errorf("rejected %d lines, want the torn and the garbage line", len(st.Rejected))
	}
	var wg sync.WaitGroup
	wg.Add(1)
	var second error
	go func() {
		defer wg.Done()
		st2, err := OpenStore(dir, storeGrid)
		if err == nil {
			runOnStore(context.Background(), st2, units, runOptions{Workers: 1})
			st2.Close()
		}
		second = err
	}()
	// Full disk: the first run fails on its third record.
	st.f = &failingFile{File: st.f.(*os.File), budget: 700}
	err = runOnStore(context.Background(), st, units, runOptions{Workers: 2})
	wg.Wait()
	if !errors.As(second, new(*dirlock.BusyError)) {
		t.Errorf("a second run on the same directory: %v, want refused", second)
	}
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("run into a full disk: %v", err)
	}
	st.Close()

	// Resumed.
	st, err = OpenStore(dir, storeGrid)
	if err != nil {
		t.Fatal(err)
	}
	if err := runOnStore(context.Background(), st, units, runOptions{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	sameOutcomes(t, fileOutcomes(t, dir), want, "resumed after kill, corruption, a second run and a full disk")
}

// runOptions are the options of runOnStore.
type runOptions struct {
	Workers  int
	Progress func(done, total int, workDone float64)
}

// runOnStore computes units of the store's grid into the store, as RunStore
// does, for any subset of units.
func runOnStore(ctx context.Context, st *Store, units []Unit, o runOptions) error {
	s, err := st.Grid.Sweep()
	if err != nil {
		return err
	}
	if s, err = s.withDefaults(); err != nil {
		return err
	}
	cfg, err := s.config()
	if err != nil {
		return err
	}
	return runUnits(ctx, st, units, cfg, o.Workers, o.Progress)
}

// TestPartialSweepHoldsWholePairs stops a one-worker sweep after four units:
// its first four are both models of the first two seeds of the first d, not four seeds
// of one model, so a partial sweep already gives paired differences.
func TestPartialSweepHoldsWholePairs(t *testing.T) {
	dir := t.TempDir()
	st, err := OpenStore(dir, storeGrid)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err = runOnStore(ctx, st, storeGrid.Units(), runOptions{Workers: 1, Progress: func(done, total int, _ float64) {
		if done >= 4 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v", err)
	}
	got := fileOutcomes(t, dir)
	d := storeGrid.Ds[0]
	for seed := storeGrid.SeedFirst; seed < storeGrid.SeedFirst+2; seed++ {
		for _, m := range storeGrid.Models {
			if _, ok := got[Unit{D: d, Model: m, Seed: seed}]; !ok {
				t.Errorf("d=%d %s seed %d missing from the first four units (have %v)", d, m, seed, got)
			}
		}
	}
	if len(got) == len(storeGrid.Units()) {
		t.Errorf("all %d units saved; the test wants a partial run", len(got))
	}
}

// TestDigestsOnlyStore: a digests-only sweep keeps the digests in its records
// and no certificate in certificates.jsonl, reads its records back as written,
// and a normal sweep of the same records refuses them (their certificates are
// not there).
func TestDigestsOnlyStore(t *testing.T) {
	g := storeGrid
	g.Ds, g.SeedLast, g.DigestsOnly = []int{4}, 2, true
	dir := t.TempDir()
	st, err := OpenStore(dir, g)
	if err != nil {
		t.Fatal(err)
	}
	if err := runOnStore(context.Background(), st, g.Units(), runOptions{Workers: 1}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if b, _ := os.ReadFile(filepath.Join(dir, CertificatesFile)); len(b) != 0 {
		t.Errorf("certificates.jsonl holds %d bytes in a digests-only directory", len(b))
	}
	recs, _, bad, err := ReadRecords(dir)
	if err != nil || len(bad) != 0 || len(recs) != len(g.Units()) {
		t.Fatalf("read back %d records, %d bad (%v), want %d", len(recs), len(bad), err, len(g.Units()))
	}
	for _, r := range recs {
		if !r.HasCertificates() {
			t.Errorf("%s carries no digests", r.Unit.Name())
		}
	}
	// The same lines in a directory that keeps certificates are refused.
	g.DigestsOnly = false
	var certs certIndex = map[string][]byte{}
	for _, r := range recs {
		if err := checkCertificates(&r, certs, g, nil); err == nil {
			t.Errorf("%s accepted without its certificates", r.Unit.Name())
		}
	}
}
