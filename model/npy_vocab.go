package model

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/lamcap/lamcap/internal/inputfile"
)

// This file reads and writes the answers of a vocabulary instance: a
// one-dimensional NumPy array of p integers, answers.npy.

// EncodeNPYInts writes a as a version 1.0 little-endian int64 .npy stream of
// shape (len(a),).
func EncodeNPYInts(w io.Writer, a []int) error {
	dict := "{'descr': '<i8', 'fortran_order': False, 'shape': " + shapeString([]int64{int64(len(a))}) + ", }"
	pad := (64 - (10+len(dict)+1)%64) % 64
	dict += strings.Repeat(" ", pad) + "\n"
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.Write(npyMagic)
	bw.Write([]byte{1, 0, byte(len(dict)), byte(len(dict) >> 8)})
	bw.WriteString(dict)
	var b [8]byte
	for _, v := range a {
		binary.LittleEndian.PutUint64(b[:], uint64(int64(v)))
		bw.Write(b[:]) // a write error sticks and is returned by Flush
	}
	return bw.Flush()
}

// ReadNPYInts reads a NumPy array of integers (signed or unsigned, 1 to 8
// bytes, either byte order) with p entries: shape (p,), (p, 1) or (1, p).
// Errors name the file.
func ReadNPYInts(path string) ([]int, error) {
	f, size, err := inputfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	a, err := decodeNPYInts(f, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

func decodeNPYInts(r io.Reader, size int64) ([]int, error) {
	h, err := readNPYHeader(r, size)
	if err != nil {
		return nil, err
	}
	var n int64
	switch {
	case len(h.shape) == 1:
		n = h.shape[0]
	case len(h.shape) == 2 && (h.shape[0] == 1 || h.shape[1] == 1):
		n = h.shape[0] * h.shape[1]
	default:
		return nil, fmt.Errorf("array has shape %s, want p integers (p,)", shapeString(h.shape))
	}
	d := h.descr
	if len(d) != 3 || (d[1] != 'i' && d[1] != 'u') || strings.IndexByte("1248", d[2]) < 0 {
		return nil, fmt.Errorf("dtype %q: want integers (i1..i8 or u1..u8)", d)
	}
	var order binary.ByteOrder = binary.LittleEndian
	switch d[0] {
	case '>':
		order = binary.BigEndian
	case '<', '|', '=':
	default:
		return nil, fmt.Errorf("dtype %q: unknown byte order", d)
	}
	sz := int64(d[2] - '0')
	if have := size - h.offset; n < 0 || n > size || have != n*sz {
		return nil, fmt.Errorf("%d bytes of data, the header announces %d integers of %d bytes", have, n, sz)
	}
	buf := make([]byte, n*sz)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("unreadable data (%v)", err)
	}
	out := make([]int, n)
	for i := range out {
		b := buf[int64(i)*sz:]
		var u uint64
		switch sz {
		case 1:
			u = uint64(b[0])
		case 2:
			u = uint64(order.Uint16(b))
		case 4:
			u = uint64(order.Uint32(b))
		default:
			u = order.Uint64(b)
		}
		v := int64(u)
		if d[1] == 'i' && sz < 8 { // sign-extend
			shift := 64 - 8*sz
			v = int64(u<<shift) >> shift
		}
		if d[1] == 'u' && sz == 8 && u > math.MaxInt64 || v > math.MaxInt32 || v < math.MinInt32 {
			return nil, fmt.Errorf("entry %d = %d is not an answer index", i, v)
		}
		out[i] = int(v)
	}
	return out, nil
}
