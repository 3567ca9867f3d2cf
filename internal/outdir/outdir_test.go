package outdir

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func set(tag string) []File {
	var fs []File
	for _, name := range []string{"X.npy", "Y.npy", "metadata.json"} {
		body := tag
		if name == "metadata.json" {
			body = `{"generator":"lamcap test","tag":"` + tag + `"}`
		}
		fs = append(fs, File{name, func(w io.Writer) error { _, err := io.WriteString(w, body); return err }})
	}
	return fs
}

// A final name that rename(2) cannot replace (here a directory where Y.npy
// goes) refuses the whole set before any file is renamed: the directory keeps
// the first set whole (F8 of the red team: X.npy was the second instance's
// while metadata.json still named the first).
func TestWriteDirNeverMixes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "inst")
	if err := WriteDir(dir, set("one"), nil); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "Y.npy"))
	os.Mkdir(filepath.Join(dir, "Y.npy"), 0o755)
	err := WriteDir(dir, set("two"), []string{"old.npy"})
	if !errors.As(err, new(*RefusedError)) || !strings.Contains(err.Error(), "Y.npy is a directory") {
		t.Fatalf("WriteDir over a directory Y.npy: %v, want a RefusedError naming it", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "X.npy")); string(b) != "one" {
		t.Errorf("X.npy is %q after the refusal, want the first set's", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 3 {
		t.Errorf("the directory holds %v after the refusal", ents)
	}
	// A stale name that is a directory is refused as well.
	os.Remove(filepath.Join(dir, "Y.npy"))
	os.Mkdir(filepath.Join(dir, "old.npy"), 0o755)
	if err := WriteDir(dir, set("two"), []string{"old.npy"}); !errors.As(err, new(*RefusedError)) {
		t.Errorf("a directory at a stale name: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "X.npy")); string(b) != "one" {
		t.Errorf("X.npy is %q after the second refusal", b)
	}
}
