package experiment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"

	"github.com/lamcap/lamcap/internal/inputfile"
	"github.com/lamcap/lamcap/model"
)

// DataFile names a file of a user embedding in grid.json: its absolute path
// and the SHA-256 (lowercase hex) of its bytes.
type DataFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// String is the path and the digest's first 12 digits, as messages name a
// file (a grid refused on resume printed &{PATH DIGEST}).
func (f DataFile) String() string {
	return fmt.Sprintf("%s (sha256 %.12s...)", f.Path, f.SHA256)
}

// Layouts of the arrays of a user embedding: one vector per row (p x d) or
// per column (d x p).
const (
	LayoutRows    = "rows"
	LayoutColumns = "columns"
)

// UserData is the user embedding of a sweep (model.User): the arrays of
// inputs X and targets Y read from two .npy files, and the files named by
// path and SHA-256. A sweep on user data is one instance family, the
// prefixes of the arrays' p rows: one unit (coupled model, d of the arrays,
// one seed that draws nothing).
type UserData struct {
	Inputs, Targets DataFile
	Layout          string // LayoutRows or LayoutColumns
	src             *model.Matrices
}

// LoadUserData reads the .npy files of a user embedding (layout LayoutRows
// or LayoutColumns; "" means rows) and names them by absolute path and the
// SHA-256 of their bytes. ctx interrupts a long read.
func LoadUserData(ctx context.Context, inputs, targets, layout string) (*UserData, error) {
	if layout == "" {
		layout = LayoutRows
	}
	if layout != LayoutRows && layout != LayoutColumns {
		return nil, fmt.Errorf("user data: layout %q, want rows or columns", layout)
	}
	u := &UserData{Layout: layout}
	// The checked reader first: it refuses a named pipe, device or directory
	// without blocking, and a file too large for memory, before any hashing.
	x, err := model.ReadNPYContext(ctx, inputs, layout == LayoutColumns)
	if err != nil {
		return nil, err
	}
	y, err := model.ReadNPYContext(ctx, targets, layout == LayoutColumns)
	if err != nil {
		return nil, err
	}
	if u.Inputs, err = nameFile(ctx, inputs); err != nil {
		return nil, err
	}
	if u.Targets, err = nameFile(ctx, targets); err != nil {
		return nil, err
	}
	if u.src, err = model.NewMatrices(x, y); err != nil {
		return nil, fmt.Errorf("%s and %s: %w (layout %s)", inputs, targets, err, layout)
	}
	return u, nil
}

// Source is the instance family of the arrays.
func (u *UserData) Source() *model.Matrices { return u.src }

// nameFile names a file by its absolute path and the SHA-256 of its bytes.
// Only a regular file is hashed (inputfile.Open: a named pipe or device is
// refused without blocking), as many bytes as its size when opened, and the
// hashing stops when ctx is cancelled.
func nameFile(ctx context.Context, path string) (DataFile, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return DataFile{}, err
	}
	f, size, err := inputfile.Open(abs)
	if err != nil {
		return DataFile{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, inputfile.Reader(ctx, io.LimitReader(f, size+1)))
	if err != nil {
		return DataFile{}, fmt.Errorf("%s: %w", path, err)
	}
	if n != size {
		return DataFile{}, fmt.Errorf("%s: changed size while being read (%d bytes, then %d)", path, size, n)
	}
	return DataFile{Path: abs, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// changedFile compares the user data files of two grids, old that of
// directory dir: a file of one path with other bytes is refused with a
// *DirError naming it (the sweep's instance is not the one its records are of).
func changedFile(dir string, old, now Grid) error {
	for _, f := range [][2]*DataFile{{old.Inputs, now.Inputs}, {old.Targets, now.Targets}} {
		if a, b := f[0], f[1]; a != nil && b != nil && a.Path == b.Path && a.SHA256 != b.SHA256 {
			return &DirError{fmt.Sprintf("%s has changed since the sweep in %s began (sha256 %.12s... in its %s, %.12s... now), and its records are of the old bytes: restore the file, or sweep the new one into another directory", a.Path, dir, a.SHA256, GridFile, b.SHA256)}
		}
	}
	return nil
}

// userData reads the user data that a grid of dir names, and refuses files
// whose bytes changed since (ChangedFileError): the records' certificates
// are checked on the instances they give.
func (g Grid) userData(dir string) (*UserData, error) {
	u, err := LoadUserData(context.Background(), g.Inputs.Path, g.Targets.Path, g.Layout)
	if err != nil {
		return nil, &DirError{fmt.Sprintf("%s: the user data of its sweep: %v", dir, err)}
	}
	now := g
	now.Inputs, now.Targets = &u.Inputs, &u.Targets
	if err := changedFile(dir, g, now); err != nil {
		return nil, err
	}
	return u, nil
}

// checkUser checks a grid's user data fields: present with the user
// embedding (with one coupled model, one d and one seed), absent otherwise.
func (g Grid) checkUser() error {
	files := g.Inputs != nil || g.Targets != nil || g.Layout != ""
	if g.Embedding != model.User {
		if files {
			return fmt.Errorf("grid: inputs, targets or layout with embedding %v", g.Embedding)
		}
		return nil
	}
	switch {
	case g.Inputs == nil || g.Targets == nil || (g.Layout != LayoutRows && g.Layout != LayoutColumns):
		return fmt.Errorf("grid: a user embedding needs its inputs, targets and layout (rows or columns)")
	case !isDigest(g.Inputs.SHA256) || !isDigest(g.Targets.SHA256) || g.Inputs.SHA256 == "" || g.Targets.SHA256 == "":
		return fmt.Errorf("grid: inputs and targets: want SHA-256 digests as 64 lowercase hex digits")
	case !filepath.IsAbs(g.Inputs.Path) || !filepath.IsAbs(g.Targets.Path):
		return fmt.Errorf("grid: inputs and targets: want absolute paths")
	case len(g.Ds) != 1 || len(g.Models) != 1 || g.Models[0] != model.Coupled || g.SeedFirst != g.SeedLast:
		return fmt.Errorf("grid: a user embedding is one instance family: one d, the coupled model, one seed")
	}
	return nil
}
