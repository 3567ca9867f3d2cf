package validation

import (
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/model"
	"github.com/lamcap/lamcap/theory"
)

// probitInv is Phi^-1 by the error function, sharing nothing with distuv.
func probitInv(f float64) float64 { return math.Sqrt2 * math.Erfinv(2*f-1) }

// The single-verdict shift estimator against a Monte Carlo with a known
// threshold law: per seed a correlated pair of real thresholds (X_c, X_d),
// normal with known means, widths and correlation, and the verdict at p0 is
// [p0 <= floor(X)]. Its mean over replications is the true shift of the
// means within the Monte Carlo's error bar (plus the O(1/n) bias of Phi^-1
// of a fraction, bounded by a tenth of one replication's SD), and its mean
// SE is the replications' spread within 15%.
func TestShiftEstimateMonteCarlo(t *testing.T) {
	const (
		n, reps          = 60, 300
		muC, muD         = 1843.6, 1816.9
		sigC, sigD, corr = 9.5, 10.2, 0.8
		p0c, p0d         = 1841, 1816
	)
	r := rand.New(rand.NewPCG(3, 5))
	var shifts, ses []float64
	for k := 0; k < reps; k++ {
		sc, sd := make([]bool, n), make([]bool, n)
		for i := 0; i < n; i++ {
			z1, z2 := r.NormFloat64(), r.NormFloat64()
			xc := muC + sigC*z1
			xd := muD + sigD*(corr*z1+math.Sqrt(1-corr*corr)*z2)
			sc[i], sd[i] = p0c <= math.Floor(xc), p0d <= math.Floor(xd)
		}
		s := ShiftEstimate(sc, sd, p0c, p0d, sigC, sigD)
		if !s.Estimable {
			t.Fatalf("replication %d: not estimable", k)
		}
		shifts, ses = append(shifts, s.Shift), append(ses, s.SE)
	}
	mean, sd := meanSD(shifts)
	meanSE, _ := meanSD(ses)
	want := muC - muD
	if tol := 3*sd/math.Sqrt(reps) + 0.1*sd; math.Abs(mean-want) > tol {
		t.Errorf("mean shift %.3f over %d replications, true %.3f (tolerance %.3f)", mean, reps, want, tol)
	}
	if math.Abs(meanSE/sd-1) > 0.15 {
		t.Errorf("mean SE %.3f, Monte Carlo SD %.3f", meanSE, sd)
	}
	t.Logf("shift %.3f (true %.3f), MC SD %.3f, mean SE %.3f", mean, want, sd, meanSE)
}

func meanSD(x []float64) (mean, sd float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		sd += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(sd / float64(len(x)-1))
}

