package theory

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat"
)

// Estimate is a Monte Carlo mean with its standard error.
type Estimate struct {
	Mean, SE float64
	N        int
}

// MonteCarloResult holds independent estimates of D_kappa(p) and E|S|, and the
// empirical distribution of |S|.
type MonteCarloResult struct {
	D, Active Estimate
	// Counts[k] is the number of samples with |S| = k.
	Counts []int
	// Gap estimates E[dist^2 - |S|] (zero at kappa = 0: D_0 = E|S|).
	Gap Estimate
	// Truncated counts samples whose active set reached the m sampled order
	// statistics (the estimate would then be biased; it should be 0).
	Truncated int
}

// MonteCarlo estimates D_kappa(p) = E[dist(g, C_kappa)^2] by sampling g directly,
// but only the top m order statistics of its p-1 competitors: the uniforms
// U_(1) > U_(2) > ... of n = p-1 draws are generated exactly by
// log U_(i) = log U_(i-1) + log(V_i)/(n-i+1) (V_i uniform), and G_(i) is the normal
// quantile of U_(i), taken from 1 - U_(i) = -expm1(log U_(i)) to keep the tail
// exact. The projection then follows docs/theory.md, "Projection": scan k over
// the sorted competitors. Only integer p.
func MonteCarlo(p int, kappa float64, samples int, seed uint64) (MonteCarloResult, error) {
	var res MonteCarloResult
	if p < 2 || samples < 2 {
		return res, fmt.Errorf("monte carlo: need p >= 2 and samples >= 2")
	}
	n := p - 1
	// The active set rarely exceeds a few times E|S| ~ 2 log p: 150 order
	// statistics leave a margin that Truncated reports if ever used up.
	m := n
	if m > 150 {
		m = 150
	}
	r := rand.New(rand.NewPCG(seed, 0x6c616d636170))
	g := make([]float64, m)
	ds := make([]float64, samples)
	ks := make([]float64, samples)
	gs := make([]float64, samples)
	res.Counts = make([]int, m+1)
	for s := 0; s < samples; s++ {
		l := 0.0
		for i := 0; i < m; i++ {
			v := 1 - r.Float64() // (0, 1]
			l += math.Log(v) / float64(n-i)
			q := -math.Expm1(l) // 1 - U_(i)
			g[i] = -mathext.NormalQuantile(q)
		}
		h := r.NormFloat64() - kappa
		d2, k := projectSorted(h, g)
		if k == m && m < n {
			res.Truncated++
		}
		ds[s], ks[s], gs[s] = d2, float64(k), d2-float64(k)
		res.Counts[k]++
	}
	mean, sd := stat.MeanStdDev(ds, nil)
	res.D = Estimate{mean, sd / math.Sqrt(float64(samples)), samples}
	mean, sd = stat.MeanStdDev(ks, nil)
	res.Active = Estimate{mean, sd / math.Sqrt(float64(samples)), samples}
	mean, sd = stat.MeanStdDev(gs, nil)
	res.Gap = Estimate{mean, sd / math.Sqrt(float64(samples)), samples}
	return res, nil
}

// projectSorted returns dist^2 from (h, g) to C_0 = {h_0 >= h_v} for competitors g
// sorted in decreasing order (h = g_0 - kappa), and the size of the active set:
// t = (h + sum of the k largest)/(k+1), with k the first size at which the next
// competitor is not above t.
func projectSorted(h float64, g []float64) (float64, int) {
	sum := 0.0
	k := 0
	for k < len(g) && g[k] > (h+sum)/float64(k+1) {
		sum += g[k]
		k++
	}
	t := (h + sum) / float64(k+1)
	d2 := (t - h) * (t - h)
	for i := 0; i < k; i++ {
		d2 += (g[i] - t) * (g[i] - t)
	}
	return d2, k
}

// ClippedResult is the surrogate's picture of the max-margin memory: for a
// block projected onto C_kappa, the competitors above the level t* are clipped
// to it (|S| of them, an atom at t*), the others keep their Gaussian scores,
// and the correct score sits at t* + kappa.
type ClippedResult struct {
	// Level is E[t* | |S| > 0], Correct the mean correct score after
	// projection (t* + kappa, or g_0 when nothing is clipped), Active E|S|.
	Level, Correct, Active Estimate
	// Counts[k] is the number of blocks with |S| = k.
	Counts []int
	// Competitor is the histogram of all projected competitor scores, in bins
	// of BinWidth from BinMin (values outside go to the end bins).
	Competitor []int
	BinMin     float64
	BinWidth   float64
}

// ClippedScores samples blocks of p Gaussian scores at margin kappa (all p - 1
// competitors, so that the whole competitor law is seen), projects each onto
// C_kappa (projectSorted, after the shift h = g_0 - kappa), and gathers the
// projected scores. bins bins of width binWidth from binMin hold the competitors.
func ClippedScores(p int, kappa float64, samples int, seed uint64, binMin, binWidth float64, bins int) (ClippedResult, error) {
	res := ClippedResult{BinMin: binMin, BinWidth: binWidth, Competitor: make([]int, bins)}
	if p < 2 || samples < 2 || bins < 1 || !(binWidth > 0) {
		return res, fmt.Errorf("clipped scores: need p >= 2, samples >= 2 and bins")
	}
	r := rand.New(rand.NewPCG(seed, 0x636c6970)) // "clip"
	g := make([]float64, p-1)
	var levels, corrects, actives []float64
	for s := 0; s < samples; s++ {
		for i := range g {
			g[i] = r.NormFloat64()
		}
		sort.Sort(sort.Reverse(sort.Float64Slice(g)))
		g0 := r.NormFloat64()
		_, k := projectSorted(g0-kappa, g)
		for len(res.Counts) <= k {
			res.Counts = append(res.Counts, 0)
		}
		res.Counts[k]++
		actives = append(actives, float64(k))
		correct := g0
		t := math.Inf(1)
		if k > 0 {
			sum := g0 - kappa
			for _, v := range g[:k] {
				sum += v
			}
			t = sum / float64(k+1)
			levels = append(levels, t)
			correct = t + kappa
		}
		corrects = append(corrects, correct)
		for _, v := range g {
			b := int(math.Floor((math.Min(v, t) - binMin) / binWidth))
			res.Competitor[min(max(b, 0), bins-1)]++
		}
	}
	est := func(x []float64) Estimate {
		m, sd := stat.MeanStdDev(x, nil)
		return Estimate{m, sd / math.Sqrt(float64(len(x))), len(x)}
	}
	res.Correct, res.Active = est(corrects), est(actives)
	if len(levels) > 1 {
		res.Level = est(levels)
	}
	return res, nil
}
