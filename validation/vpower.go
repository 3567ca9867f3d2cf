package validation

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/lamcap/lamcap/stats"
	"github.com/lamcap/lamcap/theory"
)

// VerdictPowerDims are the d beyond a verdict sweep's own at which
// verdictPower projects the single-verdict design (for a sweep below them).
var VerdictPowerDims = []int{160, 192}

// costExponent is the power of d in the cost of one interior-point
// iteration at large d: the factorisation of the normal system, of order
// d^2, costs (d^2)^3. verdictPower scales the measured seconds per verdict
// by it (an estimate: the iterations per verdict are taken as measured).
const costExponent = 6

// VerdictPower is what the single-verdict design would decide at one d with
// more verdict pairs: for each two gap forms not yet excluded, how many
// pairs separate them at PowerSigma, and the z expected at the target.
//
// The model: with n pairs the shift's sampling SE is ShiftEstimate's
// Jeffreys-delta SE on the measured table of paired verdicts scaled to n
// seeds (shiftSE: the same fractions, so p0 as far from each crossing in
// widths as measured), in quadrature with the widths' SE, which no number
// of pairs lowers; over the decoupled crossing it is the relative gap's SE.
// Were the gap at D what form A predicts, the z the verdict section
// computes against form B is (A - B) / sqrt(SE(n)^2 + SE_B^2), B's own
// prediction error included. At a projected d the widths are theory's
// there times the measured ratios (the shift's SE is proportional to the
// widths), the crossing theory's p_c there times the measured decoupled
// crossing's ratio to theory, and the forms' predictions and errors those
// at that d.
type VerdictPower struct {
	D int `json:"d"`
	// Projected says D is not the verdicts' own d (VerdictPowerDims).
	Projected bool `json:"projected"`
	// PairSE is the relative gap's sampling SE times sqrt(Target) at Target
	// pairs (one pair's, the prior's share aside); WidthSE the floor of
	// the relative gap's SE from the widths' uncertainty.
	PairSE  float64 `json:"pair_se"`
	WidthSE float64 `json:"width_se"`
	// Crossing is the decoupled crossing the gap is relative to; WidthScale
	// theory's width at D over theory's at the verdicts' d.
	Crossing   float64 `json:"crossing"`
	WidthScale float64 `json:"width_scale"`
	// SecondsPerVerdict and IterationsPerVerdict are the measured means at
	// the verdicts' d (wall seconds, as the records state them), the
	// seconds scaled by (D/d)^costExponent at a projected D.
	SecondsPerVerdict    float64 `json:"seconds_per_verdict"`
	IterationsPerVerdict float64 `json:"iterations_per_verdict"`
	// Target is the pairs aimed at (VerdictTargets; the pairs measured
	// without a target), at which Z is expected.
	Target    int      `json:"target_pairs"`
	Predicted []FormAt `json:"predicted"`
	// Forms are the pairs of forms compared: those whose own fit is not
	// excluded at 3 sigma and that the verdicts do not exclude.
	Forms [][2]string `json:"forms"`
	// Pairs[i][0] is the smallest number of pairs at D for which, were the
	// gap what Forms[i][0] predicts, the z against Forms[i][1] reaches
	// PowerSigma (MaxPairs: none up to it); Pairs[i][1] the reverse.
	Pairs [][2]int `json:"pairs_needed"`
	// Z[i] are the two directions' z at Target pairs, Limit[i] with
	// infinitely many (the prediction error and the widths' floor alone).
	Z     [][2]float64 `json:"z_at_target"`
	Limit [][2]float64 `json:"z_limit"`
}

