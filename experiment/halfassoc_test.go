package experiment

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/model"
	"github.com/lamcap/lamcap/theory"
)

// halfAssocTol is the relative tolerance between the study's numbers and the
// test's own: both sum the same few integers, in different orders.
const halfAssocTol = 1e-12

// meanPlusHalf is the test's own mean + 1/2 with its 95% Student t interval
// (plain sums, gonum's t quantile), shared by nothing in the package.
func meanPlusHalf(t *testing.T, xs []int) (value, lo, hi float64) {
	t.Helper()
	n := float64(len(xs))
	var sum float64
	for _, x := range xs {
		sum += float64(x)
	}
	mean := sum / n
	var ss float64
	for _, x := range xs {
		ss += (float64(x) - mean) * (float64(x) - mean)
	}
	h := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: n - 1}.Quantile(0.975) * math.Sqrt(ss/(n-1)/n)
	return mean + 0.5, mean + 0.5 - h, mean + 0.5 + h
}

func closeRel(a, b float64) bool { return math.Abs(a-b) <= halfAssocTol*math.Max(1, math.Abs(b)) }

// hebbianAllPairs says whether W = sum_rho y_rho x_rho^T, summed here in plain
// loops, scores every target above each of its p - 1 competitors.
func hebbianAllPairs(in *model.Instance) bool {
	d, p := in.D, in.P
	w := make([]float64, d*d)
	for rho := 0; rho < p; rho++ {
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				w[i*d+j] += in.Y.At(rho, i) * in.X.At(rho, j)
			}
		}
	}
	wx := make([]float64, d)
	for mu := 0; mu < p; mu++ {
		for i := range wx {
			wx[i] = 0
			for j := 0; j < d; j++ {
				wx[i] += w[i*d+j] * in.X.At(mu, j)
			}
		}
		score := func(c []float64) float64 {
			var s float64
			for i, ci := range c {
				s += ci * wx[i]
			}
			return s
		}
		own := score(in.Y.RawRowView(mu))
		for v := 0; v < p; v++ {
			if v != mu && !(own > score(in.Competitor(mu, v))) {
				return false
			}
		}
	}
	return true
}

// The rules study's compared value is mean + 1/2 of the largest p with every
// prefix recalling all pairs, recomputed here from the instances (Hebbian W
// summed by hand, every prefix checked), with its Student t interval, and its
// deviation from the finite-d Hebbian p_c is (mean + 1/2 - p_c) / p_c.
func TestRulesComparedValueIsMeanPlusHalf(t *testing.T) {
	const d, pmax = 8, 12
	for _, m := range []model.Model{model.Coupled, model.Decoupled} {
		fam := Family{D: d, Model: m, Embedding: model.Gaussian, FirstSeed: 1, Seeds: 6}
		st, err := StudyRules(context.Background(), RulesSettings{Family: fam, PMax: pmax})
		if err != nil {
			t.Fatal(err)
		}
		var largest []int
		for seed := fam.FirstSeed; seed < fam.FirstSeed+int64(fam.Seeds); seed++ {
			q := 1
			for p := 2; p <= pmax; p++ {
				in, err := model.NewInstance(fam.source(seed), p)
				if err != nil {
					t.Fatal(err)
				}
				if !hebbianAllPairs(in) {
					break
				}
				q = p
			}
			largest = append(largest, q)
		}
		heb := st.Capacity[0]
		if heb.Rule != Hebbian {
			t.Fatalf("%v: first capacity is %v", m, heb.Rule)
		}
		for i, q := range largest {
			if heb.LargestP[i] != q {
				t.Fatalf("%v: largest p %v, recomputed %v", m, heb.LargestP, largest)
			}
		}
		v, lo, hi := meanPlusHalf(t, largest)
		if !closeRel(heb.Threshold, v) || !closeRel(heb.ThresholdCI.Lo, lo) || !closeRel(heb.ThresholdCI.Hi, hi) {
			t.Errorf("%v: mean + 1/2 %v [%v, %v], recomputed %v [%v, %v] from %v", m, heb.Threshold, heb.ThresholdCI.Lo, heb.ThresholdCI.Hi, v, lo, hi, largest)
		}
		pc := theory.HebbianCriticalP(d)
		if heb.Versus == nil || heb.Versus.Theory != pc {
			t.Fatalf("%v: Hebbian compared with %+v, want p_c %v", m, heb.Versus, pc)
		}
		if dev := (v - pc) / pc; !closeRel(heb.Versus.Deviation, dev) || !closeRel(heb.Versus.DeviationCI.Lo, (lo-pc)/pc) || !closeRel(heb.Versus.DeviationCI.Hi, (hi-pc)/pc) {
			t.Errorf("%v: deviation %+v, recomputed %v [%v, %v]", m, *heb.Versus, dev, (lo-pc)/pc, (hi-pc)/pc)
		}
		// No prediction for the pseudo-inverse rule, but the same estimate.
		pinv := st.Capacity[1]
		v, _, _ = meanPlusHalf(t, pinv.LargestP)
		if pinv.Versus != nil || !closeRel(pinv.Threshold, v) {
			t.Errorf("%v: pseudo-inverse mean + 1/2 %v (recomputed %v), compared with %+v", m, pinv.Threshold, v, pinv.Versus)
		}
	}
}

