package model

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// FuzzDecodeNPY feeds arbitrary bytes to the .npy reader. Properties: it never
// panics; what it accepts has the size its header announces, re-encodes and
// decodes to the same matrix, and transposes under the columns layout; and it
// never allocates much beyond the input's own size, whatever shape the header
// declares. Seeds: the fixtures in testdata/npy and testdata/fuzz/FuzzDecodeNPY.
func FuzzDecodeNPY(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(fixtures, "*.npy"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		ctx := context.Background()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		m, err := DecodeNPY(ctx, bytes.NewReader(raw), int64(len(raw)), false)
		runtime.ReadMemStats(&after)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(16*len(raw))+1<<20 {
			t.Fatalf("decoding %d bytes allocated %d bytes", len(raw), alloc)
		}
		if err != nil {
			if m != nil {
				t.Fatal("matrix returned with an error")
			}
			return
		}
		r, c := m.Dims()
		if 4*r*c > len(raw) {
			t.Fatalf("%d x %d matrix from %d bytes", r, c, len(raw))
		}
		var buf bytes.Buffer
		if err := EncodeNPY(&buf, m); err != nil {
			t.Fatal(err)
		}
		back, err := DecodeNPY(ctx, bytes.NewReader(buf.Bytes()), int64(buf.Len()), false)
		if err != nil || !mat.Equal(back, m) {
			t.Fatalf("round trip: %v", err)
		}
		tr, err := DecodeNPY(ctx, bytes.NewReader(raw), int64(len(raw)), true)
		if err != nil || !mat.Equal(tr, m.T()) {
			t.Fatalf("columns layout is not the transpose: %v", err)
		}
	})
}
