package experiment

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// within fails the test if f does not return within a minute: the calls
// below used to block forever (open(2) of a named pipe) or read /dev/zero
// until memory ran out. The deadline only catches a hang.
func within(t *testing.T, what string, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		t.Fatalf("%s: still blocked after a minute", what)
		return nil
	}
}

// TestSweepFilesMustBeRegular: every file of a sweep directory, and the user
// data a grid names, is read only if it is a regular file; a named pipe or a
// device is refused at once, naming it (F2, F2b of the red team).
func TestSweepFilesMustBeRegular(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	grid, _ := json.Marshal(storeGrid)
	for name, c := range map[string]struct{ file, target, want string }{
		"records FIFO":      {RecordsFile, fifo, "named pipe"},
		"certificates FIFO": {CertificatesFile, fifo, "named pipe"},
		"grid /dev/zero":    {GridFile, "/dev/zero", "character device"},
		"grid FIFO":         {GridFile, fifo, "named pipe"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if c.file != GridFile {
				os.WriteFile(filepath.Join(dir, GridFile), grid, 0o644)
			}
			if err := os.Symlink(c.target, filepath.Join(dir, c.file)); err != nil {
				t.Fatal(err)
			}
			err := within(t, "ReadRecords", func() error { _, _, _, err := ReadRecords(dir); return err })
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("ReadRecords: %v, want an error saying %q", err, c.want)
			}
			err = within(t, "OpenStore", func() error {
				st, err := OpenStore(dir, storeGrid)
				if err == nil {
					st.Close()
				}
				return err
			})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("OpenStore: %v, want an error saying %q", err, c.want)
			}
		})
	}
	for _, path := range []string{fifo, "/dev/zero"} {
		err := within(t, "LoadUserData "+path, func() error {
			_, err := LoadUserData(context.Background(), path, path, "")
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("LoadUserData(%s): %v, want it refused as not a regular file", path, err)
		}
	}
	// nameFile alone (it used to run first, with os.Open and io.Copy).
	err := within(t, "nameFile", func() error { _, err := nameFile(context.Background(), fifo); return err })
	if err == nil || !strings.Contains(err.Error(), "named pipe") {
		t.Errorf("nameFile(FIFO): %v", err)
	}
}
