package validation

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/model"
	"github.com/lamcap/lamcap/stats"
	"github.com/lamcap/lamcap/theory"
)

// VerdictTargets are the verdict sweeps of the science sweep: at D, one
// certified verdict per model for seeds 1..Pairs, at a p0 fixed per model in
// advance, in the directory Part of docs/data/science (the part of
// scripts/science-sweep.sh of the same name, a 'lamcap sweep --at' run;
// TestVerdictTargetsMatchScript keeps them equal). At d = 96 one verdict per
// instance carried about as much information on the paired shift as a full
// p* (the report's design section) for a sixth of its cost; at d = 128 a
// verdict costs about 1/9 of a p* search in solver iterations (the report's
// verdict section, against docs/benchmarks.md's idle benchmarks), so 40
// pairs of verdicts cost about as much as 4-5 pairs of p*.
var VerdictTargets = []Target{{D: 128, Pairs: 40, Part: "d128v"}}

// WidthDims is how many of the largest d below a verdict sweep's d, with
// MinPairs certified p* of the model or more, give the ratio of the
// measured probit width to theory's (VerdictModel.WidthRatio).
const WidthDims = 3

// VerdictModel is what one model's verdicts say at one d.
type VerdictModel struct {
	Model string `json:"model"`
	// P is the p0 the verdicts are at.
	P int `json:"p0"`
	// Storable, NotStorable and Undecided count the verdicts (undecided ones
	// are shown and left out of the fraction, never folded into a side).
	Storable    int `json:"storable"`
	NotStorable int `json:"not_storable"`
	Undecided   int `json:"undecided"`
	// Fraction is Storable / (Storable + NotStorable) with its exact 95%
	// (Clopper-Pearson) interval.
	Fraction   float64        `json:"storable_fraction"`
	FractionCI stats.Interval `json:"storable_fraction_ci95"`
	// Width is the transition width sigma taken for the crossing: theory's
	// width of p* at d (TheoryWidth, theory.Width) times WidthRatio, the mean
	// ratio of the measured probit width to theory's at WidthFrom (the
	// WidthDims largest d below with MinPairs certified p* or more), with
	// WidthRatioSE its standard error over those d.
	Width        float64 `json:"width"`
	TheoryWidth  float64 `json:"theory_width"`
	WidthRatio   float64 `json:"width_ratio"`
	WidthRatioSE float64 `json:"width_ratio_se"`
	WidthFrom    []int   `json:"width_from_d"`
	// Crossing is p0 + Width Phi^-1(Fraction), the P(storable | p) = 1/2
	// crossing (the mean of the real threshold whose integer part p* is),
	// with CrossingCI the exact interval of the fraction carried through it
	// (the width taken as known). Side is 0 for a fraction inside (0, 1);
	// -1 when every verdict is not storable (no finite crossing: it lies
	// below CrossingCI.Hi, a one-sided 97.5% bound), +1 when every one is
	// storable (above CrossingCI.Lo).
	Crossing   float64        `json:"crossing"`
	CrossingCI stats.Interval `json:"crossing_ci95"`
	Side       int            `json:"side"`
	// MeanSeconds and MeanIterations are per verdict (wall seconds, as the
	// records state them).
	MeanSeconds    float64 `json:"mean_seconds"`
	MeanIterations float64 `json:"mean_iterations"`
	// Theory is theory's p_c at d; Guess the p0 the design section's rule
	// gives from the records at the next smaller d (0: none).
	Theory float64 `json:"theory"`
	Guess  int     `json:"guessed_p0"`
	// Deviation is (Crossing - Theory) / Theory: the crossing estimates the
	// mean real threshold E X, the number the capacity table holds against
	// theory as mean p* + HalfAssociation. DeviationCI is CrossingCI carried
	// through it (one side infinite when Side is not 0).
	Deviation   float64        `json:"deviation"`
	DeviationCI stats.Interval `json:"deviation_ci95"`
}

// VerdictForm is one gap form's prediction at a verdict sweep's d against the
// gap the verdicts measure.
type VerdictForm struct {
	Form string `json:"form"`
	// Value and SE are the form's prediction from its fit to the full-p*
	// pairs (FitGap, full covariance).
	Value float64 `json:"value"`
	SE    float64 `json:"se"`
	// Z is (measured - Value) / sqrt(SE_measured^2 + SE^2); P its two-sided
	// normal p-value and PHolm that p Holm-adjusted over the forms compared.
	Z     float64 `json:"z"`
	P     float64 `json:"p"`
	PHolm float64 `json:"p_holm"`
	// Excluded says PHolm < threeSigma: excluded at 3 sigma.
	Excluded bool `json:"excluded_3sigma"`
}

