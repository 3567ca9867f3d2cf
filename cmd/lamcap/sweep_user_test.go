package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/model"
)

// lamcap sweep --inputs --targets sweeps the user's arrays (d = 4, p = 10):
// grid.json names the files by path and SHA-256; the same command resumes
// with the files unchanged, and after one entry of X.npy changed it is
// refused (exit 2, one line naming the file), as is merging the directory.
func TestSweepUserData(t *testing.T) {
	data := t.TempDir()
	x, y := writeUserArrays(t, data, 4, 3, 10)
	out := filepath.Join(t.TempDir(), "sweep")
	args := []string{"sweep", "--inputs", x, "--targets", y, "--out", out, "--quiet", "--workers", "1"}
	code, stdout, errs := runCLI(args...)
	if code != 0 {
		t.Fatalf("sweep: exit %d: %s", code, errs)
	}
	if !strings.Contains(stdout, "1 instances in") {
		t.Errorf("sweep printed %q, want one instance", stdout)
	}
	grid, _ := os.ReadFile(filepath.Join(out, experiment.GridFile))
	records, _ := os.ReadFile(filepath.Join(out, experiment.RecordsFile))
	for _, want := range []string{`"embedding": "user"`, `"path": "` + x + `"`, `"sha256": "`} {
		if !strings.Contains(string(grid), want) {
			t.Errorf("grid.json lacks %s:\n%s", want, grid)
		}
	}
	if code, _, errs := runCLI(args...); code != 0 {
		t.Fatalf("resume with the files unchanged: exit %d: %s", code, errs)
	}
	if after, _ := os.ReadFile(filepath.Join(out, experiment.RecordsFile)); string(after) != string(records) {
		t.Errorf("resume with the files unchanged rewrote the records:\n%s\nwant\n%s", after, records)
	}

	xm, err := model.ReadNPY(x, false)
	if err != nil {
		t.Fatal(err)
	}
	xm.Set(0, 0, xm.At(0, 0)*2)
	if err := model.WriteNPY(x, xm); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][]string{args, {"merge", "--out", filepath.Join(t.TempDir(), "merged"), out}} {
		code, _, errs := runCLI(c...)
		if code != 2 || !strings.Contains(errs, x+" has changed") || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
			t.Errorf("%s after X.npy changed: exit %d, stderr %q; want exit 2 and one line naming %s", c[0], code, errs, x)
		}
	}
	if after, _ := os.ReadFile(filepath.Join(out, experiment.RecordsFile)); string(after) != string(records) {
		t.Errorf("the refused resume changed the records")
	}

	// Flags that the files fix are refused.
	for _, flag := range [][]string{{"--d", "4"}, {"--seeds", "1:3"}, {"--embedding", "sphere"}, {"--kappa", "0.5"}, {"--model", "decoupled"}} {
		code, _, errs := runCLI(append([]string{"sweep", "--inputs", x, "--targets", y, "--out", filepath.Join(t.TempDir(), "o"), "--quiet"}, flag...)...)
		if code != 2 {
			t.Errorf("sweep --inputs with %v: exit %d (%s), want 2", flag, code, errs)
		}
	}
}

// A sweep with no certified instance has no median: the user's 12 rows at
// d = 10 are storable at every prefix, so p* is undecided, and the table
// printed a median of 0.0 [0, 0] beside the mean's "-".
func TestSweepTableNoMedianWithoutCertified(t *testing.T) {
	x, y := writeUserArrays(t, t.TempDir(), 10, 1, 12)
	code, stdout, errs := runCLI("sweep", "--inputs", x, "--targets", y, "--out", filepath.Join(t.TempDir(), "s"), "--quiet", "--workers", "1")
	if code != 0 {
		t.Fatalf("sweep: exit %d: %s", code, errs)
	}
	var row []string
	for _, line := range strings.Split(stdout, "\n") {
		if f := strings.Fields(line); len(f) > 5 && f[0] == "10" && f[1] == "coupled" {
			row = f
		}
	}
	if len(row) < 7 || row[2] != "1" || row[3] != "1" || row[4] != "-" || row[5] != "-" || row[6] != "-" {
		t.Errorf("the undecided unit's row is %q, want n 1, undec 1 and '-' for the median, its interval and the mean:\n%s", row, stdout)
	}
}

// merge prints the summary a single machine would have printed, the line
// saying which theory the table's theory column is included: for a sphere
// sweep it says the prediction is for Gaussian vectors (it printed none).
func TestMergePrintsTheoryNote(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "s")
	code, single, errs := runCLI("sweep", "--d", "6", "--seeds", "2", "--model", "coupled", "--embedding", "sphere", "--out", dir, "--quiet", "--workers", "1")
	if code != 0 {
		t.Fatalf("sweep: exit %d: %s", code, errs)
	}
	code, merged, errs := runCLI("merge", "--out", filepath.Join(t.TempDir(), "m"), dir)
	if code != 0 {
		t.Fatalf("merge: exit %d: %s", code, errs)
	}
	const note = "theory: finite-size Gardner prediction of the Gaussian surrogate (lamcap theory), for Gaussian vectors"
	if !strings.Contains(single, note) || !strings.Contains(merged, note) {
		t.Errorf("sweep and merge should both say %q\nsweep:\n%s\nmerge:\n%s", note, single, merged)
	}
}

// A sweep directory of other user files is refused naming both files by path
// and digest (it printed Go's &{PATH DIGEST} after "inputs,omitempty").
func TestSweepUserDataOtherFilesRefused(t *testing.T) {
	data := t.TempDir()
	in, err := model.NewInstance(model.Random{D: 4, Seed: 3, Kind: model.Coupled}, 10)
	if err != nil {
		t.Fatal(err)
	}
	x, x2, y := filepath.Join(data, "X.npy"), filepath.Join(data, "X2.npy"), filepath.Join(data, "Y.npy")
	if err := model.WriteNPY(x, in.X); err != nil {
		t.Fatal(err)
	}
	if err := model.WriteNPY(y, in.Y); err != nil {
		t.Fatal(err)
	}
	if err := model.WriteNPY(x2, in.Y); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "s")
	if code, _, errs := runCLI("sweep", "--inputs", x, "--targets", y, "--out", out, "--quiet", "--workers", "1"); code != 0 {
		t.Fatalf("sweep: exit %d: %s", code, errs)
	}
	code, _, errs := runCLI("sweep", "--inputs", x2, "--targets", y, "--out", out, "--quiet", "--workers", "1")
	if code != 2 || !strings.Contains(errs, "(inputs was "+x+" (sha256 ") || !strings.Contains(errs, "now "+x2+" (sha256 ") || strings.Contains(errs, "&{") {
		t.Errorf("resume with other inputs: exit %d, stderr %q", code, errs)
	}
}

// writeUserArrays writes the coupled Gaussian instance of seed at (d, p) as
// the user's X.npy and Y.npy in dir and returns their paths.
func writeUserArrays(t *testing.T, dir string, d int, seed uint64, p int) (x, y string) {
	t.Helper()
	in, err := model.NewInstance(model.Random{D: d, Seed: seed, Kind: model.Coupled}, p)
	if err != nil {
		t.Fatal(err)
	}
	x, y = filepath.Join(dir, "X.npy"), filepath.Join(dir, "Y.npy")
	if err := model.WriteNPY(x, in.X); err != nil {
		t.Fatal(err)
	}
	if err := model.WriteNPY(y, in.Y); err != nil {
		t.Fatal(err)
	}
	return x, y
}
