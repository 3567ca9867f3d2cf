package stats

import (
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/stat"
)

// KolmogorovSmirnov is the two-sample statistic (gonum) and its asymptotic
// p-value Q_KS(sqrt(n_eff) D), Q_KS(l) = 2 sum_k (-1)^(k-1) exp(-2 k^2 l^2),
// n_eff = n m / (n + m). gonum has no Kolmogorov distribution, hence the series
// here. The p-value assumes independent draws.
func KolmogorovSmirnov(a, b []float64) (d, pValue float64) {
	d = KSDistance(a, b)
	n := float64(len(a)) * float64(len(b)) / float64(len(a)+len(b))
	l := (math.Sqrt(n) + 0.12 + 0.11/math.Sqrt(n)) * d
	if l < 0.2 {
		return d, 1
	}
	sum := 0.0
	for k := 1; k <= 100; k++ {
		term := 2 * math.Exp(-2*float64(k*k)*l*l)
		if k%2 == 0 {
			term = -term
		}
		sum += term
		if math.Abs(term) < 1e-16 {
			break
		}
	}
	return d, math.Min(1, math.Max(0, sum))
}

// KSDistance is the two-sample Kolmogorov-Smirnov distance (gonum's stat).
func KSDistance(a, b []float64) float64 {
	a, b = append([]float64(nil), a...), append([]float64(nil), b...)
	return ksSorting(a, b)
}

// ksSorting is KSDistance sorting a and b in place.
func ksSorting(a, b []float64) float64 {
	sort.Float64s(a)
	sort.Float64s(b)
	return stat.KolmogorovSmirnov(a, nil, b, nil)
}

// PermutationRounds is the number of random relabellings behind a permutation
// p-value: its Monte Carlo standard error is at most 0.5/sqrt(2000) ~ 0.011,
// and the smallest p-value it can give is 1/2001.
const PermutationRounds = 2000

// PairedKSPermutation compares two paired samples of samples with a test that
// needs no independence within a sample: pairs[i] holds two sets of values (for
// lamcap, the singular values of the two models' memories of one seed). The
// statistic is the two-sample KS distance between the pooled values of each
// side; its null distribution comes from swapping the two sides of each pair at
// random (valid when, under the null, each pair is exchangeable). It returns
// the observed distance and the p-value (1 + #{relabelled >= observed}) /
// (1 + rounds), from a generator seeded with seed.
func PairedKSPermutation(pairs [][2][]float64, rounds int, seed uint64) (distance, pValue float64) {
	if len(pairs) == 0 {
		return 0, 1
	}
	ks := func(swap []bool) float64 {
		var a, b []float64
		for i, pr := range pairs {
			x, y := pr[0], pr[1]
			if swap != nil && swap[i] {
				x, y = y, x
			}
			a, b = append(a, x...), append(b, y...)
		}
		return ksSorting(a, b)
	}
	distance = ks(nil)
	r := rand.New(rand.NewPCG(seed, 0x6b73)) // "ks"
	swap := make([]bool, len(pairs))
	above := 0
	for k := 0; k < rounds; k++ {
		for i := range swap {
			swap[i] = r.IntN(2) == 1
		}
		// Distances are equal up to rounding when relabelling changes nothing.
		if ks(swap) >= distance*(1-1e-12) {
			above++
		}
	}
	return distance, float64(1+above) / float64(1+rounds)
}

// SignFlipExactMax is the largest number of differences for which SignFlip
// enumerates all 2^n sign patterns (meet in the middle: two halves of at most
// 2^16 sums each, about a millisecond); above it SignFlip draws at random.
const SignFlipExactMax = 32

// SignFlipRounds is the number of random sign patterns SignFlip callers use
// above SignFlipExactMax: the smallest p-value it can give is 1/(1e6+1), and
// its Monte Carlo standard error at p is sqrt(p(1-p)/1e6) (0.0002 at p = 0.05).
const SignFlipRounds = 1000000

// signFlipTie is the tolerance, relative to sum |x_i|, within which a flipped
// sum counts as equal to the observed one: sums of the same terms added in
// another order differ by rounding only (n eps sum |x_i|, n <= 2^31).
const signFlipTie = 1e-12