// verdictPower projects a verdict row's design (VerdictPower) at the row's d
// and at each VerdictPowerDims above it. est is the row's shift estimate,
// tw theory's width at the row's d and den the decoupled crossing.
func (r *Report) verdictPower(row VerdictRow, est Shift, tw, den float64) []VerdictPower {
	c, dm := row.Models[0], row.Models[1]
	var ok []FormAt
	for i, f := range r.GapFits {
		if f.PValue < threeSigma || i >= len(row.Forms) || row.Forms[i].Excluded {
			continue
		}
		ok = append(ok, FormAt{Form: f.Form})
	}
	target := row.Pairs
	for _, t := range VerdictTargets {
		if t.D == row.D {
			target = t.Pairs
		}
	}
	var n, it, sec float64
	for _, m := range row.Models {
		k := float64(m.Storable + m.NotStorable + m.Undecided)
		n, it, sec = n+k, it+k*m.MeanIterations, sec+k*m.MeanSeconds
	}
	dims := []int{row.D}
	for _, d := range VerdictPowerDims {
		if d > row.D {
			dims = append(dims, d)
		}
	}
	var out []VerdictPower
	for _, d := range dims {
		p := VerdictPower{D: d, Projected: d != row.D, Target: target, Crossing: den, WidthScale: 1,
			SecondsPerVerdict: sec / n, IterationsPerVerdict: it / n}
		if p.Projected {
			pc, err := theory.CriticalP(float64(d*d), 0)
			if err != nil {
				continue
			}
			w, err := theory.Width(pc)
			if err != nil || !(tw > 0) {
				continue
			}
			p.WidthScale = w / tw
			p.Crossing = pc * den / dm.Theory
			p.SecondsPerVerdict *= math.Pow(float64(d)/float64(row.D), costExponent)
		}
		p.WidthSE = row.WidthSE * p.WidthScale / p.Crossing
		seAt := func(n float64) float64 {
			s := shiftSE(est.Cells, n, c.Width*p.WidthScale, dm.Width*p.WidthScale) / p.Crossing
			return math.Hypot(s, p.WidthSE)
		}
		p.PairSE = shiftSE(est.Cells, float64(target), c.Width*p.WidthScale, dm.Width*p.WidthScale) / p.Crossing * math.Sqrt(float64(target))
		var fs []stats.Fit
		for _, f := range ok {
			fit := r.fit(f.Form)
			fs = append(fs, *fit)
			p.Predicted = append(p.Predicted, FormAt{Form: f.Form, Value: fit.At(float64(d)), SE: fit.SEAt(float64(d))})
		}
		for i := range fs {
			for j := i + 1; j < len(fs); j++ {
				a, b := p.Predicted[i], p.Predicted[j]
				delta := math.Abs(a.Value - b.Value)
				z := func(n float64, other FormAt) float64 { return delta / math.Hypot(seAt(n), other.SE) }
				need := func(other FormAt) int { return pairsFor(func(n int) float64 { return z(float64(n), other) }) }
				p.Forms = append(p.Forms, [2]string{a.Form, b.Form})
				p.Pairs = append(p.Pairs, [2]int{need(b), need(a)})
				p.Z = append(p.Z, [2]float64{z(float64(target), b), z(float64(target), a)})
				p.Limit = append(p.Limit, [2]float64{delta / math.Hypot(p.WidthSE, b.SE), delta / math.Hypot(p.WidthSE, a.SE)})
			}
		}
		out = append(out, p)
	}
	return out
}

// pairsFor is the smallest n in 1..MaxPairs with z(n) >= PowerSigma, z
// increasing in n (bisection), or MaxPairs when z(MaxPairs) falls short.
func pairsFor(z func(n int) float64) int {
	if z(MaxPairs) < PowerSigma {
		return MaxPairs
	}
	lo, hi := 0, MaxPairs // z(lo) < PowerSigma (or lo = 0), z(hi) >= PowerSigma
	for hi-lo > 1 {
		m := (lo + hi) / 2
		if z(m) >= PowerSigma {
			hi = m
		} else {
			lo = m
		}
	}
	return hi
}

// holmZ is the |z| Holm's correction over m forms asks of the first form it
// excludes: the two-sided threeSigma divided by m.
func holmZ(m int) float64 {
	return distuv.UnitNormal.Quantile(1 - threeSigma/(2*float64(m)))
}

