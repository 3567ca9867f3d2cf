package model

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math"
)

// hashTag starts the hashed bytes and versions the byte order below.
const hashTag = "lamcap-instance/1\x00"

// Hash is the SHA-256, in hex, of the instance's numbers in a fixed byte order:
// the tag "lamcap-instance/1\x00"; d, p and the model (0 coupled, 1 decoupled)
// as little-endian uint64; the rows of X, then of Y, each entry as the
// little-endian IEEE-754 bits of its float64; and for the decoupled model the
// competitors c_(mu,v) for mu = 0..p-1, v = 0..p-1, v != mu, in that order. For
// the coupled model the competitors are the rows of Y and add nothing. The
// vocabulary model writes model 2, then after Y: V as a little-endian uint64, the
// V words (rows, as above) and the p answers as little-endian uint64.
//
// Two instances with the same hash have the same margin rows, bit for bit, so a
// certificate naming the hash can only be checked against its own instance,
// whether the numbers came from a seed or from the user's files.
func (in *Instance) Hash() string {
	h := sha256.New()
	h.Write([]byte(hashTag))
	var b [8]byte
	for _, v := range []uint64{uint64(in.D), uint64(in.P), uint64(in.Src.Model().kind)} {
		binary.LittleEndian.PutUint64(b[:], v)
		h.Write(b[:])
	}
	n := in.P * in.D
	writeFloats(h, in.xs[:n])
	writeFloats(h, in.ys[:n])
	if in.voc != nil {
		binary.LittleEndian.PutUint64(b[:], uint64(in.Slots()))
		h.Write(b[:])
		writeFloats(h, in.voc.words)
		for _, a := range in.Answers() {
			binary.LittleEndian.PutUint64(b[:], uint64(a))
			h.Write(b[:])
		}
	}
	if in.comp != nil {
		for mu := 0; mu < in.P; mu++ {
			for v := 0; v < in.P; v++ {
				if v != mu {
					writeFloats(h, in.Competitor(mu, v))
				}
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func writeFloats(h hash.Hash, xs []float64) {
	var buf [512]byte
	for len(xs) > 0 {
		k := min(len(xs), len(buf)/8)
		for i, v := range xs[:k] {
			binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(v))
		}
		h.Write(buf[:8*k])
		xs = xs[k:]
	}
}
