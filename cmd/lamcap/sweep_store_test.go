package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/lamcap/lamcap/experiment"
)

// smallArgs is a grid of 12 units that each solve in about a millisecond.
var smallArgs = []string{"--d", "4", "--seeds", "1:6", "--model", "coupled,decoupled", "--quiet", "--workers", "2"}

// cliRef is an undisturbed sweep of smallArgs, run once.
var cliRef cliReference

type cliReference struct {
	once    sync.Once
	dir     string
	grid    []byte
	records []byte
	certs   []byte // certificates.jsonl
}

func (r *cliReference) cleanup() {
	if r.dir != "" {
		os.RemoveAll(r.dir)
	}
}

func smallRef(t *testing.T) (grid, records []byte) {
	t.Helper()
	cliRef.once.Do(func() {
		dir, err := os.MkdirTemp("", "lamcap-ref")
		if err != nil {
			t.Fatal(err)
		}
		cliRef.dir = dir
		out := filepath.Join(dir, "ref")
		if code, _, errs := runCLI(append([]string{"sweep", "--out", out}, smallArgs...)...); code != 0 {
			t.Fatalf("reference sweep: exit %d: %s", code, errs)
		}
		cliRef.grid, _ = os.ReadFile(filepath.Join(out, experiment.GridFile))
		cliRef.records, _ = os.ReadFile(filepath.Join(out, experiment.RecordsFile))
		cliRef.certs, _ = os.ReadFile(filepath.Join(out, experiment.CertificatesFile))
	})
	if len(cliRef.records) == 0 {
		t.Fatal("no reference sweep")
	}
	return cliRef.grid, cliRef.records
}

// strictOutcomes reads records.jsonl without lamcap's reader: every line must
// be a whole record and no unit may appear twice.
func strictOutcomes(t *testing.T, dir string) map[experiment.Unit]key {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, experiment.RecordsFile))
	if err != nil {
		t.Fatal(err)
	}
	out := map[experiment.Unit]key{}
	for i, line := range bytes.SplitAfter(b, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var r experiment.Record
		if line[len(line)-1] != '\n' || json.Unmarshal(line, &r) != nil {
			t.Fatalf("%s line %d is not a whole record: %q", dir, i+1, line)
		}
		if _, dup := out[r.Unit]; dup {
			t.Fatalf("%s: unit %+v recorded twice", dir, r.Unit)
		}
		out[r.Unit] = key{r.Unit, r.PStar, r.Lower, r.Upper, r.Certified}
	}
	return out
}

// sweepDir makes a sweep directory from the reference's grid and
// certificates and the given records file content.
func sweepDir(t *testing.T, records []byte) string {
	t.Helper()
	grid, _ := smallRef(t)
	dir := filepath.Join(t.TempDir(), "sweep")
	os.Mkdir(dir, 0o755)
	os.WriteFile(filepath.Join(dir, experiment.GridFile), grid, 0o644)
	os.WriteFile(filepath.Join(dir, experiment.RecordsFile), records, 0o644)
	os.WriteFile(filepath.Join(dir, experiment.CertificatesFile), cliRef.certs, 0o644)
	return dir
}

func withLine(records []byte, after int, line string) []byte {
	lines := bytes.SplitAfter(records, []byte("\n"))
	var b []byte
	for i, l := range lines {
		b = append(b, l...)
		if i+1 == after {
			b = append(b, line...)
		}
	}
	return b
}

// A bad line in the middle of records.jsonl loses nothing: resume keeps every
// record as it was (none is computed again) and warns, naming the line.
func TestSweepBadLineKeepsRecords(t *testing.T) {
	_, ref := smallRef(t)
	dir := sweepDir(t, append(withLine(ref, 2, "{\"d\":4,\"model\":\"cou\n"), `{"d":4,"mod`...))
	code, _, errs := runCLI(append([]string{"sweep", "--out", dir}, smallArgs...)...)
	if code != 0 {
		t.Fatalf("resume: exit %d: %s", code, errs)
	}
	got, _ := os.ReadFile(filepath.Join(dir, experiment.RecordsFile))
	if !bytes.Equal(got, ref) {
		t.Errorf("records after resume differ from the records before the bad lines:\n%s\nwant\n%s", got, ref)
	}
	n := bytes.Count(ref, []byte("\n"))
	for _, line := range []int{3, n + 2} {
		if !strings.Contains(errs, "records.jsonl line "+strconv.Itoa(line)+":") {
			t.Errorf("no warning naming line %d: %q", line, errs)
		}
	}
	side, _ := os.ReadFile(filepath.Join(dir, experiment.RejectedFile))
	if want := "{\"d\":4,\"model\":\"cou\n{\"d\":4,\"mod\n"; string(side) != want {
		t.Errorf("%s holds %q, want %q", experiment.RejectedFile, side, want)
	}
}

