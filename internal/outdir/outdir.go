// Package outdir writes lamcap's output files: each atomically (a failed write
// leaves the old file or none, never a part), and sets of files into a
// directory as a whole, into directories that are new, empty or lamcap's own.
package outdir

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/lamcap/lamcap/internal/atomicfile"
	"github.com/lamcap/lamcap/internal/inputfile"
)

// Hook, when set, wraps the writer of every file Write writes. Tests set it
// to make writes fail as on a full disk; it is nil otherwise.
var Hook func(path string, w io.Writer) io.Writer

// RefusedError refuses a directory for output: it is not a directory, or it
// holds files lamcap did not write. The user's choice is what is wrong.
type RefusedError struct{ msg string }

func (e *RefusedError) Error() string { return e.msg }

func refusef(format string, a ...any) error { return &RefusedError{fmt.Sprintf(format, a...)} }

// Write writes one output file atomically (internal/atomicfile): into a
// temporary file beside path, renamed over it only when complete, so a failed
// write leaves the old file, or none, and never a part.
func Write(path string, fill func(w io.Writer) error) error {
	return atomicfile.WriteWith(path, func(w io.Writer) error {
		if Hook != nil {
			w = Hook(path, w)
		}
		return fill(w)
	})
}

// stagingPrefix names the directory a set of files is written into before it is
// renamed into place.
const stagingPrefix = ".lamcap-staging-"

// File is one file of a set written together.
type File struct {
	Name string
	Fill func(w io.Writer) error
}

// WriteDir writes files into dir as a set: each is written completely into
// a staging directory inside dir, and only when all are written are they renamed
// into place, in order (so the last one, the metadata, appears last). A failure
// leaves dir as it was. dir must be new, empty, or already lamcap's (holding a
// metadata.json whose "generator" names lamcap); files named in stale that are
// not in files are removed, so a directory never mixes two instances.
//
// Every final name (of files and stale) must be new or a regular file: a
// directory, symbolic link, named pipe or device there, which rename(2)
// cannot replace or should not, is refused (*RefusedError) before anything is
// written, and checked again before the first rename, so that a refusal
// never leaves some files renamed and others not.
func WriteDir(dir string, files []File, stale []string) error {
	created, err := prepareOutputDir(dir)
	if err != nil {
		return err
	}
	if err := checkNames(dir, files, stale); err != nil {
		if created {
			os.Remove(dir)
		}
		return err
	}
	stage, err := os.MkdirTemp(dir, stagingPrefix+"*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", dir, err)
	}
	defer os.RemoveAll(stage)
	fail := func(err error) error {
		os.RemoveAll(stage)
		if created {
			os.Remove(dir) // only if still empty
		}
		return err
	}
	for _, f := range files {
		if err := Write(filepath.Join(stage, f.Name), f.Fill); err != nil {
			return fail(fmt.Errorf("%w (nothing in %s was changed)", err, dir))
		}
	}
	if err := checkNames(dir, files, stale); err != nil {
		return fail(err)
	}
	keep := map[string]bool{}
	for _, f := range files {
		keep[f.Name] = true
		if err := os.Rename(filepath.Join(stage, f.Name), filepath.Join(dir, f.Name)); err != nil {
			return fmt.Errorf("writing %s: %w", dir, err)
		}
	}
	for _, name := range stale {
		if !keep[name] {
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("removing the stale %s: %w", filepath.Join(dir, name), err)
			}
		}
	}
	return nil
}

// Check refuses, without creating or changing anything, what WriteDir would
// refuse up front (*RefusedError): dir not a directory, a directory holding
// files lamcap did not write, or one of names there that is not a regular
// file. A command calls it before its work, so that a refusal comes before
// minutes of solving, not after (solve --arrays printed its verdict, then
// exit 2).
func Check(dir string, names []string) error {
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	if !st.IsDir() {
		return refusef("%s exists and is not a directory", dir)
	}
	all, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	var foreign []fs.DirEntry
	for _, e := range all {
		if !strings.HasPrefix(e.Name(), stagingPrefix) {
			foreign = append(foreign, e)
		}
	}
	if err := refuseForeign(dir, foreign); err != nil {
		return err
	}
	return checkNames(dir, nil, names)
}

// checkNames refuses a final name of files or stale in dir that holds
// something other than a regular file (atomicfile.CheckTarget).
func checkNames(dir string, files []File, stale []string) error {
	names := slices.Clone(stale)
	for _, f := range files {
		names = append(names, f.Name)
	}
	for _, name := range names {
		if err := atomicfile.CheckTarget(filepath.Join(dir, name)); err != nil {
			return refusef("%v (nothing in %s was changed)", err, dir)
		}
	}
	return nil
}

// prepareOutputDir creates dir if needed (reporting whether it did) and refuses
// a directory that holds anything but lamcap's own output.
func prepareOutputDir(dir string) (bool, error) {
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o777); err != nil {
			return false, fmt.Errorf("creating %s: %w", dir, err)
		}
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s: %w", dir, err)
	}
	if !st.IsDir() {
		return false, refusef("%s exists and is not a directory", dir)
	}
	all, err := os.ReadDir(dir)
	if err != nil {
		return false, fmt.Errorf("%s: %w", dir, err)
	}
	var entries []fs.DirEntry
	for _, e := range all {
		if strings.HasPrefix(e.Name(), stagingPrefix) { // left by a killed run
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return false, fmt.Errorf("removing a stale staging directory: %w", err)
			}
			continue
		}
		entries = append(entries, e)
	}
	return false, refuseForeign(dir, entries)
}

// refuseForeign refuses dir when it holds entries (staging directories left
// out) and is not lamcap's own output.
func refuseForeign(dir string, entries []fs.DirEntry) error {
	if len(entries) == 0 || isLamcapOutput(dir) {
		return nil
	}
	var names []string
	for _, e := range entries[:min(3, len(entries))] {
		names = append(names, e.Name())
	}
	return refusef("%s holds files lamcap did not write (%s...); give a new or empty directory", dir, strings.Join(names, ", "))
}

// isLamcapOutput reports whether dir holds a metadata.json written by lamcap.
func isLamcapOutput(dir string) bool {
	b, err := inputfile.ReadAll(context.Background(), filepath.Join(dir, "metadata.json"), 1<<20)
	if err != nil {
		return false
	}
	var m struct {
		Generator string `json:"generator"`
	}
	return json.Unmarshal(b, &m) == nil && strings.HasPrefix(m.Generator, "lamcap ")
}
