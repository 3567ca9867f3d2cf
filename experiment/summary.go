package experiment

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
	"github.com/lamcap/lamcap/stats"
)

// GroupSummary summarises the critical sizes of one (d, model).
type GroupSummary struct {
	D         int    `json:"d"`
	Model     string `json:"model"`
	Instances int    `json:"instances"`
	Undecided int    `json:"undecided"`
	// PC is the median certified p* with its 95% order-statistic interval.
	PC   float64        `json:"p_c"`
	PCCI stats.Interval `json:"p_c_ci95"`
	// Mean is the mean certified p* and MeanSE its standard error (0 with
	// fewer than two, or no spread); Threshold is mean p* + HalfAssociation
	// with its 95% Student t interval (EstimateThreshold): the estimate
	// compared with theory (Deviation) and the one the capacities below are
	// taken at.
	Mean        float64        `json:"mean_p_star"`
	MeanSE      float64        `json:"mean_p_star_se"`
	Threshold   float64        `json:"mean_plus_half"`
	ThresholdCI stats.Interval `json:"mean_plus_half_ci95"`
	// Scale is the paper's capacity scale p_c log p_c / d^2 at p_c =
	// Threshold, with its interval through ThresholdCI, for the coupled and
	// decoupled models (V = p: every input its own target). A vocabulary
	// model has none (absent from summary.json); its capacity is Bits, bits
	// per parameter p_c log2 V / d^2 at p_c = Threshold, with its interval
	// (absent for the other models).
	Scale   float64        `json:"pc_log_pc_over_d2,omitzero"`
	ScaleCI stats.Interval `json:"pc_log_pc_over_d2_ci95,omitzero"`
	Bits    float64        `json:"bits_per_parameter,omitzero"`
	BitsCI  stats.Interval `json:"bits_per_parameter_ci95,omitzero"`
	MeanSec float64        `json:"mean_seconds"`
	// Disagreements counts the instances at which solvers disagreed: a
	// not-storable certificate overruled by a storable one (Record.Disagreements).
	Disagreements int             `json:"disagreements"`
	Curve         []MeasuredPoint `json:"curve"`
	// Theory, filled in by the caller when a prediction is available: the
	// finite-size p_c and the predicted P(storable | p) of the Gaussian surrogate.
	TheoryPC    float64       `json:"p_c_theory,omitempty"`
	TheoryCurve []TheoryPoint `json:"curve_theory,omitempty"`

	// model is the group's model, whose String form Model is.
	model model.Model
}

// MarshalJSON writes the group's fields, except that a group with no certified
// instance has no estimate: its p_c, mean p* (and its SE), mean + 1/2 and
// their intervals are left out of summary.json rather than written as 0 (the
// Go fields hold zeros; the table prints "-").
func (g GroupSummary) MarshalJSON() ([]byte, error) {
	type plain GroupSummary
	if g.Instances > g.Undecided {
		return json.Marshal(plain(g))
	}
	// The outer fields, nil and omitempty, shadow the embedded ones of the
	// same JSON name (encoding/json: the less nested field wins); the other
	// fields keep their order.
	type none *struct{}
	return json.Marshal(struct {
		plain
		PC          none `json:"p_c,omitempty"`
		PCCI        none `json:"p_c_ci95,omitempty"`
		Mean        none `json:"mean_p_star,omitempty"`
		MeanSE      none `json:"mean_p_star_se,omitempty"`
		Threshold   none `json:"mean_plus_half,omitempty"`
		ThresholdCI none `json:"mean_plus_half_ci95,omitempty"`
	}{plain: plain(g)})
}

// TheoryPoint is a predicted P(storable | p).
type TheoryPoint struct {
	P        int     `json:"p"`
	Storable float64 `json:"p_storable"`
}

// Deviation is the relative deviation from the theory of the measured
// threshold, mean p* + HalfAssociation: (Threshold - TheoryPC) / TheoryPC
// (0 without a theory or a certified instance).
func (g GroupSummary) Deviation() float64 {
	if g.TheoryPC == 0 || g.Threshold == 0 {
		return 0
	}
	return (g.Threshold - g.TheoryPC) / g.TheoryPC
}

// Vocab is V of a vocabulary model's group, 0 for the coupled and decoupled
// models (read from Model, so it holds for a group read back from JSON).
func (g GroupSummary) Vocab() int { return vocabWords(g.Model) }

