package experiment

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMergeCountsAsWritten: Merge counts the records it could not re-check
// (a digests-only directory whose certificates are not there), so that the
// CLI can say so; before, the digests they carry counted them as certified.
// Records whose certificates were re-checked are not counted, nor is a record
// twice when the output directory already holds it.
func TestMergeCountsAsWritten(t *testing.T) {
	root := t.TempDir()
	ref := filepath.Join(root, "ref")
	sweepAll(t, ref)
	n := len(storeGrid.Units())

	res, err := Merge(filepath.Join(root, "full"), []string{ref}, nil)
	if err != nil || len(res.Records) != n || res.AsWritten != 0 {
		t.Fatalf("merging a directory with its certificates: %d records, %d taken as written, %v; want %d, 0", len(res.Records), res.AsWritten, err, n)
	}

	dig := filepath.Join(root, "dig")
	copyDir(t, ref, dig, func(g map[string]any) { g["digests_only"] = true }, nil)
	os.Remove(filepath.Join(dig, CertificatesFile))
	out := filepath.Join(root, "merged")
	for _, pass := range []string{"into a new directory", "again into the same"} {
		res, err = Merge(out, []string{dig}, nil)
		if err != nil || len(res.Records) != n || res.AsWritten != n {
			t.Errorf("merging digests only %s: %d records, %d taken as written, %v; want %d, %d", pass, len(res.Records), res.AsWritten, err, n, n)
		}
	}
}
