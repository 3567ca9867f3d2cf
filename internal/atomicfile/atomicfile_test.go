package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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

// TestWriteRefusesSpecialTargets: a FIFO, a symbolic link, a directory or a
// device (Kind) at the output path is refused and left as it was (before, a FIFO or
// /dev/full was replaced by a regular file).
func TestWriteRefusesSpecialTargets(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "target")
	os.WriteFile(target, []byte("keep"), 0o644)
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	cases := map[string]string{fifo: "a named pipe (FIFO)", link: "a symbolic link", sub: "a directory"}
	// No device here: a regression run as root would replace /dev/full.
	for path, kind := range cases {
		before, _ := os.Lstat(path)
		err := Write(path, []byte("x"))
		if err == nil || !strings.Contains(err.Error(), kind) {
			t.Errorf("%s: %v, want an error naming %s", path, err, kind)
		}
		after, _ := os.Lstat(path)
		if before.Mode() != after.Mode() {
			t.Errorf("%s: mode %v became %v", path, before.Mode(), after.Mode())
		}
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Errorf("the symlink's target was changed: %q", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 4 {
		t.Errorf("left files behind: %v", ents)
	}
	// A regular file is replaced as before.
	if err := Write(target, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(target); string(b) != "new" {
		t.Errorf("regular file not replaced: %q", b)
	}
}
