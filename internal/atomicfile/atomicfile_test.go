package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestWritePermissionsFollowUmask(t *testing.T) {
	dir := t.TempDir()
	for _, mask := range []int{0o022, 0o077, 0o002} {
		old := syscall.Umask(mask)
		path := filepath.Join(dir, "out")
		err := Write(path, []byte("x"))
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		// os.Create is the ordinary behaviour Write must match.
		syscall.Umask(mask)
		ref, err := os.Create(filepath.Join(dir, "ref"))
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		ref.Close()
		got, _ := os.Stat(path)
		want, _ := os.Stat(ref.Name())
		if got.Mode().Perm() != want.Mode().Perm() {
			t.Errorf("umask %03o: mode %v, os.Create gives %v", mask, got.Mode().Perm(), want.Mode().Perm())
		}
		os.Remove(path)
		os.Remove(ref.Name())
	}
}

func TestWriteWithFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out")
	if err := Write(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteWith(path, func(w io.Writer) error {
		w.Write([]byte("half"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want boom", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("failed write changed the file to %q", b)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("failed write left files behind: %v", names)
	}
	if _, err := os.Stat(filepath.Join(dir, "missing", "x")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	if err := Write(filepath.Join(dir, "missing", "x"), nil); err == nil {
		t.Error("write into a missing directory succeeded")
	}
}
