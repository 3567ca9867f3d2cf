package validation

import (
	"bufio"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/model"
	"github.com/lamcap/lamcap/theory"
)

// The projection of the verdict design's SE to n seeds (shiftSE) against a
// Monte Carlo of the design: seeds drawn from the 2 x 2 table of paired
// verdicts with the proportions of a small measured table (13 seeds, as at
// d = 128), ShiftEstimate on each draw; the spread of the estimates over the
// replications is shiftSE at that n within 12%. At the table's own n,
// shiftSE is ShiftEstimate's SE exactly.
func TestShiftSEProjectionMonteCarlo(t *testing.T) {
	const wc, wd = 12.5, 13.4
	cells := [2][2]float64{{8, 1}, {1, 3}} // [coupled storable][decoupled storable]
	var sc, sd []bool
	for i := 0; i < 2; i++ {
		for j := 0; j < 2; j++ {
			for k := 0; k < int(cells[i][j]); k++ {
				sc, sd = append(sc, i == 1), append(sd, j == 1)
			}
		}
	}
	est := ShiftEstimate(sc, sd, 1841, 1816, wc, wd)
	if got := shiftSE(cells, 13, wc, wd); math.Abs(got-est.SE) > 1e-12 || est.Cells != cells {
		t.Fatalf("shiftSE at the table's n %g, ShiftEstimate %g (cells %v)", got, est.SE, est.Cells)
	}
	r := rand.New(rand.NewPCG(11, 13))
	for _, n := range []int{40, 150} {
		var shifts []float64
		for rep := 0; rep < 1500; rep++ {
			a, b := make([]bool, n), make([]bool, n)
			for i := 0; i < n; i++ {
				u := r.Float64() * 13
				switch {
				case u < cells[0][0]:
				case u < cells[0][0]+cells[0][1]:
					b[i] = true
				case u < cells[0][0]+cells[0][1]+cells[1][0]:
					a[i] = true
				default:
					a[i], b[i] = true, true
				}
			}
			if s := ShiftEstimate(a, b, 1841, 1816, wc, wd); s.Estimable {
				shifts = append(shifts, s.Shift)
			}
		}
		_, mc := meanSD(shifts)
		want := shiftSE(cells, float64(n), wc, wd)
		if math.Abs(want/mc-1) > 0.12 {
			t.Errorf("n = %d: projected SE %.3f, Monte Carlo spread %.3f over %d replications", n, want, mc, len(shifts))
		}
		t.Logf("n = %d: projected SE %.3f, Monte Carlo %.3f", n, want, mc)
	}
}

