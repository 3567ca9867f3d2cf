package experiment

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// spectraPairs draws n paired "spectra" of k values: each instance has its own
// scale (shared by the pair, as a seed's X and Y are), each memory its own
// scale (so values within a spectrum are strongly dependent), and the second
// model's memories are multiplied by shift.
func spectraPairs(r *rand.Rand, n, k int, shift float64) [][2][]float64 {
	out := make([][2][]float64, n)
	for i := range out {
		inst := math.Exp(0.2 * r.NormFloat64())
		for m := 0; m < 2; m++ {
			mem := inst * math.Exp(0.1*r.NormFloat64())
			if m == 1 {
				mem *= shift
			}
			sv := make([]float64, k)
			for j := range sv {
				sv[j] = mem * (1 + 0.05*r.NormFloat64()) * (1 + 0.02*float64(k-j))
			}
			sort.Sort(sort.Reverse(sort.Float64Slice(sv)))
			out[i][m] = sv
		}
	}
	return out
}

// Under the null (both models give memories of one law), the permutation
// p-value rejects at level 0.05 about 5% of the time (Monte Carlo over 300
// replications, within four standard errors), while the asymptotic KS p-value,
// which treats singular values as independent, rejects far more often; under a
// 25% shift of one model's spectra the permutation test rejects almost always.
func TestSpectraPermutation(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	const reps, level = 300, 0.05
	permRej, asymRej := 0, 0
	for i := 0; i < reps; i++ {
		pairs := spectraPairs(r, 20, 12, 1)
		d, p := SpectraPermutation(pairs, 200, uint64(i))
		var a, b []float64
		for _, pr := range pairs {
			a, b = append(a, pr[0]...), append(b, pr[1]...)
		}
		d2, pAsym := KolmogorovSmirnov(a, b)
		if math.Abs(d-d2) > 1e-12 {
			t.Fatalf("distance %v, KolmogorovSmirnov says %v", d, d2)
		}
		if p < 1.0/201 || p > 1 {
			t.Fatalf("p-value %v outside [1/(rounds+1), 1]", p)
		}
		if p <= level {
			permRej++
		}
		if pAsym <= level {
			asymRej++
		}
	}
	se := math.Sqrt(level * (1 - level) / reps)
	if got := float64(permRej) / reps; math.Abs(got-level) > 4*se {
		t.Errorf("null rejection rate of the permutation test %.3f, want %.2f +- %.3f", got, level, 4*se)
	}
	if got := float64(asymRej) / reps; got < 3*level {
		t.Errorf("the asymptotic p-value rejects only %.3f of null cases: the test no longer shows why the permutation is needed", got)
	}
	power := 0
	for i := 0; i < 50; i++ {
		if _, p := SpectraPermutation(spectraPairs(r, 20, 12, 1.25), 200, uint64(i)); p <= level {
			power++
		}
	}
	if power < 45 {
		t.Errorf("a 25%% shift is detected in %d of 50 cases", power)
	}
	// Same inputs, same p-value.
	pairs := spectraPairs(r, 10, 5, 1)
	_, p1 := SpectraPermutation(pairs, 100, 9)
	_, p2 := SpectraPermutation(pairs, 100, 9)
	if p1 != p2 {
		t.Errorf("p-value not reproducible: %v then %v", p1, p2)
	}
}