// merge reads records as resume does: a bad line hides nothing after it.
func TestMergeBadLineKeepsRecords(t *testing.T) {
	_, ref := smallRef(t)
	in := sweepDir(t, withLine(ref, 1, "garbage\n"))
	out := filepath.Join(t.TempDir(), "merged")
	code, _, errs := runCLI("merge", "--out", out, in)
	if code != 0 {
		t.Fatalf("merge: exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "records.jsonl line 2: ") {
		t.Errorf("no warning naming line 2: %q", errs)
	}
	sameRecords(t, strictOutcomes(t, out), strictOutcomes(t, sweepDir(t, ref)), "merged")
	if b, _ := os.ReadFile(filepath.Join(in, experiment.RecordsFile)); !bytes.Equal(b, withLine(ref, 1, "garbage\n")) {
		t.Errorf("merge changed its input")
	}
}

// merge refuses conflicting records of one unit before writing anything.
// Records with certificates cannot conflict (one shifted to another p* is
// skipped for its certificates, and the true one merged); records of an older
// lamcap, without certificates, can.
func TestMergeRefusesConflicts(t *testing.T) {
	_, ref := smallRef(t)
	first, _, _ := bytes.Cut(ref, []byte("\n"))
	var r map[string]any
	json.Unmarshal(first, &r)
	for _, k := range []string{"p_star", "lower", "upper"} {
		r[k] = r[k].(float64) + 1
	}
	forged, _ := json.Marshal(r)
	a, b := sweepDir(t, ref), sweepDir(t, append(forged, '\n'))
	out := filepath.Join(t.TempDir(), "merged")
	code, _, errs := runCLI("merge", "--out", out, a, b)
	if code != 0 || !strings.Contains(errs, "records.jsonl line 1: its storable certificate at p = ") || strings.Count(errs, "\n") != 1 {
		t.Errorf("merge beside a shifted record: exit %d, %q", code, errs)
	}
	sameRecords(t, strictOutcomes(t, out), strictOutcomes(t, a), "merged beside a shifted record")

	// Version 1 directories: no certificates to tell the two apart.
	bare := func(records []byte) []byte {
		var outb []byte
		for _, l := range bytes.SplitAfter(records, []byte("\n")) {
			var m map[string]any
			if json.Unmarshal(l, &m) != nil {
				continue
			}
			delete(m, "certificates")
			b, _ := json.Marshal(m)
			outb = append(append(outb, b...), '\n')
		}
		return outb
	}
	delete(r, "certificates")
	forged, _ = json.Marshal(r)
	a, b = sweepDir(t, bare(ref)), sweepDir(t, append(forged, '\n'))
	for _, d := range []string{a, b} {
		g, _ := os.ReadFile(filepath.Join(d, experiment.GridFile))
		os.WriteFile(filepath.Join(d, experiment.GridFile), bytes.Replace(g, []byte(`"version": 2`), []byte(`"version": 1`), 1), 0o644)
	}
	out = filepath.Join(t.TempDir(), "merged")
	code, _, errs = runCLI("merge", "--out", out, a, b)
	if code != 1 || !strings.Contains(errs, "conflicting records") || strings.Count(errs, "\n") != 1 {
		t.Errorf("merge of conflicting records: exit %d, %q", code, errs)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("merge of conflicting records wrote %s", out)
	}
}

// A second process on a sweep directory is refused at once with one line
// naming the holder; merge into a held directory too.
func TestSweepLockedDirectory(t *testing.T) {
	_, ref := smallRef(t)
	dir := sweepDir(t, ref)
	var g experiment.Grid
	json.Unmarshal(cliRef.grid, &g)
	st, err := experiment.OpenStore(dir, g)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	host, _ := os.Hostname()
	holder := " is in use by another lamcap process (pid " + strconv.Itoa(os.Getpid()) + " on " + host + ")\n"
	code, out, errs := runCLI(append([]string{"sweep", "--out", dir}, smallArgs...)...)
	if want := "lamcap sweep: error: sweep directory " + dir + holder; code != 1 || errs != want || out != "" {
		t.Errorf("sweep on a held directory: exit %d, %q, want exit 1 and %q", code, errs, want)
	}
	code, _, errs = runCLI("merge", "--out", dir, sweepDir(t, ref))
	if want := "lamcap merge: error: sweep directory " + dir + holder; code != 1 || errs != want {
		t.Errorf("merge into a held directory: exit %d, %q, want exit 1 and %q", code, errs, want)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, experiment.RecordsFile)); !bytes.Equal(b, ref) {
		t.Errorf("a refused run changed the records")
	}
}