// The power statement of the single-verdict design, recomputed by hand on a
// synthetic set: the forms compared, the relative gap's SE at n pairs (the
// delta method on the paired table scaled to n, half a count per cell,
// widths' SE in quadrature, over the decoupled crossing), the pairs needed
// in each direction by a linear scan, the z at the target and with
// infinitely many pairs, and at a projected d the widths, the crossing and
// the seconds per verdict scaled as stated. Beside it, each crossing's
// deviation from theory and the claims' sentence on it.
func TestVerdictPowerIndependent(t *testing.T) {
	rep := verdictFixture(t)
	const d, n = 28, 50
	pc, _ := theory.CriticalP(d*d, 0)
	p0c, p0d := int(math.Round(pc*1.03)), int(math.Round(pc))
	st := func(ok bool) feasibility.Status {
		if ok {
			return feasibility.Storable
		}
		return feasibility.NotStorable
	}
	var vs []experiment.Verdict
	var tab [2][2]float64
	for s := int64(1); s <= n; s++ {
		c, dd := s <= 31, s <= 22 || s == 45
		tab[b2i(c)][b2i(dd)]++
		vs = append(vs,
			experiment.Verdict{Unit: experiment.Unit{D: d, Model: model.Coupled, Seed: s}, P: p0c, Status: st(c), Seconds: 2, Iterations: 30},
			experiment.Verdict{Unit: experiment.Unit{D: d, Model: model.Decoupled, Seed: s}, P: p0d, Status: st(dd), Seconds: 4, Iterations: 50})
	}
	if err := rep.SetVerdicts(vs, Settings{Bootstrap: 200}); err != nil {
		t.Fatal(err)
	}
	row := rep.Verdicts[0]
	if len(row.Power) != 1+len(VerdictPowerDims) {
		t.Fatalf("%d power rows, want %d", len(row.Power), 1+len(VerdictPowerDims))
	}
	// The deviations from theory, by hand.
	for _, m := range row.Models {
		if dev := (m.Crossing - pc) / pc; math.Abs(m.Deviation-dev) > 1e-12 || math.Abs(m.DeviationCI.Lo-(m.CrossingCI.Lo-pc)/pc) > 1e-12 || math.Abs(m.DeviationCI.Hi-(m.CrossingCI.Hi-pc)/pc) > 1e-12 {
			t.Errorf("%s: deviation %g %v, by hand %g", m.Model, m.Deviation, m.DeviationCI, dev)
		}
	}
	claim := rep.verdictTheoryClaim()
	for _, want := range []string{"At d = 28, from single verdicts only", "50 decoupled and 50 coupled"} {
		if !strings.Contains(claim, want) {
			t.Errorf("claim %q lacks %q", claim, want)
		}
	}
	// The forms: own fit not excluded at 3 sigma, not excluded by the verdicts.
	var forms []string
	for i, f := range rep.GapFits {
		if f.PValue >= 0.0027 && !row.Forms[i].Excluded {
			forms = append(forms, f.Form)
		}
	}
	if len(forms) < 2 {
		t.Fatalf("%d forms not excluded; the test needs two", len(forms))
	}
	c, dm := row.Models[0], row.Models[1]
	den := float64(p0d) + dm.Width*probitInv(float64(23)/n)
	tw, _ := theory.Width(pc)
	phi := func(z float64) float64 { return math.Exp(-z*z/2) / math.Sqrt(2*math.Pi) }
	secs := (n*2.0 + n*4.0) / (2 * n)
	for _, pw := range row.Power {
		scale, cross, sec := 1.0, den, secs
		if pw.D != d {
			pcd, _ := theory.CriticalP(float64(pw.D*pw.D), 0)
			w, _ := theory.Width(pcd)
			scale, cross, sec = w/tw, pcd*den/pc, secs*math.Pow(float64(pw.D)/d, 6)
		}
		if math.Abs(pw.SecondsPerVerdict/sec-1) > 1e-12 || math.Abs(pw.Crossing/cross-1) > 1e-12 || pw.Projected != (pw.D != d) {
			t.Errorf("d = %d: %g s per verdict, crossing %g; by hand %g, %g", pw.D, pw.SecondsPerVerdict, pw.Crossing, sec, cross)
		}
		floor := row.WidthSE * scale / cross
		se := func(k float64) float64 {
			m := k + 2
			both := (tab[1][1]*k/n + 0.5) / m
			fc := ((tab[1][0]+tab[1][1])*k/n + 1) / m
			fd := ((tab[0][1]+tab[1][1])*k/n + 1) / m
			gc, gd := c.Width*scale/phi(probitInv(fc)), dm.Width*scale/phi(probitInv(fd))
			v := (gc*gc*fc*(1-fc) + gd*gd*fd*(1-fd) - 2*gc*gd*(both-fc*fd)) / k
			return math.Hypot(math.Sqrt(v)/cross, floor)
		}
		if math.Abs(pw.WidthSE-floor) > 1e-15 || math.Abs(pw.PairSE-math.Sqrt(n*(se(n)*se(n)-floor*floor))) > 1e-12 {
			t.Errorf("d = %d: pair SE %g floor %g; by hand %g %g", pw.D, pw.PairSE, pw.WidthSE, math.Sqrt(n*(se(n)*se(n)-floor*floor)), floor)
		}
		k := 0
		for i := range forms {
			for j := i + 1; j < len(forms); j++ {
				a, b := rep.fit(forms[i]), rep.fit(forms[j])
				va, vb := a.At(float64(pw.D)), b.At(float64(pw.D))
				sa, sb := a.SEAt(float64(pw.D)), b.SEAt(float64(pw.D))
				if pw.Forms[k] != [2]string{forms[i], forms[j]} {
					t.Fatalf("d = %d: forms %v, want %s vs %s", pw.D, pw.Forms[k], forms[i], forms[j])
				}
				for dir, other := range []float64{sb, sa} {
					z := func(m float64) float64 { return math.Abs(va-vb) / math.Hypot(se(m), other) }
					need := MaxPairs
					for m := 1; m <= MaxPairs; m++ {
						if z(float64(m)) >= 3 {
							need = m
							break
						}
					}
					limit := math.Abs(va-vb) / math.Hypot(floor, other)
					if pw.Pairs[k][dir] != need || math.Abs(pw.Z[k][dir]-z(n)) > 1e-9 || math.Abs(pw.Limit[k][dir]-limit) > 1e-9 {
						t.Errorf("d = %d, %s vs %s, direction %d: %d pairs, z %g, limit %g; by hand %d, %g, %g", pw.D, forms[i], forms[j], dir, pw.Pairs[k][dir], pw.Z[k][dir], pw.Limit[k][dir], need, z(n), limit)
					}
					if (need == MaxPairs) != (limit < 3 || z(MaxPairs) < 3) {
						t.Errorf("d = %d: 'never' %v, limit z %g", pw.D, need == MaxPairs, limit)
					}
				}
				k++
			}
		}
	}
	md := rep.Markdown(nil, "lamcap validate")
	for _, want := range []string{"**How many verdict pairs would decide it.**", "| 160 (projected) |", "deviation [95%]", "Each crossing estimates the mean real threshold E X", "A check at d = 160: docs/benchmarks.md's one p* search there"} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}

