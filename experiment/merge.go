package experiment

import (
	"fmt"
	"os"
	"path/filepath"
)

// Warn is told about the lines of a records file at path that a reader set
// aside, and what was done with them.
type Warn func(path string, bad []BadLine, action string)

// Merge combines sweep directories of one grid (the shards of a sweep, or
// partial runs of it) into the sweep directory out, which then holds what a
// single run would have produced, and returns its result (with the theory for
// the grid's kappa). The inputs are read, never changed: their bad lines are
// skipped and reported to warn. Every input is read before anything is
// written, so inputs of different grids (Grid.Same) or with conflicting
// records of one unit leave out untouched. A directory that is not a sweep,
// holds another grid, or is out itself is a *DirError. Records are read with
// their certificates checked (ReadRecords), and the certificates are copied
// into out beside them; records no certificate re-checked (version 1, or
// digests only) are kept as written and counted in Result.AsWritten.
func Merge(out string, dirs []string, warn Warn) (Result, error) {
	if len(dirs) == 0 {
		return Result{}, &DirError{"name at least one sweep directory to merge"}
	}
	if oi, err := os.Stat(out); err == nil {
		for _, d := range dirs {
			if di, err := os.Stat(d); err == nil && os.SameFile(oi, di) {
				return Result{}, &DirError{fmt.Sprintf("--out %s is one of the directories to merge; merge into a new directory", out)}
			}
		}
	}
	var grid *Grid
	var all []Record
	at := map[Unit]int{} // index in all
	from := map[Unit]string{}
	for _, d := range dirs {
		recs, g, bad, err := ReadRecords(d)
		if err != nil {
			return Result{}, &DirError{err.Error()}
		}
		if grid == nil {
			grid = &g
		} else if !grid.Same(g) {
			return Result{}, &DirError{fmt.Sprintf("%s holds a different grid from %s; only shards of one sweep can be merged", d, dirs[0])}
		}
		// A version 1 input (records without certificates) makes the output
		// version 1 too: its records are kept as they are.
		grid.Version = min(grid.Version, g.Version)
		path := filepath.Join(d, RecordsFile)
		for _, b := range bad {
			if b.Conflict {
				return Result{}, fmt.Errorf("%s line %d: %s", path, b.Line, b.Reason)
			}
		}
		if warn != nil && len(bad) > 0 {
			warn(path, bad, "skipped (the file is left as it is)")
		}
		for _, r := range recs {
			if i, ok := at[r.Unit]; ok {
				if !all[i].SameResult(r) {
					return Result{}, fmt.Errorf("%s has conflicting records in %s and %s", r.Unit.Name(), from[r.Unit], d)
				}
				continue
			}
			at[r.Unit], from[r.Unit] = len(all), d
			all = append(all, r)
		}
	}
	st, err := OpenStore(out, *grid)
	if err != nil {
		return Result{}, err
	}
	defer st.Close()
	if warn != nil && len(st.Rejected) > 0 {
		warn(filepath.Join(out, RecordsFile), st.Rejected, "moved to "+filepath.Join(out, RejectedFile))
	}
	for _, r := range all {
		if old, ok := st.Record(r.Unit); ok && !old.SameResult(r) {
			return Result{}, fmt.Errorf("%s has conflicting records in %s and %s", r.Unit.Name(), out, from[r.Unit])
		}
	}
	asWritten := st.Uncertified // of the records out held already
	for _, r := range all {
		if _, ok := st.Record(r.Unit); !ok && r.TakenAsWritten() {
			asWritten++
		}
		if err := st.Append(r); err != nil {
			return Result{}, fmt.Errorf("merging into %s: %w", out, err)
		}
	}
	recs := st.Records()
	if st.Grid.IsVerdicts() {
		return Result{Grid: st.Grid, Records: recs, Verdicts: SummariseVerdicts(recs, st.Grid), AsWritten: asWritten}, nil
	}
	groups, err := SummariseWithTheory(recs, st.Grid.Kappa)
	return Result{Grid: st.Grid, Records: recs, Groups: groups, AsWritten: asWritten}, err
}
