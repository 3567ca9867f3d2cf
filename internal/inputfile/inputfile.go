// Package inputfile opens the files lamcap reads (embeddings, certificates) so
// that no input can hang or exhaust it: only regular files are read, opening
// never blocks, sizes are known before anything is allocated, and long reads stop
// when their context is cancelled.
package inputfile

import (
	"context"
	"errors"
	"fmt"
	"github.com/lamcap/lamcap/internal/atomicfile"
	"io"
	"io/fs"
	"os"
)

// Open opens path for reading if it is a regular file (symbolic links are
// followed) and returns its size. A named pipe, device (/dev/zero), socket or
// directory is refused with an error naming what it is. The file is opened
// non-blocking, so a named pipe without a writer cannot hang the open; its mode
// is checked on the open descriptor, so the check and the read see one file.
func Open(path string) (*os.File, int64, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, 0, fmt.Errorf("%s: %w", path, pe.Err)
		}
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, 0, fmt.Errorf("%s: is %s, %w", path, kind(st.Mode()), ErrNotRegular)
	}
	return f, st.Size(), nil
}

// kind names a file type in the words atomicfile uses for outputs.
func kind(m fs.FileMode) string { return atomicfile.Kind(m) }

// ErrNotRegular is wrapped by Open's error for a path that is not a regular
// file (the error says what it is instead).
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is wrapped by ReadAll's error for a file larger than its limit.
var ErrTooLarge = errors.New("file too large")

// ReadAll reads a whole regular file of at most max bytes, checked before
// reading, and stops with ctx's error when ctx is cancelled.
func ReadAll(ctx context.Context, path string, max int64) ([]byte, error) {
	f, size, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if size > max {
		return nil, fmt.Errorf("%s: %w: %d bytes, more than the %d expected", path, ErrTooLarge, size, max)
	}
	// The file may grow after the stat: read at most size+1 bytes to notice.
	b, err := io.ReadAll(io.LimitReader(Reader(ctx, f), size+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(b)) != size {
		return nil, fmt.Errorf("%s: changed size while being read (%d bytes, then %d)", path, size, len(b))
	}
	return b, nil
}

// Reader returns r with every Read failing with ctx.Err() once ctx is done.
// Reads should be of bounded size (a megabyte or so) for this to be prompt.
func Reader(ctx context.Context, r io.Reader) io.Reader {
	if ctx.Done() == nil {
		return r
	}
	return ctxReader{ctx, r}
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
