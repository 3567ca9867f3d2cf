// Package atomicfile writes files so that a reader sees the old file or the
// complete new one, never a part, and a failed write leaves nothing behind.
// Files get ordinary permissions: 0666 less the process umask, as os.Create gives.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// Write writes data to path atomically.
func Write(path string, data []byte) error {
	return WriteWith(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteWith streams into a temporary file beside path, syncs it and renames it
// over path, then syncs the directory so the rename survives a crash. If fill
// fails, the temporary file is removed and path is untouched.
func WriteWith(path string, fill func(w io.Writer) error) error {
	tmp, err := createTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	name := tmp.Name()
	err = fill(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	SyncDir(filepath.Dir(path))
	return nil
}

// createTemp is os.CreateTemp with mode 0666 (less the umask) instead of 0600:
// the file becomes the output, so it gets the permissions os.Create would give.
func createTemp(dir, prefix string) (*os.File, error) {
	for try := 0; ; try++ {
		name := filepath.Join(dir, prefix+strconv.FormatUint(rand.Uint64(), 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) && try < 100 {
			continue
		}
		return f, err
	}
}

// SyncDir fsyncs a directory, making renames and new files in it durable. It is
// best effort: some file systems cannot sync a directory.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
