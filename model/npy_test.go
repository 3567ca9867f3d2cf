package model

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sbinet/npyio/npy"
	"gonum.org/v1/gonum/mat"
)

const fixtures = "../testdata/npy"

func TestReadNPYFixtures(t *testing.T) {
	want23 := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})
	for _, name := range []string{"f8_2x3.npy", "fortran_2x3.npy"} {
		m, err := ReadNPY(filepath.Join(fixtures, name), false)
		if err != nil {
			t.Fatal(err)
		}
		if !mat.Equal(m, want23) {
			t.Errorf("%s read as %v", name, mat.Formatted(m))
		}
	}
	m, err := ReadNPY(filepath.Join(fixtures, "f4_3x2.npy"), false)
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(m, mat.NewDense(3, 2, []float64{0.5, -1, 2, 3.25, 0, 7})) {
		t.Errorf("float32 fixture read as %v", mat.Formatted(m))
	}
	// Column layout: d x p transposed to p x d.
	m, _ = ReadNPY(filepath.Join(fixtures, "f8_2x3.npy"), true)
	if !mat.Equal(m, want23.T()) {
		t.Errorf("columns layout gave %v", mat.Formatted(m))
	}
}

func TestReadNPYBadFiles(t *testing.T) {
	for name, want := range map[string]string{
		"i8_2x3.npy":    "unsupported dtype",
		"nan_2x3.npy":   "NaN",
		"vec_4.npy":     "two dimensions",
		"trunc_2x3.npy": "truncated",
		"not_npy.npy":   "not a NumPy",
		"missing.npy":   "no such file",
	} {
		_, err := ReadNPY(filepath.Join(fixtures, name), false)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v, want one naming the file and containing %q", name, err, want)
		}
	}
	x, _ := ReadNPY(filepath.Join(fixtures, "f8_2x3.npy"), false)
	y, _ := ReadNPY(filepath.Join(fixtures, "f4_3x2.npy"), false)
	if _, err := NewMatrices(x, y); err == nil {
		t.Error("mismatched shapes accepted")
	}
}

// Written files: the header bytes checked by hand against the format, and the
// data read back exactly (2-D through npyio, 3-D through our writer).
func TestWriteNPY(t *testing.T) {
	dir := t.TempDir()
	in, _ := NewInstance(Random{D: 3, Seed: 8, Kind: Decoupled}, 4)
	p := filepath.Join(dir, "X.npy")
	if err := WriteNPY(p, in.X); err != nil {
		t.Fatal(err)
	}
	back, err := ReadNPY(p, false)
	if err != nil || !mat.Equal(back, in.X) {
		t.Fatalf("round trip failed: %v", err)
	}
	blocks := make([]*mat.Dense, in.P)
	for mu := range blocks {
		blocks[mu] = in.Competitors(mu)
	}
	p3 := filepath.Join(dir, "C.npy")
	if err := WriteNPY3(p3, blocks); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(p3)
	if !bytes.HasPrefix(raw, []byte("\x93NUMPY\x01\x00")) {
		t.Fatalf("bad magic % x", raw[:8])
	}
	hlen := int(raw[8]) | int(raw[9])<<8
	if (10+hlen)%64 != 0 || raw[10+hlen-1] != '\n' {
		t.Errorf("header length %d does not align the data to 64 bytes", hlen)
	}
	if h := string(raw[10 : 10+hlen]); !strings.HasPrefix(h, "{'descr': '<f8', 'fortran_order': False, 'shape': (4, 4, 3), }") {
		t.Errorf("header %q", h)
	}
	r, err := npy.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var flat []float64
	if err := r.Read(&flat); err != nil {
		t.Fatal(err)
	}
	for mu := 0; mu < 4; mu++ {
		for v := 0; v < 4; v++ {
			for i := 0; i < 3; i++ {
				if flat[(mu*4+v)*3+i] != blocks[mu].At(v, i) {
					t.Fatalf("competitor [%d,%d,%d] differs", mu, v, i)
				}
			}
		}
	}
}