// On thresholds whose root is known, the compared value has the right sign
// and size: real thresholds X ~ N(root, 2), largest p = floor(X). Mean + 1/2
// estimates root without bias (deviation within its interval, which covers 0
// and is half a percent wide), while the median of the integers sits about
// half an association below it, the bias the comparison removes.
func TestRuleCapacityKnownRoot(t *testing.T) {
	const root, sd, n = 20.3, 2.0, 4000
	r := rand.New(rand.NewPCG(20, 1))
	largest := make([]float64, n)
	for i := range largest {
		largest[i] = math.Floor(root + sd*r.NormFloat64())
	}
	c := ruleCapacity(Hebbian, largest, root)
	v := c.Versus
	if v == nil || v.Theory != root {
		t.Fatalf("compared with %+v, want %v", v, root)
	}
	if !(v.DeviationCI.Lo < 0 && 0 < v.DeviationCI.Hi) || math.Abs(v.Deviation) > 0.005 || v.DeviationCI.Hi-v.DeviationCI.Lo > 0.01 {
		t.Errorf("deviation %+.4f [%+.4f, %+.4f] from a known root: want 0 inside a narrow interval", v.Deviation, v.DeviationCI.Lo, v.DeviationCI.Hi)
	}
	// The median integer is floor(root) = 20: -1.5%, outside the interval.
	if med := (c.Median - root) / root; !(med < v.DeviationCI.Lo) || math.Abs(med-(20-root)/root) > 1e-12 {
		t.Errorf("median %v: deviation %+.4f, want (20 - %v) / %v below the interval", c.Median, med, root, root)
	}
	// A theory above the measured root reads as a negative deviation, of
	// the size the theory is off.
	if w := ruleCapacity(Hebbian, largest, 1.1*root).Versus; !(w.Deviation < 0 && math.Abs(w.Deviation-(1/1.1-1)) < 0.005) {
		t.Errorf("theory 10%% above the root: deviation %+.4f, want about %+.4f", w.Deviation, 1/1.1-1)
	}
	if c := ruleCapacity(PseudoInverse, largest, 0); c.Versus != nil {
		t.Errorf("compared with %+v without a theory", c.Versus)
	}
}

// The two-layer rows compare mean p* + 1/2, recomputed here, with both
// theories (the real roots for N = d min(h, d) and h(2d - h), from package
// theory); at h = d the fixed-layer p* are the one-layer p* of the same
// instances, found here by the one-layer threshold search.
func TestTwoLayerComparedValueIsMeanPlusHalf(t *testing.T) {
	const d = 5
	fam := Family{D: d, Model: model.Coupled, Embedding: model.Gaussian, FirstSeed: 1, Seeds: 4}
	rows, err := StudyTwoLayer(context.Background(), TwoLayer{Family: fam, Hidden: []int{2, d}, Layer: model.TrainFirst})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if len(r.PStars) != r.Instances || r.Instances+r.Undecided != fam.Seeds || r.Instances < 2 {
			t.Fatalf("h=%d: %d p*, %d instances, %d undecided", r.H, len(r.PStars), r.Instances, r.Undecided)
		}
		v, lo, hi := meanPlusHalf(t, r.PStars)
		if !closeRel(r.Threshold, v) || !closeRel(r.ThresholdCI.Lo, lo) || !closeRel(r.ThresholdCI.Hi, hi) {
			t.Errorf("h=%d: mean + 1/2 %v [%v, %v], recomputed %v [%v, %v]", r.H, r.Threshold, r.ThresholdCI.Lo, r.ThresholdCI.Hi, v, lo, hi)
		}
		for _, c := range []struct {
			got Comparison
			n   int
		}{{r.VsMin, d * min(r.H, d)}, {r.VsEff, r.H * (2*d - r.H)}} {
			pc, err := theory.CriticalP(float64(c.n), 0)
			if err != nil {
				t.Fatal(err)
			}
			if !closeRel(c.got.Theory, pc) || !closeRel(c.got.Deviation, (v-pc)/pc) || !closeRel(c.got.DeviationCI.Lo, (lo-pc)/pc) || !closeRel(c.got.DeviationCI.Hi, (hi-pc)/pc) {
				t.Errorf("h=%d N=%d: %+v, want p_c %v and deviation %v [%v, %v]", r.H, c.n, c.got, pc, (v-pc)/pc, (lo-pc)/pc, (hi-pc)/pc)
			}
		}
		if r.H != d {
			continue
		}
		for i, seed := 0, fam.FirstSeed; seed < fam.FirstSeed+int64(fam.Seeds); i, seed = i+1, seed+1 {
			th, err := feasibility.FindThreshold(context.Background(), fam.source(seed), feasibility.ThresholdOptions{})
			if err != nil || !th.Certified || th.PStar != r.PStars[i] {
				t.Errorf("h=d seed %d: one-layer p* %d (%v, certified %v), two-layer %d", seed, th.PStar, err, th.Certified, r.PStars[i])
			}
		}
	}
}