// Summarise groups records by (d, model). p_c is the median certified p* with its
// order-statistic 95% interval, beside mean p* + HalfAssociation with its
// Student t interval (EstimateThreshold), at which the capacity (Scale, or
// Bits for a vocabulary model) is taken; undecided instances are counted,
// never imputed.
func Summarise(recs []Record) []GroupSummary {
	type k struct {
		d int
		m model.Model
	}
	groups := map[k][]Record{}
	for _, r := range recs {
		groups[k{r.D, r.Model}] = append(groups[k{r.D, r.Model}], r)
	}
	var keys []k
	for key := range groups {
		keys = append(keys, key)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].d < keys[j].d || (keys[i].d == keys[j].d && keys[i].m.String() < keys[j].m.String())
	})
	var out []GroupSummary
	for _, key := range keys {
		g := GroupSummary{D: key.d, Model: key.m.String(), model: key.m}
		var ps []float64
		var pi []int
		for _, r := range groups[key] {
			g.Instances++
			g.MeanSec += r.Seconds
			if len(r.Disagreements) > 0 {
				g.Disagreements++
			}
			if !r.Certified {
				g.Undecided++
				continue
			}
			ps = append(ps, float64(r.PStar))
			pi = append(pi, r.PStar)
		}
		g.MeanSec /= float64(g.Instances)
		// With no certified instance the p_c fields stay 0 (JSON has no NaN);
		// Instances == Undecided says so.
		if len(ps) > 0 {
			g.PC = stats.Median(ps)
			g.PCCI = stats.MedianCI(ps, 0.95)
			e := EstimateThreshold(ps)
			g.Mean, g.MeanSE, g.Threshold, g.ThresholdCI = e.Mean, e.MeanSE, e.Value, e.CI
			g.Scale, g.ScaleCI, g.Bits, g.BitsCI = capacityAt(key.m, key.d, e)
			g.Curve = StorableCurve(pi)
		}
		out = append(out, g)
	}
	return out
}

// capacityAt is the capacity of model m at d at the threshold e, with its
// interval: the paper's scale p_c log p_c / d^2 for the coupled and decoupled
// models, bits per parameter p_c log2 V / d^2 for a vocabulary model (the
// other pair zero). Both increase with p_c (p log p from p = 1 on), so the
// interval maps through; an interval reaching below p_c = 1, which the
// spread of a few instances can give, is cut there.
func capacityAt(m model.Model, d int, e ThresholdEstimate) (scale float64, scaleCI stats.Interval, bits float64, bitsCI stats.Interval) {
	through := func(f func(float64) float64) (float64, stats.Interval) {
		g := func(p float64) float64 { return f(max(p, 1)) }
		return g(e.Value), stats.Interval{Lo: g(e.CI.Lo), Hi: g(e.CI.Hi)}
	}
	if m.IsVocabulary() {
		bits, bitsCI = through(func(p float64) float64 { return p * math.Log2(float64(m.Vocab())) / float64(d*d) })
		return 0, stats.Interval{}, bits, bitsCI
	}
	scale, scaleCI = through(func(p float64) float64 { return PLogPOverD2(p, d) })
	return scale, scaleCI, 0, stats.Interval{}
}

// Summary is the self-describing summary of a sweep: the settings it was
// computed with (its grid, and from it kappa, embedding, solver and eps), the
// lamcap build that wrote it, and one GroupSummary per (d, model).
type Summary struct {
	LamcapVersion string          `json:"lamcap_version"`
	Kappa         float64         `json:"kappa"`
	Embedding     model.Embedding `json:"embedding"`
	Solver        lp.Method       `json:"solver"`
	Eps           float64         `json:"eps"`
	Grid          Grid            `json:"grid"`
	Groups        []GroupSummary  `json:"groups"`
}

// NewSummary describes groups of a sweep of grid g written by lamcap version.
func NewSummary(g Grid, groups []GroupSummary, version string) Summary {
	solver := g.Solver
	if solver == "" {
		solver = lp.Auto
	}
	return Summary{LamcapVersion: version, Kappa: g.Kappa, Embedding: g.Embedding, Solver: solver, Eps: g.Eps, Grid: g, Groups: groups}
}

// CSV renders the summary as CSV, one row per d and model; every row repeats
// the sweep's settings, so that each row describes itself. The scale columns
// are empty for a vocabulary model, the bits columns for the others.
func (s Summary) CSV() string {
	var b strings.Builder
	b.WriteString("d,model,instances,undecided,disagreements,p_c,p_c_lo95,p_c_hi95,mean_p_star,mean_p_star_se,mean_plus_half,mean_plus_half_lo95,mean_plus_half_hi95," +
		"pc_log_pc_over_d2,scale_lo95,scale_hi95,bits_per_parameter,bits_lo95,bits_hi95,p_c_theory,relative_deviation," +
		"kappa,embedding,solver,eps,seed_first,seed_last,lamcap_version,mean_seconds\n")
	for _, g := range s.Groups {
		scale, bits := fmt.Sprintf("%.6g,%.6g,%.6g", g.Scale, g.ScaleCI.Lo, g.ScaleCI.Hi), ",,"
		if vocabWords(g.Model) > 0 {
			scale, bits = ",,", fmt.Sprintf("%.6g,%.6g,%.6g", g.Bits, g.BitsCI.Lo, g.BitsCI.Hi)
		}
		fmt.Fprintf(&b, "%d,%s,%d,%d,%d,%g,%g,%g,%.6g,%.4g,%.6g,%.6g,%.6g,%s,%s,%.6g,%.4f,%g,%s,%s,%g,%d,%d,%s,%.4g\n", g.D, g.Model, g.Instances, g.Undecided, g.Disagreements,
			g.PC, g.PCCI.Lo, g.PCCI.Hi, g.Mean, g.MeanSE, g.Threshold, g.ThresholdCI.Lo, g.ThresholdCI.Hi, scale, bits, g.TheoryPC, g.Deviation(),
			s.Kappa, s.Embedding, s.Solver, s.Eps, s.Grid.SeedFirst, s.Grid.SeedLast, csvField(s.LamcapVersion), g.MeanSec)
	}
	return b.String()
}