// An independent recomputation of the single-verdict section on a small
// synthetic set: the fractions and their exact intervals (by bisection on the
// binomial tails), the widths (theory's width times the mean ratio of the
// measured probit widths at the three largest d), the crossings, the shift
// and its width SE (by hand), the sampling SE (the delta method on the
// paired verdicts' table, half a count per cell, by hand), the relative gap, the forms' z and Holm p,
// and the one-sided bound of a model whose verdicts are all not storable.
func TestVerdictSectionIndependent(t *testing.T) {
	rep := verdictFixture(t)
	const d, n = 28, 50
	pc, err := theory.CriticalP(d*d, 0)
	if err != nil {
		t.Fatal(err)
	}
	p0c, p0d := int(math.Round(pc*1.03)), int(math.Round(pc))
	// Verdicts: coupled storable for seeds 1..31, decoupled for
	// 1..22 and 45; d = 32: every decoupled verdict not storable.
	var vs []experiment.Verdict
	st := func(ok bool) feasibility.Status {
		if ok {
			return feasibility.Storable
		}
		return feasibility.NotStorable
	}
	cS, dS := map[int64]bool{}, map[int64]bool{}
	for s := int64(1); s <= n; s++ {
		cS[s], dS[s] = s <= 31, s <= 22 || s == 45
		vs = append(vs,
			experiment.Verdict{Unit: experiment.Unit{D: d, Model: model.Coupled, Seed: s}, P: p0c, Status: st(cS[s]), Seconds: 2, Iterations: 30},
			experiment.Verdict{Unit: experiment.Unit{D: d, Model: model.Decoupled, Seed: s}, P: p0d, Status: st(dS[s]), Seconds: 4, Iterations: 50})
	}
	// One undecided coupled verdict: counted, left out of the fraction and the pairs.
	vs = append(vs, experiment.Verdict{Unit: experiment.Unit{D: d, Model: model.Coupled, Seed: n + 1}, P: p0c, Status: feasibility.Undecided})
	pc32, _ := theory.CriticalP(32*32, 0)
	for s := int64(1); s <= 12; s++ {
		vs = append(vs,
			experiment.Verdict{Unit: experiment.Unit{D: 32, Model: model.Coupled, Seed: s}, P: int(pc32), Status: st(s%2 == 0)},
			experiment.Verdict{Unit: experiment.Unit{D: 32, Model: model.Decoupled, Seed: s}, P: int(pc32) + 40, Status: feasibility.NotStorable})
	}
	if err := rep.SetVerdicts(vs, Settings{Bootstrap: 2000}); err != nil {
		t.Fatal(err)
	}
	if len(rep.Verdicts) != 2 {
		t.Fatalf("%d verdict rows, want 2", len(rep.Verdicts))
	}
	row := rep.Verdicts[0]
	tw, _ := theory.Width(pc)
	// Widths by hand: the three largest d below 28 with 60 certified p*.
	ratio := func(m string) (float64, float64) {
		var rs []float64
		for _, g := range rep.Groups {
			if g.Model == m && g.D >= 16 && g.D <= 24 {
				w, _ := theory.Width(g.Theory)
				rs = append(rs, g.Width/w)
			}
		}
		mean, sd := meanSD(rs)
		return mean, sd / math.Sqrt(float64(len(rs)))
	}
	var z [2]float64
	var sig, sigSE [2]float64
	for i, m := range []string{"coupled", "decoupled"} {
		vm := row.Models[i]
		k := map[string]int{"coupled": 31, "decoupled": 23}[m]
		p0 := map[string]int{"coupled": p0c, "decoupled": p0d}[m]
		f := float64(k) / n
		r, rse := ratio(m)
		sig[i], sigSE[i] = tw*r, tw*rse
		z[i] = probitInv(f)
		lo, hi := cpBisect(k, n)
		switch {
		case vm.Storable != k || vm.NotStorable != n-k || vm.P != p0:
			t.Errorf("%s: counts %d/%d at %d, want %d/%d at %d", m, vm.Storable, vm.NotStorable, vm.P, k, n-k, p0)
		case math.Abs(vm.FractionCI.Lo-lo) > 1e-7 || math.Abs(vm.FractionCI.Hi-hi) > 1e-7:
			t.Errorf("%s: exact interval %v, by bisection [%g, %g]", m, vm.FractionCI, lo, hi)
		case math.Abs(vm.Width-sig[i]) > 1e-9 || math.Abs(vm.WidthRatioSE*tw-sigSE[i]) > 1e-9:
			t.Errorf("%s: width %g +- %g, by hand %g +- %g", m, vm.Width, vm.WidthRatioSE*tw, sig[i], sigSE[i])
		case math.Abs(vm.Crossing-(float64(p0)+sig[i]*z[i])) > 1e-9 || vm.Side != 0:
			t.Errorf("%s: crossing %g, by hand %g", m, vm.Crossing, float64(p0)+sig[i]*z[i])
		case math.Abs(vm.CrossingCI.Hi-(float64(p0)+sig[i]*probitInv(hi))) > 1e-6:
			t.Errorf("%s: crossing interval %v", m, vm.CrossingCI)
		}
	}
	if row.Models[0].Undecided != 1 || row.Pairs != n {
		t.Errorf("undecided %d, pairs %d; want 1 and %d", row.Models[0].Undecided, row.Pairs, n)
	}
	shift := float64(p0c) + sig[0]*z[0] - float64(p0d) - sig[1]*z[1]
	wse := math.Hypot(z[0]*sigSE[0], z[1]*sigSE[1])
	if math.Abs(row.Shift-shift) > 1e-9 || math.Abs(row.WidthSE-wse) > 1e-9 || math.Abs(row.ShiftSE-math.Hypot(row.SamplingSE, wse)) > 1e-12 {
		t.Errorf("shift %g (width SE %g, SE %g), by hand %g (%g)", row.Shift, row.WidthSE, row.ShiftSE, shift, wse)
	}
	// The sampling SE by hand: the delta method on the 2 x 2 table of paired
	// verdicts with half a count added to each cell, Var(Phi^-1(f^)) =
	// f(1-f)/(n phi^2) and the paired covariance (P(both storable) - fc fd)/n.
	var tab [2][2]float64
	for s := int64(1); s <= n; s++ {
		i, j := 0, 0
		if cS[s] {
			i = 1
		}
		if dS[s] {
			j = 1
		}
		tab[i][j]++
	}
	m := float64(n) + 2
	both := (tab[1][1] + 0.5) / m
	fc, fd := (tab[1][0]+tab[1][1]+1)/m, (tab[0][1]+tab[1][1]+1)/m
	phi := func(z float64) float64 { return math.Exp(-z*z/2) / math.Sqrt(2*math.Pi) }
	gc, gd := sig[0]/phi(probitInv(fc)), sig[1]/phi(probitInv(fd))
	delta := math.Sqrt((gc*gc*fc*(1-fc) + gd*gd*fd*(1-fd) - 2*gc*gd*(both-fc*fd)) / n)
	if math.Abs(row.SamplingSE/delta-1) > 1e-9 {
		t.Errorf("sampling SE %g, delta method by hand %g", row.SamplingSE, delta)
	}
	den := float64(p0d) + sig[1]*z[1]
	if math.Abs(row.Gap-shift/den) > 1e-12 || math.Abs(row.GapSE-row.ShiftSE/den) > 1e-12 {
		t.Errorf("gap %g +- %g, by hand %g +- %g", row.Gap, row.GapSE, shift/den, row.ShiftSE/den)
	}
	// The forms: z and Holm by hand.
	if len(row.Forms) != len(rep.GapFits) || len(row.Forms) == 0 {
		t.Fatalf("%d forms, %d fits", len(row.Forms), len(rep.GapFits))
	}
	ps := make([]float64, len(row.Forms))
	for i, f := range rep.GapFits {
		zz := (row.Gap - f.At(d)) / math.Sqrt(row.GapSE*row.GapSE+f.SEAt(d)*f.SEAt(d))
		ps[i] = math.Erfc(math.Abs(zz) / math.Sqrt2)
		if math.Abs(row.Forms[i].Z-zz) > 1e-9 || math.Abs(row.Forms[i].P-ps[i]) > 1e-9 {
			t.Errorf("%s: z %g p %g, by hand %g %g", f.Form, row.Forms[i].Z, row.Forms[i].P, zz, ps[i])
		}
	}
	order := make([]int, len(ps))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return ps[order[a]] < ps[order[b]] })
	prev := 0.0
	for j, i := range order {
		h := math.Max(prev, math.Min(1, float64(len(ps)-j)*ps[i]))
		prev = h
		if math.Abs(row.Forms[i].PHolm-h) > 1e-12 || row.Forms[i].Excluded != (h < 0.0027) {
			t.Errorf("%s: Holm p %g (excluded %v), by hand %g", row.Forms[i].Form, row.Forms[i].PHolm, row.Forms[i].Excluded, h)
		}
	}
	// d = 32: every decoupled verdict not storable: no finite crossing, the
	// one-sided bound 1 - 0.025^(1/12) carried through, and no shift.
	r32 := rep.Verdicts[1]
	dm := r32.Models[1]
	hi := 1 - math.Pow(0.025, 1.0/12)
	if r32.Estimable || dm.Side != -1 || !math.IsInf(dm.CrossingCI.Lo, -1) || math.Abs(dm.CrossingCI.Hi-(float64(dm.P)+dm.Width*probitInv(hi))) > 1e-6 {
		t.Errorf("all not storable: estimable %v, side %d, interval %v", r32.Estimable, dm.Side, dm.CrossingCI)
	}
	md := rep.Markdown(nil, "lamcap validate")
	for _, want := range []string{"outside the interval: below", "No finite shift", "| 28 | coupled |", "): 0 of 80 verdicts"} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}

