package model

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/internal/atomicfile"
	"github.com/lamcap/lamcap/internal/inputfile"
	"github.com/lamcap/lamcap/internal/memlimit"
)

// The .npy format (numpy.lib.format): the magic "\x93NUMPY", a major and minor
// version byte, the header length (uint16 little-endian in version 1, uint32 in
// versions 2 and 3), and the header: a Python dict literal with the keys 'descr',
// 'fortran_order' and 'shape', padded with spaces and ended by a newline. The
// data follow, exactly prod(shape) items.
//
// lamcap reads the header itself, strictly, before it allocates anything: the
// header may not be longer than maxNPYHeader or the file, the data must be
// exactly as long as the shape and dtype say, and the matrix must fit the memory
// budget (package memlimit).

var npyMagic = []byte("\x93NUMPY")

// maxNPYHeader bounds the header length a file may announce; NumPy itself reads
// at most 10000 bytes of header by default.
const maxNPYHeader = 1 << 20

// npyHeader is what the header of a .npy file says.
type npyHeader struct {
	descr   string // e.g. "<f8"
	fortran bool
	shape   []int64
	offset  int64 // where the data start
}

// readNPYHeader reads the magic, version, length and dict of a .npy stream of
// size bytes, leaving r at the start of the data.
func readNPYHeader(r io.Reader, size int64) (npyHeader, error) {
	var h npyHeader
	var pre [12]byte
	if _, err := io.ReadFull(r, pre[:10]); err != nil {
		return h, notNPY("file too short (%d bytes)", size)
	}
	if !bytes.Equal(pre[:6], npyMagic) {
		return h, notNPY("no \\x93NUMPY magic at the start")
	}
	var hlen int64
	switch pre[6] {
	case 1:
		hlen, h.offset = int64(binary.LittleEndian.Uint16(pre[8:10])), 10
	case 2, 3:
		if _, err := io.ReadFull(r, pre[10:12]); err != nil {
			return h, notNPY("file too short (%d bytes)", size)
		}
		hlen, h.offset = int64(binary.LittleEndian.Uint32(pre[8:12])), 12
	default:
		return h, notNPY("format version %d.%d is not 1, 2 or 3", pre[6], pre[7])
	}
	if hlen > maxNPYHeader {
		return h, notNPY("header of %d bytes announced, more than the %d allowed", hlen, maxNPYHeader)
	}
	if h.offset+hlen > size {
		return h, notNPY("header of %d bytes announced in a file of %d bytes", hlen, size)
	}
	dict := make([]byte, hlen)
	if _, err := io.ReadFull(r, dict); err != nil {
		return h, notNPY("header unreadable (%v)", err)
	}
	h.offset += hlen
	if err := h.parseDict(string(dict)); err != nil {
		return h, notNPY("header %q: %v", clip(string(dict), 80), err)
	}
	return h, nil
}

// notNPYError marks a file that is not a readable .npy file at all.
type notNPYError struct{ msg string }

func (e notNPYError) Error() string { return "not a NumPy .npy file: " + e.msg }

func notNPY(format string, a ...any) error { return notNPYError{fmt.Sprintf(format, a...)} }

func clip(s string, n int) string {
	s = strings.TrimRight(s, " \n")
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// parseDict parses the header dict: a Python literal of the three keys, with
// string, boolean and integer-tuple values.
func (h *npyHeader) parseDict(s string) error {
	p := &pyParser{s: s}
	if !p.eat('{') {
		return errors.New("want a dict")
	}
	seen := map[string]bool{}
	for !p.eat('}') {
		key, err := p.str()
		if err != nil {
			return err
		}
		if seen[key] {
			return fmt.Errorf("key %q given twice", key)
		}
		seen[key] = true
		if !p.eat(':') {
			return fmt.Errorf("want ':' after %q", key)
		}
		switch key {
		case "descr":
			if p.peek() == '[' {
				return errors.New("unsupported dtype: structured arrays are not embeddings")
			}
			if h.descr, err = p.str(); err != nil {
				return err
			}
		case "fortran_order":
			if h.fortran, err = p.boolean(); err != nil {
				return err
			}
		case "shape":
			if h.shape, err = p.tuple(); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unexpected key %q", key)
		}
		if !p.eat(',') && p.peek() != '}' {
			return errors.New("want ',' or '}'")
		}
	}
	if rest := strings.TrimRight(p.s[p.i:], " \t\r\n\x00"); rest != "" {
		return fmt.Errorf("text after the dict: %q", clip(rest, 20))
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return fmt.Errorf("no %q", k)
		}
	}
	return nil
}

// pyParser reads the small subset of Python literals .npy headers use.
type pyParser struct {
	s string
	i int
}

func (p *pyParser) skip() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *pyParser) peek() byte {
	p.skip()
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *pyParser) eat(c byte) bool {
	if p.peek() == c {
		p.i++
		return true
	}
	return false
}