// Write writes the summary into dir as summary.csv and summary.json, each
// atomically.
func (s Summary) Write(dir string) error {
	if err := WriteFileAtomic(filepath.Join(dir, "summary.csv"), []byte(s.CSV())); err != nil {
		return err
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("summary.json: %w", err)
	}
	return WriteFileAtomic(filepath.Join(dir, "summary.json"), append(b, '\n'))
}

// csvField quotes a CSV field that needs it.
func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// SummaryTable renders the summaries for a terminal: the median p* with its
// order-statistic interval, mean p* + 1/2 with its Student t interval
// (EstimateThreshold), the capacity at mean p* + 1/2, and the theory with the
// deviation of mean p* + 1/2 from it. A vocabulary model's capacity is bits per
// parameter, p_c log2 V / d^2 (a column added when there is one), not the
// paper's scale p_c log p_c / d^2, which is about V = p models. A median's
// interval whose coverage is below 95% (fewer than 6 certified instances: it
// is then the sample's range) is marked with a "*" and its coverage is said
// below the table.
func SummaryTable(gs []GroupSummary) string {
	width, bits := len("decoupled"), false
	for _, g := range gs {
		width = max(width, len(g.Model))
		bits = bits || vocabWords(g.Model) > 0
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%4s  %-*s  %5s  %5s  %7s  %-12s  %-22s  %-22s  ", "d", width, "model", "n", "undec", "median", "95% CI", "mean + 1/2 [95% CI]", "p_c log p_c / d^2")
	if bits {
		fmt.Fprintf(&b, "%-22s  ", "bits/param")
	}
	fmt.Fprintf(&b, "%8s  %7s  %7s\n", "theory", "dev", "s/inst")
	low := map[int]float64{} // certified instances -> the coverage of their interval, when below 95%
	for _, g := range gs {
		th, dev := "-", "-"
		if g.TheoryPC > 0 && g.Threshold > 0 {
			th, dev = fmt.Sprintf("%.1f", g.TheoryPC), pct(g.Deviation())
		}
		mark := ""
		if n := g.Instances - g.Undecided; n > 0 {
			if c := stats.MedianCICoverage(n, 0.95); c < 0.95 {
				mark, low[n] = "*", c
			}
		}
		interval := func(x float64, ci stats.Interval, f string) string {
			if g.Threshold == 0 {
				return "-"
			}
			if ci.Lo == ci.Hi {
				return fmt.Sprintf(f, x)
			}
			return fmt.Sprintf(f+" ["+f+", "+f+"]", x, ci.Lo, ci.Hi)
		}
		v := vocabWords(g.Model)
		scale := "-"
		if v == 0 {
			scale = interval(g.Scale, g.ScaleCI, "%.3f")
		}
		median, medianCI := "-", "-" // no certified instance, no median (PC is 0)
		if g.Instances > g.Undecided {
			median, medianCI = fmt.Sprintf("%.1f", g.PC), fmt.Sprintf("[%g, %g]%s", g.PCCI.Lo, g.PCCI.Hi, mark)
		}
		fmt.Fprintf(&b, "%4d  %-*s  %5d  %5d  %7s  %-12s  %-22s  %-22s  ", g.D, width, g.Model, g.Instances, g.Undecided, median,
			medianCI, interval(g.Threshold, g.ThresholdCI, "%.1f"), scale)
		if bits {
			col := "-"
			if v > 0 {
				col = interval(g.Bits, g.BitsCI, "%.3f")
			}
			fmt.Fprintf(&b, "%-22s  ", col)
		}
		fmt.Fprintf(&b, "%8s  %7s  %7.2f\n", th, dev, g.MeanSec)
	}
	if bits {
		b.WriteString("bits/param: p_c log2 V / d^2 of a vocabulary model, at p_c = mean p* + 1/2; p_c log p_c / d^2 is the paper's scale, for its V = p models only\n")
	}
	for _, n := range slices.Sorted(maps.Keys(low)) {
		fmt.Fprintf(&b, "*: with %d certified instances the median's interval is the sample's range, which holds the median with probability %.0f%%, not 95%%\n", n, 100*low[n])
	}
	return b.String()
}

// vocabWords is V of a vocabulary model's name, 0 for any other model.
func vocabWords(name string) int {
	m, err := model.ParseModel(name)
	if err != nil || !m.IsVocabulary() {
		return 0
	}
	return m.Vocab()
}