// cpBisect is the exact 95% interval of k in n by bisection on the binomial
// tails (P(X >= k | lo) = P(X <= k | hi) = 0.025).
func cpBisect(k, n int) (lo, hi float64) {
	tail := func(p float64, from int) float64 { // P(X >= from)
		s := 0.0
		for j := from; j <= n; j++ {
			s += math.Exp(lchoose(n, j) + float64(j)*math.Log(p) + float64(n-j)*math.Log1p(-p))
		}
		return s
	}
	solve := func(f func(float64) float64) float64 { // f increasing in p, root of f = 0
		a, b := 1e-12, 1-1e-12
		for i := 0; i < 200; i++ {
			m := (a + b) / 2
			if f(m) > 0 {
				b = m
			} else {
				a = m
			}
		}
		return (a + b) / 2
	}
	lo, hi = 0, 1
	if k > 0 {
		lo = solve(func(p float64) float64 { return tail(p, k) - 0.025 })
	}
	if k < n {
		hi = solve(func(p float64) float64 { return 0.025 - (1 - tail(p, k+1)) })
	}
	return lo, hi
}

func lchoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}

// Without verdict records the section says so in one line.
func TestVerdictSectionEmpty(t *testing.T) {
	var r Report
	if s := r.verdictStatement(); strings.Count(s, "\n") != 0 || !strings.Contains(s, "No single-verdict records yet") {
		t.Errorf("empty section: %q", s)
	}
}

