// Package atomicfile writes files so that a reader sees the old file or the
// complete new one, never a part, and a failed write leaves nothing behind.
// Files get ordinary permissions: 0666 less the process umask, as os.Create gives.
//
// Only a regular file, or nothing, is ever replaced: a directory, a symbolic
// link, a named pipe, a device or a socket at the output path is refused with a
// *NotRegularError (renaming over it would silently replace what the user put
// there, /dev/full or a FIFO another program reads, with a plain file).
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
	if err := CheckTarget(path); err != nil {
		return err
	}
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
		err = CheckTarget(path) // the path may have changed while fill ran
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

// NotRegularError refuses an output path that holds something other than a
// regular file.
type NotRegularError struct {
	Path string
	Kind string // "a directory", "a symbolic link", "a named pipe (FIFO)", ...
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s; lamcap writes output only to a new path or over a regular file", e.Path, e.Kind)
}

// CheckTarget reports whether path may be written: it does not exist, or it is
// a regular file (not followed through a symbolic link). Anything else is a
// *NotRegularError. Other errors of lstat (a missing parent directory, say) are
// left for the write itself to meet.
func CheckTarget(path string) error {
	st, err := os.Lstat(path)
	if err != nil || st.Mode().IsRegular() {
		return nil
	}
	return &NotRegularError{Path: path, Kind: Kind(st.Mode())}
}

// Kind names the type of a file mode for messages: "a directory", "a named
// pipe (FIFO)", "a character device", ...
func Kind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "a special file (" + m.Type().String() + ")"
}