// VerdictRow is what the single-verdict records say at one d.
type VerdictRow struct {
	D      int            `json:"d"`
	Models []VerdictModel `json:"models"` // coupled, then decoupled
	// Pairs counts the seeds decided in both models, those the shift is
	// computed from.
	Pairs int `json:"pairs"`
	// Estimable says both models' paired fractions are inside (0, 1), so
	// that the shift is finite.
	Estimable bool `json:"estimable"`
	// Shift is the coupled crossing minus the decoupled one over the Pairs
	// (in associations), ShiftSE its standard error: SamplingSE (the
	// delta method on the paired verdicts, ShiftEstimate) and WidthSE (the
	// widths' uncertainty by the delta method) in quadrature.
	Shift      float64 `json:"shift"`
	ShiftSE    float64 `json:"shift_se"`
	SamplingSE float64 `json:"shift_se_sampling"`
	WidthSE    float64 `json:"shift_se_width"`
	// AtTheoryWidth is the shift with theory's widths (ratio 1); AtLow and
	// AtHigh with both width ratios one standard error lower and higher.
	AtTheoryWidth float64 `json:"shift_at_theory_width"`
	AtLow         float64 `json:"shift_at_width_minus_se"`
	AtHigh        float64 `json:"shift_at_width_plus_se"`
	// Gap is Shift over the decoupled crossing, GapSE ShiftSE over it (the
	// decoupled crossing taken as known: its relative error is about 1e-3).
	Gap   float64 `json:"relative_gap"`
	GapSE float64 `json:"relative_gap_se"`
	// Forms are the gap forms' predictions at D beside Gap.
	Forms []VerdictForm `json:"forms"`
	// Cells is the 2 x 2 table of the Pairs' verdicts, [coupled
	// storable][decoupled storable].
	Cells [2][2]int `json:"paired_table"`
	// Power says how many verdict pairs at D, and at VerdictPowerDims,
	// separate the forms not yet excluded (verdictPower); set from MinPairs
	// pairs on.
	Power []VerdictPower `json:"power,omitempty"`
}

// ReadVerdicts reads the records of verdict sweep directories ('lamcap sweep
// --at'), in order, as verdicts. A directory that is not a verdict sweep, of
// another embedding than the Gaussian one, or with lines that are not valid
// records is refused; so are two directories that decide one (d, model) at
// different p. A unit in two directories counts once if both say the same.
// asWritten counts the verdicts no certificate re-checked (digests only).
func ReadVerdicts(dirs []string) (vs []experiment.Verdict, asWritten int, err error) {
	at := map[experiment.Unit]experiment.Verdict{}
	pAt := map[[2]string]int{}
	for _, dir := range dirs {
		recs, g, bad, err := experiment.ReadRecords(dir)
		if err != nil {
			return nil, 0, err
		}
		switch {
		case !g.IsVerdicts():
			return nil, 0, fmt.Errorf("%s is not a verdict sweep ('lamcap sweep --at'): its records are p* searches", dir)
		case g.Embedding != model.Gaussian:
			return nil, 0, fmt.Errorf("%s holds %s instances; the report is of Gaussian ones", dir, g.Embedding)
		case len(bad) > 0:
			return nil, 0, fmt.Errorf("%s: %d records are not valid (first: line %d); repair the directory by resuming its sweep", dir, len(bad), bad[0].Line)
		}
		for _, pt := range g.At {
			k := [2]string{fmt.Sprint(pt.D), pt.Model.String()}
			if p, ok := pAt[k]; ok && p != pt.P {
				return nil, 0, fmt.Errorf("%s decides d = %d, model %s at p = %d, an earlier directory at p = %d: one p0 per d and model", dir, pt.D, pt.Model, pt.P, p)
			}
			pAt[k] = pt.P
		}
		for _, r := range recs {
			v, ok := experiment.VerdictOf(r, g)
			if !ok {
				continue
			}
			if old, dup := at[v.Unit]; dup {
				if old.Status != v.Status {
					return nil, 0, fmt.Errorf("%s: conflicting verdicts in %s and an earlier directory", v.Unit.Name(), dir)
				}
				continue
			}
			at[v.Unit] = v
			vs = append(vs, v)
			if v.AsWritten {
				asWritten++
			}
		}
	}
	sort.SliceStable(vs, func(i, j int) bool {
		a, b := vs[i], vs[j]
		if a.D != b.D {
			return a.D < b.D
		}
		if a.Model != b.Model {
			return a.Model.String() < b.Model.String()
		}
		return a.Seed < b.Seed
	})
	return vs, asWritten, nil
}

