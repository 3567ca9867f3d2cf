package model

import "math"

// This file is lamcap's random number generator. It is written by hand, not taken
// from math/rand/v2, because instances must be bit-identical on every machine and
// Go version: math/rand/v2 documents that its derived distributions may change
// between releases, and math.Log has architecture-specific assembly and may be
// compiled with fused multiply-adds. Everything here uses only integer arithmetic
// and IEEE-754 operations that are exactly rounded (+, -, *, /, sqrt), with explicit
// float64 conversions that forbid the compiler from fusing a multiply and an add.
//
// The generator is counter based: every vector of an instance has its own stream,
// keyed by (seed, kind, mu, v) through the SplitMix64 finaliser, so any vector can
// be generated on its own, in any order, and prefixes nest by construction.

// Stream kinds: each kind of vector has its own key space.
const (
	kindInput      = 1
	kindTarget     = 2
	kindCompetitor = 3
	kindHidden     = 4
	kindCommon     = 7 // common direction of a correlated embedding: (seed, 7, side, 0)
)

// splitmix64 is the finaliser of Steele, Lea and Flood's SplitMix64 (2014).
func splitmix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// streamKey derives the key of the stream of vector (kind, a, b) of an instance.
func streamKey(seed uint64, kind, a, b int) uint64 {
	h := splitmix64(seed + 0x9e3779b97f4a7c15)
	h = splitmix64(h ^ uint64(kind))
	h = splitmix64(h ^ uint64(a))
	return splitmix64(h ^ uint64(b)<<1 ^ 0x5bd1e995)
}

// stream is a SplitMix64 sequence with a standard normal sampler on top.
type stream struct {
	state    uint64
	spare    float64
	hasSpare bool
}

func newStream(key uint64) *stream { return &stream{state: key} }

func (s *stream) next() uint64 {
	s.state += 0x9e3779b97f4a7c15
	return splitmix64(s.state)
}

// uniform returns a number in [-1, 1) with 53 random bits.
func (s *stream) uniform() float64 {
	u := float64(s.next()>>11) * (1.0 / (1 << 53))
	return float64(2*u) - 1
}

// normal returns a standard normal number by Marsaglia's polar method, which
// needs only a logarithm and a square root; the logarithm is portableLog.
func (s *stream) normal() float64 {
	if s.hasSpare {
		s.hasSpare = false
		return s.spare
	}
	for {
		u, v := s.uniform(), s.uniform()
		q := float64(u*u) + float64(v*v)
		if q >= 1 || q == 0 {
			continue
		}
		f := math.Sqrt(float64(-2*portableLog(q)) / q)
		s.spare = float64(v * f)
		s.hasSpare = true
		return float64(u * f)
	}
}

// portableLog is the natural logarithm of x in (0, 1), ported from Go's pure-Go
// math.log (itself from FreeBSD's e_log.c) with every product rounded explicitly,
// so it gives the same bits on every platform.
func portableLog(x float64) float64 {
	const (
		ln2Hi = 6.93147180369123816490e-01
		ln2Lo = 1.90821492927058770002e-10
		l1    = 6.666666666666735130e-01
		l2    = 3.999999999940941908e-01
		l3    = 2.857142874366239149e-01
		l4    = 2.222219843214978396e-01
		l5    = 1.818357216161805012e-01
		l6    = 1.531383769920937332e-01
		l7    = 1.479819860511658591e-01
	)
	// Split x = f1 * 2^ki with f1 in [1/2, 1) from the bits; x is normal here.
	bits := math.Float64bits(x)
	ki := int((bits>>52)&0x7ff) - 1022
	f1 := math.Float64frombits(bits&^(0x7ff<<52) | 1022<<52)
	if f1 < math.Sqrt2/2 {
		f1 = float64(f1 * 2)
		ki--
	}
	f := f1 - 1
	k := float64(ki)
	s := f / float64(2+f)
	s2 := float64(s * s)
	s4 := float64(s2 * s2)
	t1 := float64(s2 * float64(l1+float64(s4*float64(l3+float64(s4*float64(l5+float64(s4*l7)))))))
	t2 := float64(s4 * float64(l2+float64(s4*float64(l4+float64(s4*l6)))))
	r := t1 + t2
	hfsq := float64(float64(0.5*f) * f)
	return float64(k*ln2Hi) - ((hfsq - (float64(s*float64(hfsq+r)) + float64(k*ln2Lo))) - f)
}
