package experiment

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/model"
)

// writeUserData writes a user embedding of p associations in dimension d,
// drawn from seed, as X.npy and Y.npy in dir.
func writeUserData(t *testing.T, dir string, d, p int, seed uint64) (x, y string) {
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

// A sweep on user data names the files by path and SHA-256 in grid.json,
// and its record carries certificates that name the files; resuming with
// the same bytes keeps the record, resuming or merging after one entry of
// X.npy changed is refused with an error naming the file, and nothing of
// the directory is changed.
func TestUserDataSweep(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	x, y := writeUserData(t, data, 4, 10, 3)
	ud, err := LoadUserData(ctx, x, y, "")
	if err != nil {
		t.Fatal(err)
	}
	s := Sweep{Data: ud, Workers: 1}
	g, err := s.Grid()
	if err != nil {
		t.Fatal(err)
	}
	if g.Embedding != model.User || len(g.Units()) != 1 || g.Inputs.Path != x || g.Targets.Path != y || g.Layout != LayoutRows {
		t.Fatalf("grid %+v", g)
	}
	dir := filepath.Join(t.TempDir(), "sweep")
	st, err := OpenStore(dir, g)
	if err != nil {
		t.Fatal(err)
	}
	res, err := RunStore(ctx, st, s)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Records) != 1 {
		t.Fatalf("%d records, want 1", len(res.Records))
	}
	r := res.Records[0]
	if r.Embedding != model.User || !r.Certified || !r.HasCertificates() {
		t.Errorf("record %+v: want a certified user record with its certificates", r)
	}
	gb, _ := os.ReadFile(filepath.Join(dir, GridFile))
	for _, want := range []string{`"embedding": "user"`, `"path": "` + x + `"`, `"sha256": "` + ud.Inputs.SHA256 + `"`, `"sha256": "` + ud.Targets.SHA256 + `"`, `"layout": "rows"`} {
		if !strings.Contains(string(gb), want) {
			t.Errorf("grid.json lacks %s:\n%s", want, gb)
		}
	}
	records, _ := os.ReadFile(filepath.Join(dir, RecordsFile))

	// Unchanged files: the record is read back, certificates checked on the
	// arrays, and nothing is computed again.
	st, err = OpenStore(dir, g)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Records(); len(got) != 1 || len(st.Rejected) > 0 || !got[0].SameResult(r) {
		t.Errorf("resumed: %d records, %d rejected", len(got), len(st.Rejected))
	}
	st.Close()
	merged := filepath.Join(t.TempDir(), "merged")
	if mres, err := Merge(merged, []string{dir}, nil); err != nil || len(mres.Records) != 1 {
		t.Errorf("merge of unchanged data: %v, %d records", err, len(mres.Records))
	}

	// One entry of X.npy changed: same name, other bytes.
	xm, err := model.ReadNPY(x, false)
	if err != nil {
		t.Fatal(err)
	}
	xm.Set(2, 1, xm.At(2, 1)+0.25)
	if err := model.WriteNPY(x, xm); err != nil {
		t.Fatal(err)
	}
	ud2, err := LoadUserData(ctx, x, y, LayoutRows)
	if err != nil {
		t.Fatal(err)
	}
	g2, err := Sweep{Data: ud2}.Grid()
	if err != nil {
		t.Fatal(err)
	}
	refused := func(what string, err error) {
		t.Helper()
		var de *DirError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), x+" has changed") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want a one-line DirError naming %s", what, err, x)
		}
	}
	_, err = OpenStore(dir, g2)
	refused("resume", err)
	_, err = Merge(filepath.Join(t.TempDir(), "merged"), []string{dir}, nil)
	refused("merge", err)
	_, _, _, err = ReadRecords(dir)
	refused("read", err)
	if after, _ := os.ReadFile(filepath.Join(dir, RecordsFile)); string(after) != string(records) {
		t.Errorf("refusing changed records.jsonl")
	}
	if _, err := os.Stat(filepath.Join(dir, RejectedFile)); err == nil {
		t.Errorf("refusing set records aside")
	}
}