// SetVerdicts sets the single-verdict section of the report from verdicts
// (ReadVerdicts): per d with verdicts of both models, the storable
// fractions, the crossings, the paired shift and relative gap, and the gap
// forms' predictions beside it. It needs the report's groups (the widths) and
// gap fits, so it is called after Analyze.
func (r *Report) SetVerdicts(vs []experiment.Verdict, set Settings) error {
	set = set.withDefaults()
	r.Verdicts, r.VerdictCount = nil, len(vs)
	byD := map[int][]experiment.Verdict{}
	var ds []int
	for _, v := range vs {
		if byD[v.D] == nil {
			ds = append(ds, v.D)
		}
		byD[v.D] = append(byD[v.D], v)
	}
	sort.Ints(ds)
	for _, d := range ds {
		row, ok, err := r.verdictRow(d, byD[d], set)
		if err != nil {
			return fmt.Errorf("verdicts at d = %d: %w", d, err)
		}
		if ok {
			r.Verdicts = append(r.Verdicts, row)
		}
	}
	r.VerdictProgress = verdictProgress(vs)
	// The current engine's seconds per iteration at each d, from its single
	// verdicts there: the rate Progress charges the benchmarks' iterations
	// at when every p* record of that d is of an earlier engine.
	for i := range r.Progress {
		p := &r.Progress[i]
		var sec, it float64
		for _, v := range byD[p.D] {
			sec, it = sec+v.Seconds, it+float64(v.Iterations)
		}
		p.VerdictSecondsPerIteration = 0
		if sec > 0 && it > 0 {
			p.VerdictSecondsPerIteration = sec / it
		}
		p.estimate()
	}
	return nil
}

// verdictRow computes the row of d; ok is false when a model has no verdict.
func (r *Report) verdictRow(d int, vs []experiment.Verdict, set Settings) (VerdictRow, bool, error) {
	row := VerdictRow{D: d}
	pc, err := theory.CriticalP(float64(d*d), 0)
	if err != nil {
		return row, false, err
	}
	tw, err := theory.Width(pc)
	if err != nil {
		return row, false, err
	}
	bySeed := [2]map[int64]bool{{}, {}}
	for i, m := range []string{"coupled", "decoupled"} {
		vm := VerdictModel{Model: m, TheoryWidth: tw, Theory: pc}
		n := 0
		for _, v := range vs {
			if v.Model.String() != m {
				continue
			}
			vm.P = v.P
			n++
			vm.MeanSeconds += v.Seconds
			vm.MeanIterations += float64(v.Iterations)
			switch v.Status {
			case feasibility.Storable:
				vm.Storable++
				bySeed[i][v.Seed] = true
			case feasibility.NotStorable:
				vm.NotStorable++
				bySeed[i][v.Seed] = false
			default:
				vm.Undecided++
			}
		}
		if n == 0 {
			return row, false, nil
		}
		vm.MeanSeconds /= float64(n)
		vm.MeanIterations /= float64(n)
		vm.WidthRatio, vm.WidthRatioSE, vm.WidthFrom = widthRatio(r.Groups, m, d)
		vm.Width = tw * vm.WidthRatio
		k := vm.Storable + vm.NotStorable
		if k > 0 {
			vm.Fraction = float64(vm.Storable) / float64(k)
			vm.FractionCI = stats.ClopperPearson(vm.Storable, k, 0.95)
			at := func(f float64) float64 { return float64(vm.P) + vm.Width*distuv.UnitNormal.Quantile(f) }
			switch vm.Storable {
			case 0:
				vm.Side, vm.CrossingCI = -1, stats.Interval{Lo: math.Inf(-1), Hi: at(vm.FractionCI.Hi)}
			case k:
				vm.Side, vm.CrossingCI = 1, stats.Interval{Lo: at(vm.FractionCI.Lo), Hi: math.Inf(1)}
			default:
				vm.Crossing, vm.CrossingCI = at(vm.Fraction), stats.Interval{Lo: at(vm.FractionCI.Lo), Hi: at(vm.FractionCI.Hi)}
			}
			dev := func(x float64) float64 { return (x - pc) / pc }
			vm.DeviationCI = stats.Interval{Lo: dev(vm.CrossingCI.Lo), Hi: dev(vm.CrossingCI.Hi)}
			if vm.Side == 0 {
				vm.Deviation = dev(vm.Crossing)
			}
		}
		if c, dec, ok := previous(r.Groups, d); ok {
			g := c
			if m == "decoupled" {
				g = dec
			}
			vm.Guess = int(math.Round(pc * (1 + g.Deviation)))
		}
		row.Models = append(row.Models, vm)
	}
	var sc, sd []bool
	var seeds []int64
	for s := range bySeed[0] {
		if _, ok := bySeed[1][s]; ok {
			seeds = append(seeds, s)
		}
	}
	sort.Slice(seeds, func(i, j int) bool { return seeds[i] < seeds[j] })
	for _, s := range seeds {
		sc, sd = append(sc, bySeed[0][s]), append(sd, bySeed[1][s])
	}
	row.Pairs = len(seeds)
	c, dm := row.Models[0], row.Models[1]
	est := ShiftEstimate(sc, sd, float64(c.P), float64(dm.P), c.Width, dm.Width)
	if !est.Estimable || !(c.Width > 0) || !(dm.Width > 0) {
		return row, true, nil
	}
	row.Estimable = true
	row.Shift, row.SamplingSE = est.Shift, est.SE
	for i := range est.Cells {
		for j := range est.Cells[i] {
			row.Cells[i][j] = int(est.Cells[i][j])
		}
	}
	// The widths' uncertainty, by the delta method: d shift / d sigma_m = z_m.
	wc, wd := est.Zc*tw*c.WidthRatioSE, est.Zd*tw*dm.WidthRatioSE
	row.WidthSE = math.Hypot(wc, wd)
	row.ShiftSE = math.Hypot(row.SamplingSE, row.WidthSE)
	shiftAt := func(rc, rd float64) float64 {
		return float64(c.P) + tw*rc*est.Zc - float64(dm.P) - tw*rd*est.Zd
	}
	row.AtTheoryWidth = shiftAt(1, 1)
	row.AtLow = shiftAt(c.WidthRatio-c.WidthRatioSE, dm.WidthRatio-dm.WidthRatioSE)
	row.AtHigh = shiftAt(c.WidthRatio+c.WidthRatioSE, dm.WidthRatio+dm.WidthRatioSE)
	den := float64(dm.P) + dm.Width*est.Zd
	row.Gap, row.GapSE = row.Shift/den, row.ShiftSE/den
	// The forms are held against the shift from MinPairs pairs on, as the
	// full p* enter the fits: with fewer, the normal approximation of a
	// fraction of a handful of binary verdicts is no basis for a z.
	if row.Pairs >= MinPairs {
		row.Forms = formsAt(r.GapFits, float64(d), row.Gap, row.GapSE)
		row.Power = r.verdictPower(row, est, tw, den)
	}
	return row, true, nil
}

