package model

import (
	"math"
	"math/big"
	"testing"

	"gonum.org/v1/gonum/floats"
)

// The first values of seed 42 in d = 4, pinned bit for bit. If this test fails,
// instances are no longer reproducible across lamcap versions.
func TestGeneratorGolden(t *testing.T) {
	corr, _ := Correlated(0.25)
	golden := map[Embedding][3][]float64{
		Gaussian: {
			{-0.22707726565326766, 0.36563938894646963, 0.424702984721274, 0.5209345544504718},
			{0.23875172912873419, -0.009510800477334616, 0.49706928900042807, -0.3714136905657351},
			{0.4242563025775018, -0.16117186635951644, 0.005583206296483315, 0.1840535952307474},
		},
		Sphere: {
			{-0.28451381973232975, 0.45812362102598736, 0.5321266666090495, 0.6526988929995962},
			{0.3590682534125286, -0.01430367238978283, 0.7475623405020632, -0.5585838714199679},
			{0.8662321312955801, -0.3290752511000975, 0.011399601279422725, 0.37579438914810137},
		},
		corr: {
			{-0.016910884271202853, 0.43758525650743085, 0.3803754671761485, 0.608227125742103},
			{0.2776010739605824, -0.11448062655527638, 0.4689817875109731, -0.20198975119498586},
			{0.4382527470854114, -0.24582296237427126, 0.0433423542828573, 0.2790590292759591},
		},
	}
	for e, want := range golden {
		r := Random{D: 4, Seed: 42, Kind: Decoupled, Embed: e}
		got := [3][]float64{make([]float64, 4), make([]float64, 4), make([]float64, 4)}
		r.Input(0, got[0])
		r.Target(3, got[1])
		r.Competitor(2, 5, got[2])
		for k := range got {
			for i := range got[k] {
				if math.Float64bits(got[k][i]) != math.Float64bits(want[k][i]) {
					t.Errorf("%v vector %d entry %d = %v, want %v", e, k, i, got[k][i], want[k][i])
				}
			}
		}
	}
	s := newStream(streamKey(7, kindInput, 0, 0))
	if a, b := s.next(), s.next(); a != 0x65f7849a9b417ad2 || b != 0x91d24080e93cfbd0 {
		t.Errorf("stream words %#x %#x changed", a, b)
	}
}

// portableLog must agree with an independent logarithm (math/big at 200 bits) to
// within one unit in the last place over (0, 1).
func TestPortableLogAccuracy(t *testing.T) {
	s := newStream(99)
	for i := 0; i < 2000; i++ {
		u := s.uniform()
		x := u * u
		if i%10 == 0 {
			x = math.Ldexp(math.Abs(u), -i/10)
		}
		if x <= 0 || x >= 1 {
			continue
		}
		got := portableLog(x)
		want := bigLog(x)
		if ulps := math.Abs(got-want) / ulp(want); ulps > 1 {
			t.Fatalf("portableLog(%v) = %v, exact %v: %.2f ulp", x, got, want, ulps)
		}
	}
}

func ulp(x float64) float64 { return math.Nextafter(math.Abs(x), math.Inf(1)) - math.Abs(x) }

// bigLog computes log(x) with an atanh series at 200 bits: log x = 2 atanh((x-1)/(x+1))
// after scaling x into [1/2, 1) by powers of two.
func bigLog(x float64) float64 {
	const prec = 200
	frac, exp := math.Frexp(x)
	f := new(big.Float).SetPrec(prec).SetFloat64(frac)
	one := new(big.Float).SetPrec(prec).SetInt64(1)
	num := new(big.Float).SetPrec(prec).Sub(f, one)
	den := new(big.Float).SetPrec(prec).Add(f, one)
	z := new(big.Float).SetPrec(prec).Quo(num, den)
	z2 := new(big.Float).SetPrec(prec).Mul(z, z)
	sum := new(big.Float).SetPrec(prec)
	term := new(big.Float).SetPrec(prec).Set(z)
	for k := 1; k < 400; k += 2 {
		q := new(big.Float).SetPrec(prec).Quo(term, new(big.Float).SetPrec(prec).SetInt64(int64(k)))
		sum.Add(sum, q)
		term.Mul(term, z2)
	}
	sum.Mul(sum, new(big.Float).SetPrec(prec).SetInt64(2))
	// ln 2 from the same series: 2 atanh(1/3).
	third := new(big.Float).SetPrec(prec).Quo(one, new(big.Float).SetPrec(prec).SetInt64(3))
	t2 := new(big.Float).SetPrec(prec).Mul(third, third)
	ln2 := new(big.Float).SetPrec(prec)
	term.Set(third)
	for k := 1; k < 400; k += 2 {
		q := new(big.Float).SetPrec(prec).Quo(term, new(big.Float).SetPrec(prec).SetInt64(int64(k)))
		ln2.Add(ln2, q)
		term.Mul(term, t2)
	}
	ln2.Mul(ln2, new(big.Float).SetPrec(prec).SetInt64(int64(2*exp)))
	sum.Add(sum, ln2)
	v, _ := sum.Float64()
	return v
}