func (p *pyParser) str() (string, error) {
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", errors.New("want a quoted string")
	}
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", errors.New("unterminated string")
	}
	v := p.s[p.i+1 : p.i+1+end]
	p.i += end + 2
	return v, nil
}

func (p *pyParser) boolean() (bool, error) {
	p.skip()
	for _, w := range []string{"True", "False"} {
		if strings.HasPrefix(p.s[p.i:], w) {
			p.i += len(w)
			return w == "True", nil
		}
	}
	return false, errors.New("fortran_order: want True or False")
}

func (p *pyParser) tuple() ([]int64, error) {
	if !p.eat('(') {
		return nil, errors.New("shape: want a tuple")
	}
	var out []int64
	for !p.eat(')') {
		if len(out) >= 32 { // NumPy allows at most 32 (64 from NumPy 2) dimensions
			return nil, errors.New("shape: too many dimensions")
		}
		p.skip()
		j := p.i
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		v, err := strconv.ParseInt(p.s[p.i:j], 10, 64)
		if err != nil {
			return nil, errors.New("shape: want nonnegative whole numbers")
		}
		p.i = j
		if p.i < len(p.s) && p.s[p.i] == 'L' { // Python 2 long
			p.i++
		}
		out = append(out, v)
		if !p.eat(',') && p.peek() != ')' {
			return nil, errors.New("shape: want ',' or ')'")
		}
	}
	return out, nil
}

// dtype is a supported element type: 4- or 8-byte IEEE floats, either order.
type dtype struct {
	size  int
	order binary.ByteOrder
}

// parseDescr reads a dtype string such as "<f8"; unsupported types are named
// the way NumPy names them.
func parseDescr(s string) (dtype, error) {
	t := s
	var order binary.ByteOrder = binary.LittleEndian
	if t != "" && strings.IndexByte("<>|=", t[0]) >= 0 {
		if t[0] == '>' {
			order = binary.BigEndian
		}
		if t[0] == '=' {
			return dtype{}, fmt.Errorf("unsupported dtype %s: native byte order '=' does not say which (want '<' or '>')", s)
		}
		t = t[1:]
	}
	switch t {
	case "f4":
		return dtype{4, order}, nil
	case "f8":
		return dtype{8, order}, nil
	}
	name := s
	if len(t) >= 2 {
		if n, err := strconv.Atoi(t[1:]); err == nil && n > 0 {
			kinds := map[byte]string{'f': "float", 'i': "int", 'u': "uint", 'c': "complex", 'b': "bool"}
			if k, ok := kinds[t[0]]; ok {
				bits := 8 * n
				if t[0] == 'b' {
					name = "bool"
				} else {
					name = k + strconv.Itoa(bits)
				}
			}
		}
	}
	if name != s {
		name += " (" + s + ")"
	}
	return dtype{}, fmt.Errorf("unsupported dtype %s; want float32 or float64", name)
}