// widthRatio is the mean, over the WidthDims largest d below d with MinPairs
// certified p* of model m or more, of the measured probit width over
// theory's, with its standard error over those d (the SD of the ratios over
// sqrt of their number), and those d. With one d the SE is 0; with none the
// ratio is 1 (theory's width) with SE 0.
func widthRatio(groups []Group, m string, d int) (ratio, se float64, from []int) {
	var rs []float64
	for i := len(groups) - 1; i >= 0 && len(rs) < WidthDims; i-- {
		g := groups[i]
		if g.Model != m || g.D >= d || len(g.pstars) < MinPairs || !(g.Width > 0) {
			continue
		}
		tw, err := theory.Width(g.Theory)
		if err != nil || !(tw > 0) {
			continue
		}
		rs, from = append(rs, g.Width/tw), append([]int{g.D}, from...)
	}
	if len(rs) == 0 {
		return 1, 0, nil
	}
	if len(rs) == 1 {
		return rs[0], 0, from
	}
	mean, mse := stats.MeanSE(rs)
	return mean, mse, from
}

// Shift is the crossing shift of paired single verdicts (ShiftEstimate).
type Shift struct {
	// Estimable says both fractions are inside (0, 1).
	Estimable bool
	// Shift is (p0c + wc Phi^-1(fc)) - (p0d + wd Phi^-1(fd)), and SE its
	// standard error by the delta method over the seeds' 2 x 2 table of paired
	// verdicts, each cell given shiftCellPrior more (ShiftEstimate).
	Shift, SE float64
	// Zc and Zd are Phi^-1 of the two fractions.
	Zc, Zd float64
	// Cells is the 2 x 2 table of paired verdicts, [coupled storable][decoupled
	// storable], in seeds.
	Cells [2][2]float64
}

// shiftCellPrior is the count added to each cell of the 2 x 2 table of paired
// verdicts (both storable, one, the other, neither) before the table's
// variance is taken: the plug-in variance of binary data is degenerate when a
// cell is empty. With a few seeds whose two verdicts agree (no discordant
// pair yet) the plug-in covariance cancels the variances, and both the
// plug-in delta method and a bootstrap over seeds (which cannot draw a
// discordant pair that was never seen) put the shift's SE below one
// association: at d = 128 with 3 concordant seeds, 0.67 from the bootstrap
// against 8.69 with a half count per cell. A half count is Jeffreys' prior on
// each cell; its effect on the SE fades as 1/n.
const shiftCellPrior = 0.5