// The cost figures by engine: records that EarlierEngine lists (unit and
// iteration count) are left out of the means and said apart, a record of the
// same unit with another count is not; with only earlier-engine records at
// a d, the searches left are charged the benchmarks' mean iterations at the
// single verdicts' seconds per iteration, and the verdict section does not
// compare a verdict with the earlier engine's search as if of one engine.
func TestEarlierEngineCost(t *testing.T) {
	if len(EarlierEngine) < 2 || EarlierEngine[0].D != 128 {
		t.Skip("EarlierEngine no longer lists d = 128 records")
	}
	base := synthetic([]int{8, 12, 16}, 12, 0.03)
	var recs []experiment.Record
	recs = append(recs, base...)
	for _, e := range EarlierEngine {
		if e.D != 128 {
			continue
		}
		recs = append(recs, experiment.Record{Unit: e.Unit, Embedding: model.Gaussian, PStar: 1830, Certified: true,
			Lower: 1830, Upper: 1831, Solves: 7, Iterations: e.Iterations, Seconds: 6000})
	}
	rep, err := Analyze(recs, Settings{Bootstrap: 200})
	if err != nil {
		t.Fatal(err)
	}
	var bi, bs float64
	nb := 0
	for _, b := range Benchmarks {
		if b.D == 128 {
			bi, bs, nb = bi+float64(b.Iterations), bs+b.Seconds, nb+1
		}
	}
	bi, bs = bi/float64(nb), bs/float64(nb)
	pr := progressAt(t, rep, 128)
	if pr.Earlier != 2 || pr.Timed != 0 || pr.Basis != "benchmarks" || math.Abs(pr.LeftIterations-float64(pr.Left)*bi) > 1e-9 || math.Abs(pr.LeftSeconds-float64(pr.Left)*bs) > 1e-6 {
		t.Errorf("earlier only: %d earlier, %d timed, basis %q, %g iterations and %g s left; want 2, 0, benchmarks, %g, %g", pr.Earlier, pr.Timed, pr.Basis, pr.LeftIterations, pr.LeftSeconds, float64(pr.Left)*bi, float64(pr.Left)*bs)
	}
	// Single verdicts at d = 128: their seconds per iteration, 300 s over 10.
	var vs []experiment.Verdict
	for s := int64(1); s <= 3; s++ {
		vs = append(vs,
			experiment.Verdict{Unit: experiment.Unit{D: 128, Model: model.Coupled, Seed: s}, P: 1841, Status: feasibility.Storable, Seconds: 300, Iterations: 10},
			experiment.Verdict{Unit: experiment.Unit{D: 128, Model: model.Decoupled, Seed: s}, P: 1816, Status: feasibility.NotStorable, Seconds: 100, Iterations: 10})
	}
	if err := rep.SetVerdicts(vs, Settings{}); err != nil {
		t.Fatal(err)
	}
	pr = progressAt(t, rep, 128)
	if rate := 1200.0 / 60; pr.VerdictSecondsPerIteration != rate || math.Abs(pr.LeftSeconds-float64(pr.Left)*bi*rate) > 1e-6 {
		t.Errorf("with verdicts: %g s per iteration, %g s left; want %g, %g", pr.VerdictSecondsPerIteration, pr.LeftSeconds, rate, float64(pr.Left)*bi*rate)
	}
	cost := rep.verdictCost(rep.Verdicts[0])
	for _, want := range []string{"of an earlier engine", "is no measure of the design", "docs/benchmarks.md's idle benchmarks"} {
		if !strings.Contains(cost, want) {
			t.Errorf("verdict cost %q lacks %q", cost, want)
		}
	}
	if strings.Contains(cost, "which do not depend on the load, and") {
		t.Errorf("verdict cost compares with the earlier engine's search: %q", cost)
	}
	// The same unit solved again (another count) is a record of the current engine.
	recs[len(recs)-1].Iterations++
	rep, err = Analyze(recs, Settings{Bootstrap: 200})
	if err != nil {
		t.Fatal(err)
	}
	if pr := progressAt(t, rep, 128); pr.Earlier != 1 || pr.Timed != 1 || pr.Basis != "records" {
		t.Errorf("one re-solved: %d earlier, %d timed, basis %q", pr.Earlier, pr.Timed, pr.Basis)
	}
}

