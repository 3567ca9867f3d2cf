package experiment

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/lamcap/lamcap/internal/inputfile"
	"github.com/lamcap/lamcap/model"
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

// MeasuredPC gives, per (d, model), the mean p* + 1/2 over the certified
// records: p* is the integer part of the real-valued threshold at which the
// instance stops being storable (P(storable | p) = P(p* >= p)), whose mean it
// underestimates by about 1/2. It is CompareLoad.Measured for records.
func MeasuredPC(recs []Record) func(d int, m model.Model) (float64, bool) {
	type key struct {
		d int
		m model.Model
	}
	sum, n := map[key]float64{}, map[key]int{}
	for _, r := range recs {
		if r.Certified {
			k := key{r.D, r.Model}
			sum[k] += float64(r.PStar)
			n[k]++
		}
	}
	return func(d int, m model.Model) (float64, bool) {
		k := key{d, m}
		if n[k] == 0 {
			return 0, false
		}
		return sum[k]/float64(n[k]) + 0.5, true
	}
}