// ShiftEstimate estimates the shift of the crossings of two models from one
// verdict per seed and model at p0c and p0d (sc[i], sd[i]: seed i storable
// in each), taking the transition widths wc and wd as known: P(storable at
// p0) = Phi((mu - p0) / w) gives mu = p0 + w Phi^-1(f). The estimate needs
// both fractions inside (0, 1). Its SE is the delta method, gradient
// w / phi(Phi^-1(f)) for each model, on the multinomial of the paired
// verdicts: Var fc = fc (1 - fc) / n, the same for fd, and Cov = (P(both) -
// fc fd) / n, the probabilities and the gradient taken from the table with
// shiftCellPrior added to each cell.
func ShiftEstimate(sc, sd []bool, p0c, p0d, wc, wd float64) Shift {
	var s Shift
	n := len(sc)
	if n == 0 || len(sd) != n {
		return s
	}
	var cell [2][2]float64 // [coupled storable][decoupled storable]
	kc, kd := 0, 0
	for i := range sc {
		if sc[i] {
			kc++
		}
		if sd[i] {
			kd++
		}
		cell[b2i(sc[i])][b2i(sd[i])]++
	}
	if kc == 0 || kc == n || kd == 0 || kd == n {
		return s
	}
	s.Estimable = true
	s.Zc = distuv.UnitNormal.Quantile(float64(kc) / float64(n))
	s.Zd = distuv.UnitNormal.Quantile(float64(kd) / float64(n))
	s.Shift = p0c + wc*s.Zc - p0d - wd*s.Zd
	s.Cells = cell
	s.SE = shiftSE(cell, float64(n), wc, wd)
	return s
}

// shiftSE is ShiftEstimate's standard error for n seeds whose 2 x 2 table of
// paired verdicts has the proportions of cell (counts, [coupled
// storable][decoupled storable], any total): the table scaled to n seeds,
// shiftCellPrior added to each cell, and the delta method on it. At n = the
// table's own total it is ShiftEstimate's SE; at another n it is the SE the
// design would have with n seeds at the same proportions, the prior's share
// fading as 1/n (VerdictPower).
func shiftSE(cell [2][2]float64, n, wc, wd float64) float64 {
	tot := cell[0][0] + cell[0][1] + cell[1][0] + cell[1][1]
	if !(tot > 0) || !(n > 0) {
		return math.NaN()
	}
	k := n / tot
	m := n + 4*shiftCellPrior
	both := (k*cell[1][1] + shiftCellPrior) / m
	fc := (k*(cell[1][0]+cell[1][1]) + 2*shiftCellPrior) / m
	fd := (k*(cell[0][1]+cell[1][1]) + 2*shiftCellPrior) / m
	gc := wc / distuv.UnitNormal.Prob(distuv.UnitNormal.Quantile(fc))
	gd := wd / distuv.UnitNormal.Prob(distuv.UnitNormal.Quantile(fd))
	v := (gc*gc*fc*(1-fc) + gd*gd*fd*(1-fd) - 2*gc*gd*(both-fc*fd)) / n
	return math.Sqrt(math.Max(v, 0))
}

// b2i is 1 for true, 0 for false.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// formsAt sets each gap form's prediction at d beside the measured gap, with
// the z of the difference and Holm-adjusted p-values over the forms.
func formsAt(fits []stats.Fit, d, gap, se float64) []VerdictForm {
	var out []VerdictForm
	for _, f := range fits {
		v := VerdictForm{Form: f.Form, Value: f.At(d), SE: f.SEAt(d)}
		v.Z = (gap - v.Value) / math.Hypot(se, v.SE)
		v.P = 2 * distuv.UnitNormal.Survival(math.Abs(v.Z))
		out = append(out, v)
	}
	// Holm: the j-th smallest p times (m - j), made monotone.
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return out[idx[a]].P < out[idx[b]].P })
	run := 0.0
	for j, i := range idx {
		run = math.Max(run, math.Min(1, float64(len(out)-j)*out[i].P))
		out[i].PHolm = run
		out[i].Excluded = run < threeSigma
	}
	return out
}

// VerdictProgress is where one verdict sweep of VerdictTargets stands.
type VerdictProgress struct {
	Target
	// Verdicts counts the verdicts of seeds 1..Pairs, Undecided those of
	// them undecided, Pairs the seeds decided in both models, Left the
	// verdicts still to make.
	Verdicts  int `json:"verdicts"`
	Undecided int `json:"undecided"`
	Decided   int `json:"pairs_decided"`
	Left      int `json:"verdicts_left"`
	// MeanSeconds and MeanIterations are per verdict, over the verdicts at D.
	MeanSeconds    float64 `json:"mean_seconds"`
	MeanIterations float64 `json:"mean_iterations"`
}

