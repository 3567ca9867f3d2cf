package experiment

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/lamcap/lamcap/internal/inputfile"
)

// CompareFile is the name of the file WriteCompare writes in its directory.
const CompareFile = "compare.json"

// maxCompareBytes bounds a compare.json read back (a few hundred bytes per row).
const maxCompareBytes = 16 << 20

// WriteCompare writes the rows of CompareModels as indented JSON to
// dir/compare.json, atomically, creating dir.
func WriteCompare(dir string, rows []CompareRow) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(rows, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, CompareFile), append(b, '\n'))
}

// ReadCompare reads the rows WriteCompare wrote; ctx interrupts a long read. A
// file that holds no rows is an error.
func ReadCompare(ctx context.Context, path string) ([]CompareRow, error) {
	b, err := inputfile.ReadAll(ctx, path, maxCompareBytes)
	if err != nil {
		return nil, err
	}
	var rows []CompareRow
	if err := json.Unmarshal(b, &rows); err != nil || len(rows) == 0 {
		return nil, fmt.Errorf("%s is not a compare.json of lamcap compare-models", path)
	}
	return rows, nil
}
