package model

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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
	// Column layout: d x p transposed to p x d, from either storage order.
	for _, name := range []string{"f8_2x3.npy", "fortran_2x3.npy", "be_f8_2x3.npy"} {
		m, err = ReadNPY(filepath.Join(fixtures, name), true)
		if err != nil || !mat.Equal(m, want23.T()) {
			t.Errorf("%s, columns layout: %v (%v)", name, m, err)
		}
	}
	// Big-endian float64.
	if m, err = ReadNPY(filepath.Join(fixtures, "be_f8_2x3.npy"), false); err != nil || !mat.Equal(m, want23) {
		t.Errorf("big-endian fixture: %v (%v)", m, err)
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
		// Issue 11: float16 was reported as truncated, an empty array panicked,
		// and a huge announced shape must be refused before any allocation.
		"f2_2x3.npy":    "unsupported dtype float16",
		"empty_0x3.npy": "shape (0, 3): it holds no embeddings",
		"huge_2x3.npy":  "truncated: 48 bytes of data, the header announces more than 2^63",
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

// Files that are not regular are refused before anything is read: /dev/zero
// used to be read until the kernel killed lamcap, and a FIFO without a writer
// blocked in open(2), deaf to Ctrl-C.
func TestReadNPYSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.npy")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// No wall-clock guard of our own (a busy machine can stall any goroutine
	// for seconds): a ReadNPY blocked in open(2) or reading /dev/zero for ever
	// is caught by the test binary's -timeout, whose panic names this test and
	// shows the blocked call in the goroutine dump.
	for path, want := range map[string]string{"/dev/zero": "character device", fifo: "named pipe", dir: "directory"} {
		_, err := ReadNPY(path, false)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("%s: %v, want a refusal naming %q", path, err, want)
		}
	}
}

// A file larger than the memory budget is refused from its header; a cancelled
// read stops.
func TestReadNPYBudgetAndCancel(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.npy")
	if err := WriteNPY(p, mat.NewDense(300, 200, nil)); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LAMCAP_MEMORY_LIMIT", "100000")
	_, err := ReadNPY(p, false)
	if err == nil || !strings.Contains(err.Error(), "a 300 x 200 array: needs about 469 KiB of memory, more than the 97.7 KiB") {
		t.Errorf("over budget: %v", err)
	}
	t.Setenv("LAMCAP_MEMORY_LIMIT", "")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ReadNPYContext(ctx, p, false); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled read: %v", err)
	}
}

// Headers are parsed strictly; every malformed one is an error naming the
// problem, never a panic.
func TestNPYHeaders(t *testing.T) {
	good := []float64{1, 2, 3, 4, 5, 6}
	for dict, want := range map[string]string{
		"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }":               "",
		"{\"descr\":\"<f8\",\"shape\":(2L,3L),\"fortran_order\":False}":             "",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)":                  "want ',' or '}'",
		"{'descr': '<f8', 'fortran_order': False}":                                  `no "shape"`,
		"{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)}": "given twice",
		"{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2, 3)}":        "structured",
		"{'descr': '<f8', 'fortran_order': Maybe, 'shape': (2, 3)}":                 "True or False",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (2, -3)}":                "nonnegative",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'x': 1}":         "unexpected key",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)} junk":            "text after",
		"{'descr': '=f8', 'fortran_order': False, 'shape': (2, 3)}":                 "native byte order",
		"{'descr': '<c16', 'fortran_order': False, 'shape': (2, 3)}":                "unsupported dtype complex128",
	} {
		raw := rawNPY(1, dict, good)
		_, err := DecodeNPY(context.Background(), bytes.NewReader(raw), int64(len(raw)), false)
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: %v, want %q", dict, err, want)
		}
	}
	// Versions 2 and 3 have a 4-byte header length; a length beyond the file or
	// beyond 1 MiB is refused before it is allocated.
	raw := rawNPY(2, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", good)
	if m, err := DecodeNPY(context.Background(), bytes.NewReader(raw), int64(len(raw)), false); err != nil || m.At(1, 2) != 6 {
		t.Errorf("version 2: %v", err)
	}
	raw[8], raw[9], raw[10], raw[11] = 0xff, 0xff, 0xff, 0x7f
	if _, err := DecodeNPY(context.Background(), bytes.NewReader(raw), int64(len(raw)), false); err == nil || !strings.Contains(err.Error(), "header of 2147483647 bytes") {
		t.Errorf("huge header length: %v", err)
	}
}

// rawNPY builds a .npy file of float64 data with a given header dict.
func rawNPY(version byte, dict string, data []float64) []byte {
	dict += "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY")
	b.WriteByte(version)
	b.WriteByte(0)
	if version == 1 {
		binary.Write(&b, binary.LittleEndian, uint16(len(dict)))
	} else {
		binary.Write(&b, binary.LittleEndian, uint32(len(dict)))
	}
	b.WriteString(dict)
	binary.Write(&b, binary.LittleEndian, data)
	return b.Bytes()
}

func TestNPYMismatchedShapes(t *testing.T) {
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

// NewMatrices refuses NaN and infinite entries in either matrix, naming the
// matrix and the entry (user data must be finite: a margin with NaN compares
// false both ways, and an infinite one has no rounding bound).
func TestNewMatricesRefusesNonFinite(t *testing.T) {
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		for _, which := range []string{"inputs", "targets"} {
			x := mat.NewDense(3, 2, []float64{1, 0, 0, 1, 1, 1})
			y := mat.NewDense(3, 2, []float64{0, 1, 1, 0, 1, -1})
			m := x
			if which == "targets" {
				m = y
			}
			m.Set(2, 1, bad)
			_, err := NewMatrices(x, y)
			if err == nil || !strings.Contains(err.Error(), which) || !strings.Contains(err.Error(), "(2, 1)") {
				t.Errorf("%s with %v at (2, 1): error %v, want one naming %s and the entry", which, bad, err, which)
			}
		}
	}
	x := mat.NewDense(3, 2, []float64{1, 0, 0, 1, 1, 1})
	y := mat.NewDense(3, 2, []float64{0, 1, 1, 0, 1, -1})
	if _, err := NewMatrices(x, y); err != nil {
		t.Errorf("finite data refused: %v", err)
	}
}