func dirState(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		c, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		b.WriteString(e.Name() + "\x00" + string(c) + "\x00")
	}
	return b.String()
}

func TestSweepOutputTraps(t *testing.T) {
	_, ref := smallRef(t)

	t.Run("foreign folder", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "summary.csv"), []byte("my own numbers\n"), 0o644)
		before := dirState(t, dir)
		code, _, errs := runCLI(append([]string{"sweep", "--out", dir}, smallArgs...)...)
		if code != 2 || !strings.Contains(errs, "not a lamcap sweep directory") || strings.Count(errs, "\n") != 1 {
			t.Errorf("sweep into a folder that is not a sweep: exit %d, %q", code, errs)
		}
		code, _, errs = runCLI("merge", "--out", dir, sweepDir(t, ref))
		if code != 2 || !strings.Contains(errs, "not a lamcap sweep directory") {
			t.Errorf("merge into a folder that is not a sweep: exit %d, %q", code, errs)
		}
		if dirState(t, dir) != before {
			t.Errorf("a refused run changed the folder")
		}
	})

	t.Run("merge into an input", func(t *testing.T) {
		a, b := sweepDir(t, ref), sweepDir(t, ref)
		before := dirState(t, b)
		code, _, errs := runCLI("merge", "--out", b, a, b)
		if code != 2 || !strings.Contains(errs, "is one of the directories to merge") {
			t.Errorf("merge --out into an input: exit %d, %q", code, errs)
		}
		if dirState(t, b) != before {
			t.Errorf("a refused merge changed its input")
		}
	})

	t.Run("model order and permissions", func(t *testing.T) {
		dir := sweepDir(t, ref)
		old := syscall.Umask(0o027)
		defer syscall.Umask(old)
		args := append([]string{"sweep", "--out", dir}, smallArgs...)
		for i, a := range args {
			if a == "coupled,decoupled" {
				args[i] = "decoupled,coupled"
			}
		}
		code, _, errs := runCLI(append(args, "--rows", "dense")...)
		if code != 0 {
			t.Fatalf("resume with the models in another order: exit %d, %q", code, errs)
		}
		if b, _ := os.ReadFile(filepath.Join(dir, experiment.RecordsFile)); !bytes.Equal(b, ref) {
			t.Errorf("resume with the models in another order changed the records")
		}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".") {
				t.Errorf("temporary file %s left behind", e.Name())
			}
			fi, _ := e.Info()
			if n := e.Name(); n != experiment.GridFile && n != experiment.RecordsFile && n != experiment.CertificatesFile && fi.Mode().Perm() != 0o640 {
				t.Errorf("%s has mode %v, want 0640 (0666 less the umask 027)", n, fi.Mode().Perm())
			}
		}
		for _, n := range []string{"summary.csv", "summary.json", "storable.png", "storable.svg", "capacity.png", "capacity.svg"} {
			if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
				t.Errorf("no %s: %v", n, err)
			}
		}
	})
}

// A sweep that runs into a full disk stops at the first failed write of a
// record or its certificates and reports it (not a later summary or plot
// error); resumed, it ends with exactly the records of an undisturbed run.
func TestSweepFullDisk(t *testing.T) {
	_, ref := smallRef(t)
	dir := filepath.Join(t.TempDir(), "full")
	cmd := exec.Command(os.Args[0], append([]string{"sweep", "--out", dir}, smallArgs...)...)
	// Room in certificates.jsonl (the larger file, about 1.4 kB a unit) for
	// about four units.
	cmd.Env = append(os.Environ(), "LAMCAP_AS_MAIN=1", "LAMCAP_FSIZE=6000")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	errs := stderr.String()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("sweep into a full disk: %v, %q; want exit status 1", err, errs)
	}
	if !strings.HasPrefix(errs, "lamcap sweep: error: writing record to "+filepath.Join(dir, experiment.RecordsFile)) &&
		!strings.HasPrefix(errs, "lamcap sweep: error: writing certificates to "+filepath.Join(dir, experiment.CertificatesFile)) ||
		!strings.Contains(errs, "file too large") || strings.Count(errs, "\n") != 1 {
		t.Errorf("sweep into a full disk reports %q, want the failed record write", errs)
	}
	if n := len(strictOutcomes(t, dir)); n == 0 || n >= bytes.Count(ref, []byte("\n")) {
		t.Fatalf("%d records before the disk filled; the test wants a partial run", n)
	}
	code, _, errs := runCLI(append([]string{"sweep", "--out", dir}, smallArgs...)...)
	if code != 0 {
		t.Fatalf("resume: exit %d: %s", code, errs)
	}
	sameRecords(t, strictOutcomes(t, dir), strictOutcomes(t, sweepDir(t, ref)), "resumed after a full disk")
}