func shapeString(shape []int64) string {
	parts := make([]string, len(shape))
	for i, s := range shape {
		parts[i] = strconv.FormatInt(s, 10)
	}
	if len(parts) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// ReadNPY reads a two-dimensional float32 or float64 NumPy array. With columns
// true the file holds d x p (one embedding per column) and is transposed to
// p x d. Errors name the file and say what is wrong with it.
func ReadNPY(path string, columns bool) (*mat.Dense, error) {
	return ReadNPYContext(context.Background(), path, columns)
}

// ReadNPYContext is ReadNPY stopping with ctx's error when ctx is cancelled.
// Only regular files are read (a FIFO or /dev/zero is refused without blocking),
// and the matrix is checked against the memory budget before it is allocated.
func ReadNPYContext(ctx context.Context, path string, columns bool) (*mat.Dense, error) {
	f, size, err := inputfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	check := func(rows, cols, need int64) error {
		return memlimit.Check(fmt.Sprintf("%s: a %d x %d array", path, rows, cols), need)
	}
	m, err := decodeNPY(ctx, f, size, columns, check)
	if err != nil {
		var tl *memlimit.TooLarge
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &tl) {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// DecodeNPY reads a .npy stream of exactly size bytes as ReadNPY reads a file.
// It allocates at most the header, a read buffer and one matrix whose size the
// data bytes bound (8 bytes per 4 or 8 bytes of data), and nothing before
// checking that the data are as long as the header says.
func DecodeNPY(ctx context.Context, r io.Reader, size int64, columns bool) (*mat.Dense, error) {
	return decodeNPY(ctx, r, size, columns, nil)
}

// npyChunk is the read size: a cancelled context is noticed within one chunk.
const npyChunk = 1 << 20

func decodeNPY(ctx context.Context, r io.Reader, size int64, columns bool, check func(rows, cols, need int64) error) (*mat.Dense, error) {
	h, err := readNPYHeader(r, size)
	if err != nil {
		return nil, err
	}
	if len(h.shape) != 2 {
		return nil, fmt.Errorf("array has shape %s, want two dimensions (p x d or d x p)", shapeString(h.shape))
	}
	dt, err := parseDescr(h.descr)
	if err != nil {
		return nil, err
	}
	rows, cols := h.shape[0], h.shape[1]
	n := memlimit.Mul(rows, cols)
	if n == 0 {
		return nil, fmt.Errorf("array has shape %s: it holds no embeddings", shapeString(h.shape))
	}
	want, have := memlimit.Mul(n, int64(dt.size)), size-h.offset
	if have < want {
		return nil, fmt.Errorf("truncated: %d bytes of data, the header announces %s", have, announced(want))
	}
	if have > want {
		return nil, fmt.Errorf("%d bytes after the %d bytes of data the header announces", have-want, want)
	}
	if check != nil {
		if err := check(rows, cols, memlimit.Mul(n, 8)); err != nil {
			return nil, err
		}
	}
	// n * size equals the data length, so n fits an int and the buffer below is
	// bounded by the input.
	data := make([]float64, n)
	buf := make([]byte, min(int64(npyChunk), want))
	src := inputfile.Reader(ctx, r)
	var i, j int64 // array coordinates of the next item
	for k := int64(0); k < n; {
		m := min(int64(len(buf))/int64(dt.size), n-k)
		b := buf[:m*int64(dt.size)]
		if _, err := io.ReadFull(src, b); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("truncated or unreadable data after %d of %d values (%v)", k, n, err)
		}
		for q := 0; q < len(b); q += dt.size {
			var v float64
			if dt.size == 4 {
				v = float64(math.Float32frombits(dt.order.Uint32(b[q:])))
			} else {
				v = math.Float64frombits(dt.order.Uint64(b[q:]))
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("entry %d (row %d, column %d) is %v", i*cols+j, i, j, v)
			}
			if columns {
				data[j*rows+i] = v
			} else {
				data[i*cols+j] = v
			}
			if h.fortran {
				if i++; i == rows {
					i, j = 0, j+1
				}
			} else if j++; j == cols {
				i, j = i+1, 0
			}
		}
		k += m
	}
	if columns {
		return mat.NewDense(int(cols), int(rows), data), nil
	}
	return mat.NewDense(int(rows), int(cols), data), nil
}

func announced(b int64) string {
	if b == memlimit.Inf {
		return "more than 2^63"
	}
	return strconv.FormatInt(b, 10)
}

// WriteNPY writes m as a C-order float64 .npy file, atomically.
func WriteNPY(path string, m mat.Matrix) error {
	return atomicfile.WriteWith(path, func(w io.Writer) error { return EncodeNPY(w, m) })
}

// WriteNPY3 writes a p x p x d array (the decoupled competitors) in C order,
// atomically.
func WriteNPY3(path string, blocks []*mat.Dense) error {
	return atomicfile.WriteWith(path, func(w io.Writer) error { return EncodeNPY3(w, blocks) })
}

// EncodeNPY writes m as a version 1.0 C-order little-endian float64 .npy stream.
func EncodeNPY(w io.Writer, m mat.Matrix) error {
	r, c := m.Dims()
	return encodeNPY(w, []int{r, c}, func(emit func(float64)) {
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				emit(m.At(i, j))
			}
		}
	})
}

// EncodeNPY3 writes blocks, p matrices of the same shape r x c, as a p x r x c
// array.
func EncodeNPY3(w io.Writer, blocks []*mat.Dense) error {
	if len(blocks) == 0 {
		return errors.New("no data")
	}
	r, c := blocks[0].Dims()
	for k, b := range blocks {
		if br, bc := b.Dims(); br != r || bc != c {
			return fmt.Errorf("block %d is %d x %d, block 0 %d x %d", k, br, bc, r, c)
		}
	}
	return encodeNPY(w, []int{len(blocks), r, c}, func(emit func(float64)) {
		for _, b := range blocks {
			for i := 0; i < r; i++ {
				for _, v := range b.RawRowView(i) {
					emit(v)
				}
			}
		}
	})
}

// encodeNPY streams a version 1.0 C-order little-endian float64 .npy file of the
// given shape: the header (the dict padded with spaces and a newline so that the
// data start at a multiple of 64 bytes), then the values each writes.
func encodeNPY(w io.Writer, shape []int, each func(emit func(float64))) error {
	dims := make([]int64, len(shape))
	for i, s := range shape {
		dims[i] = int64(s)
	}
	dict := "{'descr': '<f8', 'fortran_order': False, 'shape': " + shapeString(dims) + ", }"
	pad := (64 - (10+len(dict)+1)%64) % 64
	dict += strings.Repeat(" ", pad) + "\n"
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.Write(npyMagic)
	bw.Write([]byte{1, 0, byte(len(dict)), byte(len(dict) >> 8)})
	bw.WriteString(dict)
	var b [8]byte
	each(func(v float64) {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
		bw.Write(b[:]) // a write error sticks and is returned by Flush
	})
	return bw.Flush()
}