// PermutationP is the p-value of a permutation test with how it was obtained.
type PermutationP struct {
	P float64 `json:"p_value"`
	// Exact is true when every permutation was enumerated: P is then the
	// exact permutation p-value #{patterns at least as extreme} / #{patterns}.
	Exact bool `json:"exact"`
	// Rounds is the number of random patterns when not Exact: P is then the
	// estimate (1 + #{drawn at least as extreme}) / (1 + Rounds), never below
	// 1/(1 + Rounds).
	Rounds int `json:"rounds,omitempty"`
}

// SignFlip is the paired permutation test of a zero mean difference: under the
// null each difference is symmetric about 0, so the 2^n sign patterns are
// equally likely; the two-sided p-value is the fraction of patterns s with
// |sum s_i x_i| >= |sum x_i|. For n <= SignFlipExactMax it is exact (every
// pattern counted, by meet in the middle: the sums of the two halves' patterns,
// one side sorted and searched); above it, rounds random patterns from a
// generator seeded with seed give (1 + #{at least as extreme}) / (1 + rounds).
// The result is deterministic either way.
func SignFlip(diff []float64, rounds int, seed uint64) PermutationP {
	n := len(diff)
	if n == 0 {
		return PermutationP{P: 1, Exact: true}
	}
	var obs, scale float64
	for _, x := range diff {
		obs += x
		scale += math.Abs(x)
	}
	obs = math.Abs(obs)
	limit := obs - signFlipTie*scale
	if n <= SignFlipExactMax {
		return PermutationP{P: signFlipExact(diff, limit), Exact: true}
	}
	return PermutationP{P: signFlipDrawn(diff, limit, rounds, seed), Rounds: rounds}
}

// signFlipExact is the fraction of the 2^n sign patterns s with
// |sum s_i x_i| >= limit.
func signFlipExact(diff []float64, limit float64) float64 {
	if limit <= 0 {
		return 1
	}
	n := len(diff)
	a, b := signSums(diff[:n/2]), signSums(diff[n/2:])
	sort.Float64s(b)
	var count int64
	for _, x := range a {
		// b >= limit - x, or b <= -limit - x: disjoint as limit > 0.
		count += int64(len(b) - sort.SearchFloat64s(b, limit-x))
		count += int64(sort.Search(len(b), func(i int) bool { return b[i] > -limit-x }))
	}
	return float64(count) / math.Ldexp(1, n)
}

// signFlipDrawn is (1 + #{|sum s_i x_i| >= limit}) / (1 + rounds) over rounds
// random sign patterns from a generator seeded with seed.
func signFlipDrawn(diff []float64, limit float64, rounds int, seed uint64) float64 {
	r := rand.New(rand.NewPCG(seed, 0x7369676e)) // "sign"
	above := 0
	for k := 0; k < rounds; k++ {
		var s float64
		var bits uint64
		for i, x := range diff {
			if i%64 == 0 {
				bits = r.Uint64()
			}
			if bits&1 == 1 {
				s -= x
			} else {
				s += x
			}
			bits >>= 1
		}
		if math.Abs(s) >= limit {
			above++
		}
	}
	return float64(1+above) / float64(1+rounds)
}

// signSums returns sum s_i x_i for all 2^len(x) sign patterns s.
func signSums(x []float64) []float64 {
	out := make([]float64, 1, 1<<len(x))
	for _, v := range x {
		m := len(out)
		for j := 0; j < m; j++ {
			out = append(out, out[j]-v)
			out[j] += v
		}
	}
	return out
}

// Holm returns Holm's step-down adjusted p-values of p (same order): the
// family-wise error rate of rejecting every test whose adjusted p-value is at
// most alpha is at most alpha, under any dependence between the tests.
func Holm(p []float64) []float64 {
	m := len(p)
	idx := make([]int, m)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] < p[idx[b]] })
	out := make([]float64, m)
	run := 0.0
	for rank, i := range idx {
		run = math.Max(run, math.Min(1, float64(m-rank)*p[i]))
		out[i] = run
	}
	return out
}
