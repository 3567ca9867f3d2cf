package model

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/sbinet/npyio/npy"
	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/internal/atomicfile"
)

// Matrices is a source of user-supplied embeddings: row mu of X and Y are x_mu and
// y_mu. Prefixes of the rows give the nested instances. Only the coupled model is
// defined for user data: decoupled competitors would need a target distribution.
type Matrices struct {
	X, Y *mat.Dense
}

// NewMatrices checks that X and Y have the same shape p x d with p >= 2, d >= 2 and
// finite entries.
func NewMatrices(x, y *mat.Dense) (*Matrices, error) {
	px, dx := x.Dims()
	py, dy := y.Dims()
	if dx != dy || px != py {
		return nil, fmt.Errorf("inputs are %d x %d but targets %d x %d: shapes must match", px, dx, py, dy)
	}
	if px < 2 || dx < 2 {
		return nil, fmt.Errorf("need at least 2 associations in dimension at least 2, got p=%d d=%d", px, dx)
	}
	return &Matrices{X: x, Y: y}, nil
}

func (m *Matrices) Dim() int             { _, d := m.X.Dims(); return d }
func (m *Matrices) Model() Model         { return Coupled }
func (m *Matrices) Embedding() Embedding { return User }
func (m *Matrices) MaxP() int            { p, _ := m.X.Dims(); return p }
func (m *Matrices) Input(mu int, dst []float64) {
	copy(dst, m.X.RawRowView(mu))
}
func (m *Matrices) Target(mu int, dst []float64) {
	copy(dst, m.Y.RawRowView(mu))
}
func (m *Matrices) Competitor(_, v int, dst []float64) { m.Target(v, dst) }

// ReadNPY reads a two-dimensional float32 or float64 NumPy array. With
// columns true the file holds d x p (one embedding per column) and is transposed
// to p x d. Errors name the file and say what is wrong with it.
func ReadNPY(path string, columns bool) (*mat.Dense, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r, err := npy.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: not a NumPy .npy file (%v)", path, err)
	}
	shape := r.Header.Descr.Shape
	if len(shape) != 2 {
		return nil, fmt.Errorf("%s: array has shape %v, want two dimensions (p x d or d x p)", path, shape)
	}
	rows, cols := shape[0], shape[1]
	// npyio does not notice a file cut short: compare the data bytes with the header.
	item := 8
	if strings.Contains(r.Header.Descr.Type, "4") {
		item = 4
	}
	if start := npyDataOffset(raw); start > 0 && len(raw)-start < rows*cols*item {
		return nil, fmt.Errorf("%s: truncated: %d bytes of data, the header announces %d", path, len(raw)-start, rows*cols*item)
	}
	var data []float64
	switch r.Header.Descr.Type {
	case "<f8", "f8", "float64":
		err = r.Read(&data)
	case "<f4", "f4", "float32":
		var f32 []float32
		err = r.Read(&f32)
		data = make([]float64, len(f32))
		for i, v := range f32 {
			data[i] = float64(v)
		}
	default:
		return nil, fmt.Errorf("%s: unsupported dtype %s (want float32 or float64, little-endian)", path, r.Header.Descr.Type)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: truncated or unreadable data (%v)", path, err)
	}
	if len(data) != rows*cols {
		return nil, fmt.Errorf("%s: truncated: %d of %d values", path, len(data), rows*cols)
	}
	for i, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%s: entry %d (row %d, column %d) is %v", path, i, i/cols, i%cols, v)
		}
	}
	var m *mat.Dense
	if r.Header.Descr.Fortran {
		m = mat.NewDense(cols, rows, data)
		m = mat.DenseCopyOf(m.T())
	} else {
		m = mat.NewDense(rows, cols, data)
	}
	if columns {
		m = mat.DenseCopyOf(m.T())
	}
	return m, nil
}

// npyDataOffset is where the data of a .npy file start (0 if unknown).
func npyDataOffset(raw []byte) int {
	if len(raw) < 12 {
		return 0
	}
	switch raw[6] {
	case 1:
		return 10 + (int(raw[8]) | int(raw[9])<<8)
	case 2, 3:
		return 12 + (int(raw[8]) | int(raw[9])<<8 | int(raw[10])<<16 | int(raw[11])<<24)
	}
	return 0
}

// WriteNPY writes m as a C-order float64 .npy file, atomically.
func WriteNPY(path string, m mat.Matrix) error {
	r, c := m.Dims()
	data := make([]float64, 0, r*c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			data = append(data, m.At(i, j))
		}
	}
	return atomicfile.WriteWith(path, func(w io.Writer) error {
		return npy.Write(w, mat.NewDense(r, c, data))
	})
}

// WriteNPY3 writes a p x p x d array (the decoupled competitors) in C order.
func WriteNPY3(path string, blocks []*mat.Dense) error {
	if len(blocks) == 0 {
		return fmt.Errorf("%s: no data", path)
	}
	r, c := blocks[0].Dims()
	flat := make([]float64, 0, len(blocks)*r*c)
	for _, b := range blocks {
		for i := 0; i < r; i++ {
			flat = append(flat, b.RawRowView(i)...)
		}
	}
	return atomicfile.WriteWith(path, func(w io.Writer) error {
		return writeNPYHeader(w, []int{len(blocks), r, c}, flat)
	})
}

// writeNPYHeader writes a version 1.0 C-order little-endian float64 .npy file of
// the given shape. npyio's writer takes only one- and two-dimensional values, so
// the three-dimensional competitor array is written here, following the format
// specification: magic, version, a little-endian uint16 header length, and an
// ASCII dict padded with spaces and a newline so that the data starts at a
// multiple of 64 bytes.
func writeNPYHeader(w io.Writer, shape []int, data []float64) error {
	dict := "{'descr': '<f8', 'fortran_order': False, 'shape': ("
	for i, s := range shape {
		if i > 0 {
			dict += ", "
		}
		dict += fmt.Sprint(s)
	}
	if len(shape) == 1 {
		dict += ","
	}
	dict += "), }"
	pre := 10 // magic (6) + version (2) + header length (2)
	total := pre + len(dict) + 1
	pad := (64 - total%64) % 64
	dict += string(bytes.Repeat([]byte{' '}, pad)) + "\n"
	hdr := append([]byte("\x93NUMPY\x01\x00"), byte(len(dict)), byte(len(dict)>>8))
	hdr = append(hdr, dict...)
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	buf := make([]byte, 8*len(data))
	for i, v := range data {
		b := math.Float64bits(v)
		for k := 0; k < 8; k++ {
			buf[8*i+k] = byte(b >> (8 * k))
		}
	}
	_, err := w.Write(buf)
	return err
}