// With a few seeds whose two verdicts agree, a bootstrap over seeds and the
// plug-in delta method both put the shift's SE below one association (no
// discordant pair is ever drawn); the half count per cell keeps it at the
// size a Monte Carlo of that design gives, and the gap forms are not held
// against fewer than MinPairs pairs.
func TestShiftEstimateFewConcordantSeeds(t *testing.T) {
	sc := []bool{true, false, false}
	sd := []bool{true, false, false}
	const w = 12.5
	s := ShiftEstimate(sc, sd, 1841, 1816, w, w)
	if !s.Estimable || math.Abs(s.Shift-25) > 1e-9 {
		t.Fatalf("shift %+v, want 25 exactly (equal fractions, equal widths)", s)
	}
	// A Monte Carlo of the design: 3 seeds, thresholds correlated 0.7, both
	// crossings at their p0 (true shift 25): the spread of the estimate over
	// the replications where it is finite.
	r := rand.New(rand.NewPCG(7, 9))
	var est []float64
	for k := 0; k < 20000; k++ {
		a, b := make([]bool, 3), make([]bool, 3)
		for i := range a {
			z1, z2 := r.NormFloat64(), r.NormFloat64()
			a[i], b[i] = z1 > 0, 0.7*z1+math.Sqrt(1-0.49)*z2 > 0
		}
		if e := ShiftEstimate(a, b, 1841, 1816, w, w); e.Estimable {
			est = append(est, e.Shift)
		}
	}
	_, mc := meanSD(est)
	if s.SE < mc/2 || s.SE > 2*mc {
		t.Errorf("SE %.2f with 3 concordant seeds, Monte Carlo spread %.2f: not within a factor 2", s.SE, mc)
	}
	t.Logf("SE %.2f, Monte Carlo spread %.2f over %d finite replications", s.SE, mc, len(est))
}