// verdictPowerStatement renders a row's Power: the model in a few sentences
// and a small table.
func (row VerdictRow) verdictPowerStatement() string {
	if len(row.Power) == 0 || len(row.Power[0].Forms) == 0 {
		return ""
	}
	var s strings.Builder
	p0 := row.Power[0]
	var proj []string
	for _, p := range row.Power[1:] {
		proj = append(proj, fmt.Sprint(p.D))
	}
	fmt.Fprintf(&s, "**How many verdict pairs would decide it.** The model: with n pairs the shift's sampling SE is the Jeffreys-delta SE above on the measured table of paired verdicts scaled to n seeds (the same fractions: p0 as far from each crossing, in widths, as now), in quadrature with the widths' SE, which no number of pairs lowers; over the decoupled crossing it is the relative gap's SE: at d = %d one pair's %.2f%%, the floor %.3f%%. Were the gap what one form predicts, the z this section computes against the other is (difference of the predictions) / sqrt(SE(n)^2 + SE_other^2), the other form's prediction error included; the count is the smallest n (all pairs at that d, those measured included) with z >= %d, 'never' when the prediction error and the floor keep z below %d with any n (the limit column: z with infinitely many pairs). Holm's correction over the %d forms asks z >= %.2f of the first form it excludes. The forms compared are those whose own fit is not excluded at 3 sigma and that the verdicts do not exclude.",
		p0.D, 100*p0.PairSE, 100*p0.WidthSE, PowerSigma, PowerSigma, len(row.Forms), holmZ(len(row.Forms)))
	if len(proj) > 0 {
		fmt.Fprintf(&s, " At d = %s, projected: the same table with theory's widths there times the measured ratios (the shift's SE is proportional to the widths), theory's p_c there times the d = %d decoupled crossing's ratio to theory, and the forms' predictions and errors at that d; the cost per verdict is the d = %d verdicts' mean, %.0f s (wall, under the sweep's load) and %.1f iterations, with the seconds times (d/%d)^%d, the factorisation of the normal system of order d^2: an estimate, the iterations per verdict taken as at d = %d.",
			strings.Join(proj, " and "), p0.D, p0.D, p0.SecondsPerVerdict, p0.IterationsPerVerdict, p0.D, costExponent, p0.D)
		for _, p := range row.Power[1:] {
			for _, b := range Benchmarks {
				if b.D == p.D && b.Load != "" && b.Verdicts > 0 && b.Iterations > 0 {
					fmt.Fprintf(&s, " A check at d = %d: docs/benchmarks.md's one p* search there (%s seed %d, %s) took %.0f s over %d verdicts and %d iterations, %.0f s and %.1f iterations a verdict (%.0f s an iteration), against the estimate's %.0f s and %.1f (%.0f s an iteration).",
						p.D, b.Model, b.Seed, b.Load, b.Seconds, b.Verdicts, b.Iterations, b.Seconds/float64(b.Verdicts), float64(b.Iterations)/float64(b.Verdicts), b.Seconds/float64(b.Iterations),
						p.SecondsPerVerdict, p.IterationsPerVerdict, p.SecondsPerVerdict/p.IterationsPerVerdict)
				}
			}
		}
	}
	fmt.Fprintf(&s, "\n\n| d | one pair's SE of the gap (floor) | forms A vs B: predicted | pairs for z >= %d: A true / B true | z at %d pairs: A true / B true | limit z (any n) | s per verdict (wall) |\n|---|---|---|---|---|---|---|\n", PowerSigma, p0.Target)
	for _, p := range row.Power {
		d := fmt.Sprint(p.D)
		if p.Projected {
			d += " (projected)"
		}
		for i, f := range p.Forms {
			a, b := p.Predicted[indexOf(p.Predicted, f[0])], p.Predicted[indexOf(p.Predicted, f[1])]
			fmt.Fprintf(&s, "| %s | %.2f%% (%.3f%%) | %s vs %s: %.2f%% +- %.2f%% vs %.2f%% +- %.2f%% | %s / %s | %.2f / %.2f | %.2f / %.2f | %.0f |\n",
				d, 100*p.PairSE, 100*p.WidthSE, f[0], f[1], 100*a.Value, 100*a.SE, 100*b.Value, 100*b.SE,
				pairsNeeded(p.Pairs[i][0]), pairsNeeded(p.Pairs[i][1]), p.Z[i][0], p.Z[i][1], p.Limit[i][0], p.Limit[i][1],
				p.SecondsPerVerdict)
		}
	}
	s.WriteString("\n")
	s.WriteString(row.verdictPowerSummary())
	return s.String()
}

