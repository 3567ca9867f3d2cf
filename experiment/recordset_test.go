package experiment

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/model"
)

// copyDir copies the grid, records and certificates of a sweep directory,
// with the grid and the first record changed by the functions given (nil:
// unchanged).
func copyDir(t *testing.T, from, to string, grid func(g map[string]any), first func(r map[string]any)) {
	t.Helper()
	os.MkdirAll(to, 0o755)
	for _, f := range []string{GridFile, RecordsFile, CertificatesFile} {
		b, err := os.ReadFile(filepath.Join(from, f))
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case f == GridFile && grid != nil:
			var g map[string]any
			json.Unmarshal(b, &g)
			grid(g)
			b = mustJSON(g)
		case f == RecordsFile && first != nil:
			line, rest, _ := bytes.Cut(b, []byte("\n"))
			var r map[string]any
			json.Unmarshal(line, &r)
			first(r)
			b = append(append(mustJSON(r), '\n'), rest...)
		}
		if err := os.WriteFile(filepath.Join(to, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReadRecordSet (F3, F4 of the red team): directories of other
// instances (embedding, kappa, eps) are refused; a unit in two directories
// is taken once, or refused when the two disagree; and the records no
// certificate re-checked (version 1, digests only without the certificates)
// are counted.
func TestReadRecordSet(t *testing.T) {
	root := t.TempDir()
	ref := filepath.Join(root, "ref")
	sweepAll(t, ref)
	all, _, _, err := ReadRecords(ref)
	if err != nil || len(all) != len(storeGrid.Units()) {
		t.Fatalf("reference: %d records, %v", len(all), err)
	}
	set, err := ReadRecordSet([]string{ref})
	if err != nil || set.AsWritten != 0 || set.Duplicates != 0 || len(set.Records) != len(all) {
		t.Fatalf("one directory: %+v (as written %d, duplicates %d), %v", len(set.Records), set.AsWritten, set.Duplicates, err)
	}
	set, err = ReadRecordSet([]string{ref, ref})
	if err != nil || len(set.Records) != len(all) || set.Duplicates != len(all) {
		t.Errorf("the same directory twice: %d records, %d duplicates, %v; want %d once each", len(set.Records), set.Duplicates, err, len(all))
	}

	for name, change := range map[string]func(g map[string]any){
		"embedding": func(g map[string]any) { g["embedding"] = model.Sphere.String() },
		"eps":       func(g map[string]any) { g["eps"] = 2e-6 },
		"kappa":     func(g map[string]any) { g["kappa"] = 0.5 },
	} {
		other := filepath.Join(root, name)
		copyDir(t, ref, other, change, nil)
		_, err := ReadRecordSet([]string{ref, other})
		if !errors.As(err, new(*DirError)) || !strings.Contains(err.Error(), "other instances") || !strings.Contains(err.Error(), name) {
			t.Errorf("another %s: %v, want a DirError naming it", name, err)
		}
	}

	// Version 1, the first record without certificates and shifted by 3: taken
	// as written (a one-field edit of grid.json must not hide that), and in
	// conflict with the reference.
	v1 := filepath.Join(root, "v1")
	copyDir(t, ref, v1, func(g map[string]any) { g["version"] = 1 }, func(r map[string]any) {
		delete(r, "certificates")
		for _, k := range []string{"p_star", "lower", "upper"} {
			r[k] = r[k].(float64) + 3
		}
	})
	set, err = ReadRecordSet([]string{v1})
	if err != nil || set.AsWritten != 1 {
		t.Errorf("version 1 with one bare record: %d taken as written, %v; want 1", set.AsWritten, err)
	}
	_, err = ReadRecordSet([]string{ref, v1})
	if !errors.As(err, new(*DirError)) || !strings.Contains(err.Error(), "conflicting records") {
		t.Errorf("a conflicting unit: %v", err)
	}
	// Digests only, its certificates gone: every record is taken as written.
	dig := filepath.Join(root, "dig")
	copyDir(t, ref, dig, func(g map[string]any) { g["digests_only"] = true }, nil)
	os.Remove(filepath.Join(dig, CertificatesFile))
	set, err = ReadRecordSet([]string{dig})
	if err != nil || set.AsWritten != len(all) {
		t.Errorf("digests only without certificates: %d of %d taken as written, %v", set.AsWritten, len(all), err)
	}
	// Resume (and merge, which counts so too) warns of them: they counted as
	// certified before, since they name their certificates' digests.
	g := storeGrid
	g.DigestsOnly = true
	st, err := OpenStore(dig, g)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if st.Uncertified != len(all) {
		t.Errorf("resuming digests only without certificates: %d of %d records counted as taken as written", st.Uncertified, len(all))
	}
}