// The gap figure shows a single-verdict row's relative gap, with 1.96 SE
// bars, only when its shift is finite and rests on MinPairs pairs: the rows
// the section holds the gap forms against.
func TestVerdictGapPoints(t *testing.T) {
	r := Report{Verdicts: []VerdictRow{
		{D: 96, Pairs: MinPairs - 1, Estimable: true, Gap: 0.02, GapSE: 0.004},
		{D: 128, Pairs: MinPairs, Estimable: true, Gap: 0.015, GapSE: 0.003},
		{D: 160, Pairs: 3 * MinPairs, Estimable: false},
	}}
	pts, bars := r.verdictGapPoints()
	if len(pts) != 1 || pts[0].X != 128 || pts[0].Y != 0.015 {
		t.Fatalf("points %v, want the d = 128 row alone", pts)
	}
	if b := bars[0]; math.Abs(b.Low-1.96*0.003) > 1e-15 || b.Low != b.High {
		t.Errorf("bar %+v, want +-%g", b, 1.96*0.003)
	}
}

// The claims' sentence on a single-verdict run: its counts, the gap so far
// without a verdict on the forms below MinPairs pairs, and from MinPairs on
// the forms the section excludes.
func TestVerdictClaim(t *testing.T) {
	var vs []experiment.Verdict
	st := func(ok bool) feasibility.Status {
		if ok {
			return feasibility.Storable
		}
		return feasibility.NotStorable
	}
	for s := int64(1); s <= 4; s++ {
		vs = append(vs,
			experiment.Verdict{Unit: experiment.Unit{D: 128, Model: model.Coupled, Seed: s}, P: 1841, Status: st(s%2 == 1)},
			experiment.Verdict{Unit: experiment.Unit{D: 128, Model: model.Decoupled, Seed: s}, P: 1816, Status: st(s <= 2)})
	}
	vs = append(vs, experiment.Verdict{Unit: experiment.Unit{D: 128, Model: model.Coupled, Seed: 5}, P: 1841, Status: feasibility.Undecided})
	r := Report{}
	if err := r.SetVerdicts(vs, Settings{}); err != nil {
		t.Fatal(err)
	}
	got := r.verdictClaim()
	for _, want := range []string{"At d = 128 ", "9 of 80 verdicts, 4 seeds decided in both models, 1 undecided", "held against the gap forms from 10 pairs on."} {
		if !strings.Contains(got, want) {
			t.Errorf("claim %q lacks %q", got, want)
		}
	}
	// From MinPairs pairs on: the excluded forms by name.
	r.Verdicts[0].Pairs = MinPairs
	r.Verdicts[0].Forms = []VerdictForm{{Form: "constant c", Excluded: true}, {Form: "c d^-b"}}
	if got := r.verdictClaim(); !strings.Contains(got, "it excludes constant c at 3 sigma (Holm).") || strings.Contains(got, "c d^-b at") {
		t.Errorf("claim %q", got)
	}
	// A pair of forms that no number of pairs separates, in either direction, is named.
	r.Verdicts[0].Forms = nil
	r.Verdicts[0].Estimable = true
	r.Verdicts[0].Power = []VerdictPower{{D: 128, Forms: [][2]string{{"c / log d", "c d^-b"}, {"c d^-b", "a + b / d"}}, Pairs: [][2]int{{MaxPairs, 74}, {MaxPairs, MaxPairs}}}}
	if got := r.verdictClaim(); !strings.Contains(got, "no number of verdict pairs at d = 128 alone separates c d^-b from a + b / d at 3 sigma") || strings.Contains(got, "c / log d from") {
		t.Errorf("claim %q", got)
	}
	if got := (Report{}).verdictClaim(); got != "" {
		t.Errorf("no verdicts: claim %q", got)
	}
}
