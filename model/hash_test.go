package model

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestInstanceHash(t *testing.T) {
	// The byte order, spelled out independently for a user instance.
	x := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	y := mat.NewDense(2, 2, []float64{-1, 0.5, 0, 7})
	m, _ := NewMatrices(x, y)
	in, _ := NewInstance(m, 2)
	var b []byte
	b = append(b, "lamcap-instance/1\x00"...)
	for _, v := range []uint64{2, 2, 0} {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	for _, v := range []float64{1, 2, 3, 4, -1, 0.5, 0, 7} {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	sum := sha256.Sum256(b)
	if got := in.Hash(); got != hex.EncodeToString(sum[:]) {
		t.Errorf("hash %s, want %x", got, sum)
	}

	// Any change of data, size or model changes the hash; the same data from a
	// seed or from files hash alike.
	base, _ := NewInstance(Random{D: 8, Seed: 2001}, 20)
	seen := map[string]string{base.Hash(): "d=8 p=20 seed=2001"}
	for name, src := range map[string]struct {
		s Source
		p int
	}{
		"p=19":      {Random{D: 8, Seed: 2001}, 19},
		"seed=2002": {Random{D: 8, Seed: 2002}, 20},
		"d=9":       {Random{D: 9, Seed: 2001}, 20},
		"decoupled": {Random{D: 8, Seed: 2001, Kind: Decoupled}, 20},
		"sphere":    {Random{D: 8, Seed: 2001, Embed: Sphere}, 20},
	} {
		in, _ := NewInstance(src.s, src.p)
		h := in.Hash()
		if other, ok := seen[h]; ok {
			t.Errorf("%s has the hash of %s", name, other)
		}
		seen[h] = name
	}
	fm, _ := NewMatrices(base.X, base.Y)
	fromFiles, _ := NewInstance(fm, 20)
	if fromFiles.Hash() != base.Hash() {
		t.Error("the same numbers from files hash differently")
	}
	xs := mat.DenseCopyOf(base.X)
	xs.Set(19, 7, math.Nextafter(xs.At(19, 7), 1))
	fm, _ = NewMatrices(xs, base.Y)
	nudged, _ := NewInstance(fm, 20)
	if nudged.Hash() == base.Hash() {
		t.Error("a one-ulp change of the last entry keeps the hash")
	}
}
