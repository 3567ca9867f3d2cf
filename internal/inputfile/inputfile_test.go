package inputfile

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestOpenRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	for path, want := range map[string]string{
		fifo:                          "named pipe",
		"/dev/zero":                   "character device",
		dir:                           "directory",
		filepath.Join(dir, "missing"): "no such file",
	} {
		done := make(chan error, 1)
		go func() { _, _, err := Open(path); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), path+": ") {
				t.Errorf("%s: %v, want an error naming it with %q", path, err, want)
			}
		case <-time.After(time.Minute): // a deadline for a hang only, long enough for any load
			t.Fatalf("%s: Open blocked", path)
		}
	}
	_, _, err := Open(filepath.Join(dir, "missing"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file error %v does not wrap fs.ErrNotExist", err)
	}
}

func TestReadAll(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	os.WriteFile(p, []byte("hello"), 0o644)
	if b, err := ReadAll(context.Background(), p, 5); err != nil || string(b) != "hello" {
		t.Errorf("ReadAll: %q, %v", b, err)
	}
	if _, err := ReadAll(context.Background(), p, 4); !errors.Is(err, ErrTooLarge) {
		t.Errorf("limit 4 on 5 bytes: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ReadAll(ctx, p, 5); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled read: %v", err)
	}
}