func verdictProgress(vs []experiment.Verdict) []VerdictProgress {
	var out []VerdictProgress
	for _, t := range VerdictTargets {
		p := VerdictProgress{Target: t}
		dec := map[int64]int{}
		n := 0
		for _, v := range vs {
			if v.D != t.D {
				continue
			}
			n++
			p.MeanSeconds += v.Seconds
			p.MeanIterations += float64(v.Iterations)
			if v.Seed < 1 || v.Seed > int64(t.Pairs) {
				continue
			}
			p.Verdicts++
			if v.Status == feasibility.Undecided {
				p.Undecided++
			} else {
				dec[v.Seed]++
			}
		}
		if n > 0 {
			p.MeanSeconds /= float64(n)
			p.MeanIterations /= float64(n)
		}
		for _, k := range dec {
			if k == 2 {
				p.Decided++
			}
		}
		p.Left = 2*t.Pairs - p.Verdicts
		out = append(out, p)
	}
	return out
}

// verdictStatement renders the single-verdict section.
func (r Report) verdictStatement() string {
	var s strings.Builder
	s.WriteString("**One verdict per instance: the shift from the single-verdict runs.** ")
	if len(r.Verdicts) == 0 {
		s.WriteString("No single-verdict records yet (`lamcap validate --verdicts DIR` reads them; `scripts/science-sweep.sh` part d128v writes them).")
		return s.String()
	}
	s.WriteString("Each instance gets one certified verdict at a p0 fixed per model in advance ('lamcap sweep --at'). Per model: the storable fraction with its exact 95% (Clopper-Pearson) interval, undecided verdicts counted and left out; the crossing p0 + sigma Phi^-1(f), the mean of the real threshold whose integer part p* is, with the fraction's exact interval carried through it. sigma, the transition width, is theory's width of p* at that d (theory.Width) times the mean ratio of the measured probit width to theory's at the " + fmt.Sprint(WidthDims) + " largest d below with at least " + fmt.Sprint(MinPairs) + " certified p* (its SE over those d). The shift is computed over the seeds decided in both models; its sampling SE is the delta method on the seeds' 2 x 2 table of paired verdicts (Var f = f(1 - f)/n for each model, Cov = (P(both storable) - fc fd)/n), with half a count added to each cell of the table (Jeffreys): with a few seeds the plug-in table, and a bootstrap over seeds, put no weight on discordant pairs not yet seen and understate the SE several-fold; the widths' uncertainty by the delta method, in quadrature. The relative gap is the shift over the decoupled crossing (taken as known: its relative error is about 1e-3). Beside it, each gap form's prediction at that d from its fit to the full-p* pairs (full covariance), z = (measured - predicted) / sqrt(SE_measured^2 + SE_predicted^2), and the two-sided p Holm-adjusted over the forms; a form is excluded at 3 sigma when that p < 0.0027. The forms are compared from " + fmt.Sprint(MinPairs) + " pairs on, as in the fits: with fewer, the normal approximation to a fraction of a handful of binary verdicts is no basis for a z.\n\n")
	s.WriteString("| d | model | p0 | storable | not storable | undecided | fraction [95% exact] | sigma (ratio to theory +- SE, from d) | crossing [95%] | theory | deviation [95%] | s per verdict (wall) | iterations per verdict |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, row := range r.Verdicts {
		for _, m := range row.Models {
			frac, cross, dev := "-", "-", "-"
			if m.Storable+m.NotStorable > 0 {
				frac = fmt.Sprintf("%.3f [%.3f, %.3f]", m.Fraction, m.FractionCI.Lo, m.FractionCI.Hi)
				switch m.Side {
				case -1:
					cross = fmt.Sprintf("outside the interval: below %.1f (one-sided 97.5%%)", m.CrossingCI.Hi)
					dev = fmt.Sprintf("below %+.2f%%", 100*m.DeviationCI.Hi)
				case 1:
					cross = fmt.Sprintf("outside the interval: above %.1f (one-sided 97.5%%)", m.CrossingCI.Lo)
					dev = fmt.Sprintf("above %+.2f%%", 100*m.DeviationCI.Lo)
				default:
					cross = fmt.Sprintf("%.1f [%.1f, %.1f]", m.Crossing, m.CrossingCI.Lo, m.CrossingCI.Hi)
					dev = fmt.Sprintf("%+.2f%% [%+.2f, %+.2f]", 100*m.Deviation, 100*m.DeviationCI.Lo, 100*m.DeviationCI.Hi)
				}
			}
			from := "theory's width"
			if len(m.WidthFrom) > 0 {
				from = "d = " + joinInts(m.WidthFrom)
			}
			fmt.Fprintf(&s, "| %d | %s | %d | %d | %d | %d | %s | %.2f (%.3f +- %.3f, %s) | %s | %.2f | %s | %.1f | %.1f |\n",
				row.D, m.Model, m.P, m.Storable, m.NotStorable, m.Undecided, frac, m.Width, m.WidthRatio, m.WidthRatioSE, from, cross, m.Theory, dev, m.MeanSeconds, m.MeanIterations)
		}
	}
	s.WriteString("\n")
	for _, row := range r.Verdicts {
		c, dm := row.Models[0], row.Models[1]
		fmt.Fprintf(&s, "At d = %d, %d %s decided in both models", row.D, row.Pairs, plural(row.Pairs, "seed", "seeds"))
		if c.Guess > 0 {
			same := "the p0 of the run"
			if c.Guess != c.P || dm.Guess != dm.P {
				same = fmt.Sprintf("the run's p0, fixed in its grid.json before it started, are %d and %d", c.P, dm.P)
			}
			fmt.Fprintf(&s, " (the design section's rule guesses p0 = %d coupled, %d decoupled from today's records: %s)", c.Guess, dm.Guess, same)
		}
		s.WriteString(". " + row.theoryStatement() + r.verdictCost(row))
		if !row.Estimable {
			s.WriteString("No finite shift: a model's paired verdicts all fall on one side of its p0 (or a width is unknown), so its crossing lies outside the interval and only the one-sided bound of the table holds; more seeds, or a p0 nearer that crossing, are needed.\n\n")
			continue
		}
		fmt.Fprintf(&s, "The shift is %+.2f +- %.2f associations (sampling %.2f, widths %.2f), relative gap %+.2f%% +- %.2f%%. With theory's widths the shift is %+.2f; with both width ratios one SE lower or higher, %+.2f or %+.2f.", row.Shift, row.ShiftSE, row.SamplingSE, row.WidthSE, 100*row.Gap, 100*row.GapSE, row.AtTheoryWidth, row.AtLow, row.AtHigh)
		var parts, out []string
		for _, f := range row.Forms {
			parts = append(parts, fmt.Sprintf("%s %.2f%% +- %.2f%% (z = %+.2f, Holm p = %s)", f.Form, 100*f.Value, 100*f.SE, f.Z, pValue(f.PHolm)))
			if f.Excluded {
				out = append(out, f.Form)
			}
		}
		if row.Pairs < MinPairs {
			fmt.Fprintf(&s, " The gap forms are held against it from %d pairs on (%d now).", MinPairs, row.Pairs)
		}
		if len(parts) > 0 {
			fmt.Fprintf(&s, " The forms fitted to the full p* predict %s. ", strings.Join(parts, "; "))
			if len(out) == 0 {
				s.WriteString("None is excluded at 3 sigma.")
			} else {
				fmt.Fprintf(&s, "Excluded at 3 sigma: %s.", strings.Join(out, ", "))
			}
		}
		if ps := row.verdictPowerStatement(); ps != "" {
			s.WriteString("\n\n" + ps)
		}
		s.WriteString("\n\n")
	}
	return strings.TrimSuffix(s.String(), "\n\n")
}