// Normal draws: mean 0, variance 1 and fourth moment 3 within 5 standard errors.
func TestNormalMoments(t *testing.T) {
	const n = 200000
	s := newStream(streamKey(5, kindInput, 0, 0))
	var m1, m2, m4 float64
	for i := 0; i < n; i++ {
		z := s.normal()
		m1 += z
		m2 += z * z
		m4 += z * z * z * z
	}
	m1, m2, m4 = m1/n, m2/n, m4/n
	if math.Abs(m1) > 5/math.Sqrt(n) {
		t.Errorf("mean %v", m1)
	}
	if math.Abs(m2-1) > 5*math.Sqrt(2.0/n) {
		t.Errorf("variance %v", m2)
	}
	if math.Abs(m4-3) > 5*math.Sqrt(96.0/n) {
		t.Errorf("fourth moment %v", m4)
	}
}

func TestEmbeddingScale(t *testing.T) {
	const d, reps = 16, 2000
	var sum float64
	x := make([]float64, d)
	for mu := 0; mu < reps; mu++ {
		Random{D: d, Seed: 3, Embed: Sphere}.Input(mu, x)
		if n := math.Sqrt(floats.Dot(x, x)); math.Abs(n-1) > 1e-15 {
			t.Fatalf("sphere vector norm %v", n)
		}
		Random{D: d, Seed: 3, Embed: Gaussian}.Input(mu, x)
		sum += floats.Dot(x, x)
	}
	// E|x|^2 = 1 and Var|x|^2 = 2/d for N(0, 1/d) entries.
	if mean, se := sum/reps, math.Sqrt(2.0/d/reps); math.Abs(mean-1) > 5*se {
		t.Errorf("mean squared norm of Gaussian inputs %v, want 1 +- %v", mean, se)
	}
}

func TestEmbeddingTextRoundTrip(t *testing.T) {
	third, _ := Correlated(1.0 / 3)
	fifth, _ := Correlated(0.2)
	for _, e := range []Embedding{Gaussian, Sphere, User, third, fifth} {
		b, err := e.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var got Embedding
		if err := got.UnmarshalText(b); err != nil || got != e {
			t.Errorf("%q read back as %v (%v)", b, got, err)
		}
	}
	if fifth.String() != "correlated:0.2" || Gaussian.String() != "gaussian" || Sphere.String() != "sphere" {
		t.Errorf("names %v %v %v", fifth, Gaussian, Sphere)
	}
	if (Embedding{}) != Gaussian {
		t.Error("the zero Embedding is not Gaussian")
	}
	for _, s := range []string{"user", "correlated:0", "correlated:1", "correlated:-0.1", "correlated:NaN", "correlated:", "correlated:x", "Gaussian"} {
		if e, err := ParseEmbedding(s); err == nil {
			t.Errorf("ParseEmbedding(%q) = %v, want an error", s, e)
		}
	}
}

// TestCorrelatedStatistics checks what a correlated embedding draws, by Monte
// Carlo over seeds (one common direction per seed and side): two inputs, and a
// target and a decoupled competitor, have E[u . v] = rho with
// Var = (1 + rho^2)/d; an input and a target are independent (E = 0,
// Var = 1/d); every vector has E|x|^2 = 1.
func TestCorrelatedStatistics(t *testing.T) {
	const d, seeds, rho = 16, 4000, 0.3
	e, err := Correlated(rho)
	if err != nil {
		t.Fatal(err)
	}
	x0, x1, y0, c01 := make([]float64, d), make([]float64, d), make([]float64, d), make([]float64, d)
	var in, tc, cross, norm [2]float64 // sums and sums of squares
	add := func(s *[2]float64, v float64) { s[0] += v; s[1] += v * v }
	for seed := uint64(1); seed <= seeds; seed++ {
		r := Random{D: d, Seed: seed, Kind: Decoupled, Embed: e}
		r.Input(0, x0)
		r.Input(1, x1)
		r.Target(0, y0)
		r.Competitor(0, 1, c01)
		add(&in, floats.Dot(x0, x1))
		add(&tc, floats.Dot(y0, c01))
		add(&cross, floats.Dot(x0, y0))
		add(&norm, floats.Dot(c01, c01))
	}
	for _, c := range []struct {
		name     string
		s        [2]float64
		mean, vr float64
	}{
		{"input . input", in, rho, (1 + rho*rho) / d},
		{"target . competitor", tc, rho, (1 + rho*rho) / d},
		{"input . target", cross, 0, 1.0 / d},
		{"|competitor|^2", norm, 1, 2.0 / d},
	} {
		mean := c.s[0] / seeds
		vr := c.s[1]/seeds - mean*mean
		// The mean within 5 standard errors; the sample variance within 15%
		// of the exact one (its relative SE is sqrt((kurtosis-1)/seeds), about
		// 3% for these near-Gaussian products, so 15% is 5 SE too).
		if se := math.Sqrt(c.vr / seeds); math.Abs(mean-c.mean) > 5*se {
			t.Errorf("%s: mean %.4f, want %.4f +- %.4f", c.name, mean, c.mean, se)
		}
		if math.Abs(vr/c.vr-1) > 0.15 {
			t.Errorf("%s: variance %.4f, want %.4f", c.name, vr, c.vr)
		}
	}
}