// pairsNeeded prints a count of verdictPower, "never" for MaxPairs.
func pairsNeeded(n int) string {
	if n >= MaxPairs {
		return "never"
	}
	return fmt.Sprint(n)
}

// verdictPowerSummary says in words what the table says at the verdicts'
// own d, for each two forms: the pairs that separate them in each
// direction, or that none do.
func (row VerdictRow) verdictPowerSummary() string {
	p := row.Power[0]
	var parts []string
	for i, f := range p.Forms {
		a, b := p.Predicted[indexOf(p.Predicted, f[0])], p.Predicted[indexOf(p.Predicted, f[1])]
		dir := func(truth, other FormAt, n int, z float64) string {
			if n >= MaxPairs {
				return fmt.Sprintf("were %s true, no number of pairs at d = %d alone (%s's own prediction error, %.2f%%, keeps z below %d)", truth.Form, p.D, other.Form, 100*other.SE, PowerSigma)
			}
			return fmt.Sprintf("were %s true, %d pairs (%s of wall time; z = %.2f at %d)", truth.Form, n, hours(2*float64(n)*p.SecondsPerVerdict), z, p.Target)
		}
		if p.Pairs[i][0] >= MaxPairs && p.Pairs[i][1] >= MaxPairs {
			parts = append(parts, fmt.Sprintf("%s from %s: no number of pairs at d = %d alone, whichever is true (predictions %.2f%% and %.2f%%, +- %.2f%% and %.2f%%)", a.Form, b.Form, p.D, 100*a.Value, 100*b.Value, 100*a.SE, 100*b.SE))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s from %s: %s; %s", a.Form, b.Form, dir(a, b, p.Pairs[i][0], p.Z[i][0]), dir(b, a, p.Pairs[i][1], p.Z[i][1])))
	}
	return fmt.Sprintf("Separated at %d sigma at d = %d: %s. %d pairs of verdicts cost about %s of wall time at d = %d on this machine",
		PowerSigma, p.D, strings.Join(parts, "; "), p.Target, hours(2*float64(p.Target)*p.SecondsPerVerdict), p.D) + row.projectedCost() + "."
}

// projectedCost is the estimated wall time of Target pairs at each
// projected d.
func (row VerdictRow) projectedCost() string {
	var parts []string
	for _, p := range row.Power[1:] {
		parts = append(parts, fmt.Sprintf("%s at d = %d", hours(2*float64(p.Target)*p.SecondsPerVerdict), p.D))
	}
	if len(parts) == 0 {
		return ""
	}
	return ", by the estimate " + strings.Join(parts, " and ")
}

// theoryStatement says how far a row's crossings are from theory: the
// crossing estimates the mean real threshold E X, the number the capacity
// table compares with theory as mean p* + HalfAssociation.
func (row VerdictRow) theoryStatement() string {
	var parts []string
	for _, m := range row.Models {
		switch {
		case m.Storable+m.NotStorable == 0:
		case m.Side == 0:
			parts = append(parts, fmt.Sprintf("the %s crossing %+.2f%% (95%% %+.2f%% to %+.2f%%)", m.Model, 100*m.Deviation, 100*m.DeviationCI.Lo, 100*m.DeviationCI.Hi))
		case m.Side < 0:
			parts = append(parts, fmt.Sprintf("the %s crossing below %+.2f%% (one-sided 97.5%%)", m.Model, 100*m.DeviationCI.Hi))
		default:
			parts = append(parts, fmt.Sprintf("the %s crossing above %+.2f%% (one-sided 97.5%%)", m.Model, 100*m.DeviationCI.Lo))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("Each crossing estimates the mean real threshold E X, the number the capacity table holds against theory as mean p* + 1/2; from theory's p_c = %.2f at d = %d (theory.CriticalP): %s. The intervals are the fractions' exact ones carried through, the widths taken as known: they rest on the transition width of this section and on single verdicts, not on certified p*. ",
		row.Models[0].Theory, row.D, strings.Join(parts, ", "))
}