// verdictProgressStatement is the single-verdict runs' part of the progress
// paragraph.
func (r Report) verdictProgressStatement() string {
	if len(VerdictTargets) == 0 {
		return ""
	}
	var s strings.Builder
	for _, p := range r.verdictProgressOrEmpty() {
		guess := ""
		if c, dec, ok := previous(r.Groups, p.D); ok {
			if pc, err := theory.CriticalP(float64(p.D*p.D), 0); err == nil {
				guess = fmt.Sprintf("; the design section's rule, theory's %.2f times (1 + the model's deviation at d = %d), gives p0 = %.0f coupled and %.0f decoupled from today's records", pc, c.D, math.Round(pc*(1+c.Deviation)), math.Round(pc*(1+dec.Deviation)))
			}
		}
		fmt.Fprintf(&s, "The single-verdict run at d = %d (part %s, one certified verdict per instance at a p0 fixed per model in advance, seeds 1..%d%s): %d of %d verdicts, %d %s decided in both models", p.D, p.Part, p.Pairs, guess, p.Verdicts, 2*p.Pairs, p.Decided, plural(p.Decided, "seed", "seeds"))
		if p.Undecided > 0 {
			fmt.Fprintf(&s, ", %d undecided", p.Undecided)
		}
		switch {
		case p.Left == 0:
			s.WriteString("; every verdict is made. ")
		case p.Verdicts > 0:
			fmt.Fprintf(&s, "; %d left, at the mean %.0f s and %.0f iterations per verdict: about %s of wall time. `PARTS=\"%s report\" scripts/science-sweep.sh` runs them. ", p.Left, p.MeanSeconds, p.MeanIterations, hours(float64(p.Left)*p.MeanSeconds), p.Part)
		default:
			charge := ""
			for _, pr := range r.Progress {
				if pr.D == p.D && pr.SecondsPerVerdict > 0 {
					charge = fmt.Sprintf(", at about %.0f s each (the d = %d p* searches' seconds per verdict): about %s of wall time", pr.SecondsPerVerdict, p.D, hours(float64(p.Left)*pr.SecondsPerVerdict))
				}
			}
			fmt.Fprintf(&s, "; %d left%s. `PARTS=\"%s report\" scripts/science-sweep.sh` runs them. ", p.Left, charge, p.Part)
		}
	}
	return s.String()
}