func progressAt(t *testing.T, rep Report, d int) Progress {
	t.Helper()
	for _, p := range rep.Progress {
		if p.D == d {
			return p
		}
	}
	t.Fatalf("no progress row at d = %d", d)
	return Progress{}
}

// Benchmarks quote docs/benchmarks.md: each Quote is in it, and holds the
// benchmark's seconds, verdicts and iterations.
func TestBenchmarksInDoc(t *testing.T) {
	b, err := os.ReadFile("../docs/benchmarks.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, x := range Benchmarks {
		if !strings.Contains(doc, x.Quote) {
			t.Errorf("d = %d seed %d: docs/benchmarks.md lacks %q", x.D, x.Seed, x.Quote)
		}
		for _, v := range []string{strconv.FormatFloat(x.Seconds, 'f', -1, 64), strconv.Itoa(x.Verdicts) + " ", strconv.Itoa(x.Iterations) + " "} {
			if !strings.Contains(x.Quote+" ", v) {
				t.Errorf("d = %d seed %d: quote %q lacks %q", x.D, x.Seed, x.Quote, v)
			}
		}
	}
}

// EarlierEngine names committed records: each unit, with its iteration
// count, is in docs/data/science.
func TestEarlierEngineInRecords(t *testing.T) {
	files, _ := filepath.Glob("../docs/data/science/*/records.jsonl")
	if len(files) == 0 {
		t.Skip("no committed records")
	}
	type line struct {
		D          int    `json:"d"`
		Model      string `json:"model"`
		Seed       int64  `json:"seed"`
		Iterations int    `json:"iterations"`
	}
	found := map[EngineRecord]bool{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var l line
			if json.Unmarshal(sc.Bytes(), &l) != nil {
				continue
			}
			for _, e := range EarlierEngine {
				if e.D == l.D && e.Model.String() == l.Model && e.Seed == l.Seed && e.Iterations == l.Iterations {
					found[e] = true
				}
			}
		}
		fh.Close()
	}
	for _, e := range EarlierEngine {
		if !found[e] {
			t.Errorf("%s with %d iterations is in no committed records.jsonl", e.Unit.Name(), e.Iterations)
		}
	}
}

// verdictFixture is Analyze(synthetic([]int{8, 12, 16, 20, 24}, 60, 0.03))
// with 1000 bootstrap rounds, computed once for the verdict tests
// (TestVerdictSectionIndependent, TestVerdictPowerIndependent), each given
// its own copy of what SetVerdicts changes.
func verdictFixture(t *testing.T) Report {
	t.Helper()
	verdictBase.once.Do(func() {
		verdictBase.rep, verdictBase.err = Analyze(synthetic([]int{8, 12, 16, 20, 24}, 60, 0.03), Settings{Bootstrap: 1000})
	})
	if verdictBase.err != nil {
		t.Fatal(verdictBase.err)
	}
	rep := verdictBase.rep
	rep.Progress = slices.Clone(rep.Progress)
	rep.Verdicts, rep.VerdictProgress = nil, nil
	return rep
}

var verdictBase struct {
	once sync.Once
	rep  Report
	err  error
}