// verdictProgressOrEmpty is VerdictProgress, or the targets with nothing
// done when SetVerdicts was not called.
func (r Report) verdictProgressOrEmpty() []VerdictProgress {
	if r.VerdictProgress != nil {
		return r.VerdictProgress
	}
	return verdictProgress(nil)
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

// verdictPlan says what the science sweep does with the plan: the runs of
// VerdictTargets.
func verdictPlan() string {
	if len(VerdictTargets) == 0 {
		return ""
	}
	var ts []string
	for _, t := range VerdictTargets {
		ts = append(ts, fmt.Sprintf("at d = %d (part %s, seeds 1..%d of both models)", t.D, t.Part, t.Pairs))
	}
	return fmt.Sprintf("So `scripts/science-sweep.sh` makes one certified verdict per instance %s at p0 guessed by this rule before the run and fixed in its grid.json ('lamcap sweep --at'; validation.VerdictTargets); the next paragraph reports them. The full p* runs at d = 96 and 128 go on beside it: they give the spread and the medians, the widths the crossings take (measured at the largest d below), and the fits the verdicts are held against.", strings.Join(ts, ", "))
}

// verdictCost compares, at a row's d, the mean cost of one verdict with that
// of a p* search (Progress), in solver iterations (which do not depend on
// the load) and wall seconds: with the current engine's p* records there
// when there are any, and with the idle benchmarks beside (Benchmarks);
// records of an earlier engine (EarlierEngine) are said apart, not
// compared as if of one engine. "" without any such figure.
func (r Report) verdictCost(row VerdictRow) string {
	var n int
	var it, sec float64
	for _, m := range row.Models {
		k := m.Storable + m.NotStorable + m.Undecided
		n += k
		it += m.MeanIterations * float64(k)
		sec += m.MeanSeconds * float64(k)
	}
	if n == 0 || !(it > 0) {
		return ""
	}
	it, sec = it/float64(n), sec/float64(n)
	for _, p := range r.Progress {
		if p.D != row.D {
			continue
		}
		var s strings.Builder
		fmt.Fprintf(&s, "A verdict took %.1f solver iterations and %.0f s (wall, under the sweep's load) on average. ", it, sec)
		if p.Timed > 0 && p.MeanIterations > 0 {
			fmt.Fprintf(&s, "A p* search at this d took %.0f iterations and %.0f s over its %d %s%s: one verdict costs 1/%.1f of a search in iterations, which do not depend on the load, and 1/%.1f in wall seconds, which do. ",
				p.MeanIterations, p.MeanSeconds, p.Timed, plural(p.Timed, "record", "records"), p.earlierLeftOut(), p.MeanIterations/it, p.MeanSeconds/math.Max(sec, 1e-9))
		} else if p.Earlier > 0 {
			fmt.Fprintf(&s, "%s They are not the verdicts' engine, so their 1/%.1f of a search per verdict in iterations is no measure of the design. ", p.earlierSentence(), p.EarlierMeanIterations/it)
		}
		if p.Bench.N > 0 {
			fmt.Fprintf(&s, "The recent engines' p* search, %s: %.0f iterations over %.1f verdicts (%.1f a verdict) and %.0f s idle; on it one verdict costs 1/%.1f of a search in iterations. Its seconds are not compared with the verdicts': idle against under load (%.1f s per iteration idle, %.1f under the sweep's load). ",
				p.Bench.describe(), p.Bench.Iterations, p.Bench.Verdicts, p.Bench.Iterations/p.Bench.Verdicts, p.Bench.Seconds, p.Bench.Iterations/it, p.Bench.Seconds/p.Bench.Iterations, sec/it)
		}
		return s.String()
	}
	return ""
}
