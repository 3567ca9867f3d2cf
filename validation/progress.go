package validation

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/model"
	"github.com/lamcap/lamcap/stats"
)

// Target is the number of pairs the science sweep aims at for one d: seeds
// 1..Pairs of both models, in the directory Part of docs/data/science, which
// the part of scripts/science-sweep.sh of the same name extends.
type Target struct {
	D     int    `json:"d"`
	Pairs int    `json:"pairs"`
	Part  string `json:"part"`
}

// Targets are the pair counts of the decisive dimensions, as issue #20 set
// them from the per-pair spread extrapolated from d <= 64: about 25 pairs at
// d = 128 tell a vanishing gap from a nonzero limit at 3 sigma, and at d = 96
// it takes more. They are stated here only: scripts/science-sweep.sh runs
// seeds 1..Pairs at each (TestTargetsMatchScript keeps it, and its comment,
// in agreement), and the report's progress paragraph measures the records
// against them.
var Targets = []Target{{D: 96, Pairs: 40, Part: "d96"}, {D: 128, Pairs: 25, Part: "d128"}}

// MinTablePairs is the fewest pairs at a d for the table of paired
// differences and the gap figure (Report.Pairs). With fewer the d is quoted
// "so far" (from MinSoFar pairs) and counted in the progress paragraph.
const MinTablePairs = 3

// MinSoFar is the fewest pairs at a d for its gap to be quoted "so far"
// (Progress.SoFar, the README's claims): the fewest with a spread, so that
// a Student t interval (n - 1 degrees of freedom) is defined.
const MinSoFar = 2

// Progress is where the records of one d stand: against its Target when it
// has one, and for a d that does not yet meet the report's minimums (fewer
// than MinGroup certified instances of a model, fewer than MinPairs pairs).
type Progress struct {
	D int `json:"d"`
	// Target is the number of pairs aimed at (0: none) and Part the sweep
	// part that extends them.
	Target int    `json:"target_pairs,omitempty"`
	Part   string `json:"part,omitempty"`
	// Records counts the records at D; Undecided those without a certified
	// p* (their units are done: a rerun does not repeat them).
	Records   int `json:"records"`
	Undecided int `json:"undecided"`
	// Pairs counts the seeds certified in both models; Unpaired are the
	// certified units whose seed the other model has no certified p* for,
	// by model and seed.
	Pairs    int               `json:"pairs"`
	Unpaired []experiment.Unit `json:"unpaired,omitempty"`
	// Left counts the p* searches (one model at one seed) of seeds
	// 1..Target without a record: what the sweep has still to run.
	Left int `json:"searches_left"`
	// MeanSeconds and MeanIterations are the means, over the Timed records
	// of D that state them, of a search's seconds (wall clock, as the
	// records time it) and solver iterations; LeftSeconds and
	// LeftIterations are Left times them (the expected total of Left
	// searches is Left times the mean, not the median, of one).
	// MedianSeconds and MedianIterations are the medians, for comparison.
	Timed            int     `json:"timed_records"`
	MeanSeconds      float64 `json:"mean_seconds"`
	MeanIterations   float64 `json:"mean_iterations"`
	MedianSeconds    float64 `json:"median_seconds"`
	MedianIterations float64 `json:"median_iterations"`
	LeftSeconds      float64 `json:"seconds_left"`
	LeftIterations   float64 `json:"iterations_left"`
	// SecondsPerVerdict is the Timed records' seconds over their verdicts
	// (solves): what one verdict of a search cost, on average, the charge
	// a single-verdict run at D is expected to pay per verdict (0: none).
	SecondsPerVerdict float64 `json:"seconds_per_verdict,omitempty"`
	// SoFar is the paired statistics of the Pairs, from MinSoFar of them.
	SoFar *Pair `json:"so_far,omitempty"`
	// Earlier counts the timed records of D that EarlierEngine lists,
	// left out of Timed and the means above (their engine is not the
	// current one), with their own mean seconds, iterations and verdicts.
	Earlier               int     `json:"earlier_engine_records,omitempty"`
	EarlierMeanSeconds    float64 `json:"earlier_engine_mean_seconds,omitempty"`
	EarlierMeanIterations float64 `json:"earlier_engine_mean_iterations,omitempty"`
	EarlierMeanVerdicts   float64 `json:"earlier_engine_mean_verdicts,omitempty"`
	// Bench is the mean of Benchmarks at D (Bench.N = 0: none).
	Bench BenchmarkMeans `json:"benchmarks"`
	// VerdictSecondsPerIteration is the seconds per solver iteration of
	// the single verdicts at D (SetVerdicts; 0: none): the current engine's
	// rate under the sweep's load.
	VerdictSecondsPerIteration float64 `json:"verdict_seconds_per_iteration,omitempty"`
	// Basis says what LeftSeconds and LeftIterations rest on: "records"
	// (the Timed records' means), "benchmarks" (Bench's iterations per
	// search, at VerdictSecondsPerIteration when set, else at the
	// benchmarks' idle seconds per iteration: every record of D is of an
	// earlier engine) or "earlier" (the earlier engine's records: no
	// other figure).
	Basis string `json:"basis,omitempty"`
}

// estimate sets LeftSeconds, LeftIterations and Basis from the best figures
// at hand: the records of the current engine, else the benchmarks, else
// the records of an earlier engine.
func (p *Progress) estimate() {
	switch {
	case p.Timed > 0:
		p.Basis = "records"
		p.LeftSeconds = float64(p.Left) * p.MeanSeconds
		p.LeftIterations = float64(p.Left) * p.MeanIterations
	case p.Bench.N > 0:
		p.Basis = "benchmarks"
		rate := p.Bench.Seconds / p.Bench.Iterations
		if p.VerdictSecondsPerIteration > 0 {
			rate = p.VerdictSecondsPerIteration
		}
		p.LeftIterations = float64(p.Left) * p.Bench.Iterations
		p.LeftSeconds = p.LeftIterations * rate
	case p.Earlier > 0:
		p.Basis = "earlier"
		p.LeftSeconds = float64(p.Left) * p.EarlierMeanSeconds
		p.LeftIterations = float64(p.Left) * p.EarlierMeanIterations
	default:
		p.Basis, p.LeftSeconds, p.LeftIterations = "", 0, 0
	}
}

// progress measures the records by d against Targets. It lists every d with
// a target, and every other d that is not yet fully in the tables and fits
// (a model with fewer than MinGroup certified instances, or fewer than
// MinPairs pairs). pairs holds the paired statistics of the d with MinSoFar
// pairs or more.
func progress(recs []experiment.Record, pairs []Pair) []Progress {
	type unit struct {
		m    model.Model
		seed int64
	}
	byD := map[int][]experiment.Record{}
	for _, r := range recs {
		byD[r.D] = append(byD[r.D], r)
	}
	target := map[int]Target{}
	for _, t := range Targets {
		target[t.D] = t
		if _, ok := byD[t.D]; !ok {
			byD[t.D] = nil
		}
	}
	soFar := map[int]Pair{}
	for _, p := range pairs {
		soFar[p.D] = p
	}
	var out []Progress
	for _, d := range slices.Sorted(maps.Keys(byD)) {
		t, hasTarget := target[d]
		pr := Progress{D: d, Target: t.Pairs, Part: t.Part, Records: len(byD[d])}
		done := map[unit]bool{}
		cert := map[model.Model]map[int64]bool{}
		var secs, iters []float64
		var vsecs, verdicts float64
		for _, r := range byD[d] {
			done[unit{r.Model, r.Seed}] = true
			switch {
			case earlier(r):
				pr.Earlier++
				pr.EarlierMeanSeconds += r.Seconds
				pr.EarlierMeanIterations += float64(r.Iterations)
				pr.EarlierMeanVerdicts += float64(r.Solves)
			case r.Seconds > 0:
				secs = append(secs, r.Seconds)
				if r.Solves > 0 {
					vsecs, verdicts = vsecs+r.Seconds, verdicts+float64(r.Solves)
				}
			}
			if r.Iterations > 0 && !earlier(r) {
				iters = append(iters, float64(r.Iterations))
			}
			if !r.Certified {
				pr.Undecided++
				continue
			}
			if cert[r.Model] == nil {
				cert[r.Model] = map[int64]bool{}
			}
			cert[r.Model][r.Seed] = true
		}
		c, dec := cert[model.Coupled], cert[model.Decoupled]
		for _, m := range []model.Model{model.Coupled, model.Decoupled} {
			other := map[model.Model]map[int64]bool{model.Coupled: dec, model.Decoupled: c}[m]
			var lone []int64
			for s := range cert[m] {
				if other[s] {
					if m == model.Coupled {
						pr.Pairs++
					}
				} else {
					lone = append(lone, s)
				}
			}
			sort.Slice(lone, func(i, j int) bool { return lone[i] < lone[j] })
			for _, s := range lone {
				pr.Unpaired = append(pr.Unpaired, experiment.Unit{D: d, Model: m, Seed: s})
			}
		}
		full := len(c) >= MinGroup && len(dec) >= MinGroup && pr.Pairs >= MinPairs
		if !hasTarget && full {
			continue
		}
		if hasTarget {
			for s := int64(1); s <= int64(t.Pairs); s++ {
				for _, m := range []model.Model{model.Coupled, model.Decoupled} {
					if !done[unit{m, s}] {
						pr.Left++
					}
				}
			}
		}
		pr.Timed = len(secs)
		if len(secs) > 0 {
			pr.MedianSeconds = stats.Median(secs)
			pr.MeanSeconds, _ = stats.MeanSE(secs)
		}
		if len(iters) > 0 {
			pr.MedianIterations = stats.Median(iters)
			pr.MeanIterations, _ = stats.MeanSE(iters)
		}
		if verdicts > 0 {
			pr.SecondsPerVerdict = vsecs / verdicts
		}
		if pr.Earlier > 0 {
			pr.EarlierMeanSeconds /= float64(pr.Earlier)
			pr.EarlierMeanIterations /= float64(pr.Earlier)
			pr.EarlierMeanVerdicts /= float64(pr.Earlier)
		}
		pr.Bench = benchmarksAt(d)
		pr.estimate()
		if p, ok := soFar[d]; ok {
			pr.SoFar = &p
		}
		out = append(out, pr)
	}
	return out
}

// progressStatement renders Progress: the plan for the rest.
func (r Report) progressStatement() string {
	if len(r.Progress) == 0 {
		return ""
	}
	var s strings.Builder
	fmt.Fprintf(&s, "**Progress, and the plan for the rest.** ")
	if len(Targets) > 0 {
		var ts []string
		for _, t := range Targets {
			ts = append(ts, fmt.Sprintf("%d at d = %d", t.Pairs, t.D))
		}
		fmt.Fprintf(&s, "The pairs aimed at are %s (validation.Targets; `scripts/science-sweep.sh` runs seeds 1..n of both models at each, resumably). ", strings.Join(ts, " and "))
	}
	var left int
	var secs float64
	var parts []string
	for _, p := range r.Progress {
		s.WriteString(p.statement())
		if p.Left > 0 && p.LeftSeconds > 0 {
			left, secs, parts = left+p.Left, secs+p.LeftSeconds, append(parts, p.Part)
		}
	}
	if len(parts) > 1 {
		fmt.Fprintf(&s, "In all, %d searches, about %s of wall time on the shared machine: `PARTS=\"%s report\" scripts/science-sweep.sh`. ", left, hours(secs), strings.Join(parts, " "))
	}
	s.WriteString(r.verdictProgressStatement())
	fmt.Fprintf(&s, "A p* search is one model at one seed; its expected cost is the mean over the records at that d (both models), the median beside it showing how skewed the times are. Records written before 2026-12-08 name no engine (later ones carry the revision that computed them, the field revision): those of an engine older than the current one (validation.EarlierEngine, by the commits that added them) are left out of the mean, and where no other record is left the benchmarks' iterations per search are charged at the seconds per iteration of the current engine's single verdicts at that d. The seconds are wall time as the records state it: the sweep's one worker on a machine shared with other work, so they estimate the calendar time under the same conditions, not the CPU time of a quiet machine; the solver iterations do not depend on the load. A model at a d enters the capacity table with %d certified instances, a d the table of paired differences with %d pairs, and the fits, the power extrapolation and the design comparison with %d.", MinGroup, MinTablePairs, MinPairs)
	return s.String()
}

// statement is one d's sentences of the progress paragraph.
func (p Progress) statement() string {
	var s strings.Builder
	if p.Target > 0 {
		fmt.Fprintf(&s, "At d = %d, %d of %d pairs", p.D, p.Pairs, p.Target)
	} else {
		fmt.Fprintf(&s, "At d = %d (no target), %d %s", p.D, p.Pairs, plural(p.Pairs, "pair", "pairs"))
	}
	if p.SoFar != nil && !p.SoFar.Fitted() {
		fmt.Fprintf(&s, " (relative gap so far %+.2f%%, Student t 95%% interval %+.2f%% to %+.2f%%)", 100*p.SoFar.Gap, 100*p.SoFar.GapCI.Lo, 100*p.SoFar.GapCI.Hi)
	}
	var lone []string
	for _, u := range p.Unpaired {
		lone = append(lone, fmt.Sprintf("%s seed %d", u.Model, u.Seed))
	}
	switch {
	case len(lone) == 0:
		s.WriteString(", no record without its partner")
	case len(lone) <= 4:
		fmt.Fprintf(&s, ", and %d %s without its partner: %s", len(lone), plural(len(lone), "record", "records"), strings.Join(lone, ", "))
	default:
		fmt.Fprintf(&s, ", and %d records without their partner", len(lone))
	}
	if p.Undecided > 0 {
		fmt.Fprintf(&s, "; %d undecided", p.Undecided)
	}
	s.WriteString(". ")
	switch {
	case p.Target == 0:
	case p.Left == 0:
		fmt.Fprintf(&s, "Every search of seeds 1..%d has a record. ", p.Target)
	case p.Basis == "":
		fmt.Fprintf(&s, "%d p* searches left; no record at d = %d states its cost yet. `PARTS=\"%s report\" scripts/science-sweep.sh` runs them. ", p.Left, p.D, p.Part)
	case p.Basis == "records":
		fmt.Fprintf(&s, "%d p* searches left, at the mean %.0f s (median %.0f s) and %.0f solver iterations (median %.0f) per search (of %d %s at d = %d%s): about %s of wall time on the shared machine and %.0f iterations%s. `PARTS=\"%s report\" scripts/science-sweep.sh` runs them. ",
			p.Left, p.MeanSeconds, p.MedianSeconds, p.MeanIterations, p.MedianIterations, p.Timed, plural(p.Timed, "record", "records"), p.D, p.earlierLeftOut(), hours(p.LeftSeconds), twoFigures(p.LeftIterations), p.benchBeside(), p.Part)
	case p.Basis == "benchmarks":
		fmt.Fprintf(&s, "%d p* searches left. %s The recent engines' search, %s, takes %.0f iterations over %.1f verdicts (%.0f s idle); ",
			p.Left, p.earlierSentence(), p.Bench.describe(), p.Bench.Iterations, p.Bench.Verdicts, p.Bench.Seconds)
		if p.VerdictSecondsPerIteration > 0 {
			fmt.Fprintf(&s, "at that count and the %.1f s per iteration of the current engine's single verdicts at d = %d under the sweep's load, ", p.VerdictSecondsPerIteration, p.D)
		} else {
			fmt.Fprintf(&s, "at that count and the benchmarks' idle %.1f s per iteration, ", p.Bench.Seconds/p.Bench.Iterations)
		}
		fmt.Fprintf(&s, "the rest is about %s of wall time and %.0f iterations, an estimate (the benchmarks are of the coupled model only; the earlier records' figures would say %s). `PARTS=\"%s report\" scripts/science-sweep.sh` runs them. ",
			hours(p.LeftSeconds), twoFigures(p.LeftIterations), hours(float64(p.Left)*p.EarlierMeanSeconds), p.Part)
	default:
		fmt.Fprintf(&s, "%d p* searches left. %s At those figures: about %s of wall time and %.0f iterations, on an engine since replaced. `PARTS=\"%s report\" scripts/science-sweep.sh` runs them. ",
			p.Left, p.earlierSentence(), hours(p.LeftSeconds), twoFigures(p.LeftIterations), p.Part)
	}
	return s.String()
}

// earlierSentence says which records of D are of an earlier engine and what
// they cost.
func (p Progress) earlierSentence() string {
	if p.Earlier == 0 {
		return ""
	}
	all := "The"
	if p.Timed > 0 {
		all = "Of them, the"
	}
	return fmt.Sprintf("%s %d %s at d = %d %s of an earlier engine (validation.EarlierEngine: %s): %.0f iterations over %.1f verdicts and %.0f s (wall) a search.",
		all, p.Earlier, plural(p.Earlier, "record", "records"), p.D, map[bool]string{true: "is", false: "are"}[p.Earlier == 1], earlierUnits(p.D), p.EarlierMeanIterations, p.EarlierMeanVerdicts, p.EarlierMeanSeconds)
}

// earlierLeftOut notes, inside the records' count, the records of an
// earlier engine left out of the means.
func (p Progress) earlierLeftOut() string {
	if p.Earlier == 0 {
		return ""
	}
	return fmt.Sprintf("; %d of an earlier engine left out, validation.EarlierEngine", p.Earlier)
}

// benchBeside gives the benchmarks' figures beside the records'.
func (p Progress) benchBeside() string {
	if p.Bench.N == 0 {
		return ""
	}
	return fmt.Sprintf(" (beside them %s: %.0f iterations over %.1f verdicts and %.0f s a search)", p.Bench.describe(), p.Bench.Iterations, p.Bench.Verdicts, p.Bench.Seconds)
}

// hours prints a duration in seconds as hours, with days beside it from two
// days on.
func hours(sec float64) string {
	h := sec / 3600
	if h >= 48 {
		return fmt.Sprintf("%.0f h (%.1f days)", h, h/24)
	}
	return fmt.Sprintf("%.1f h", math.Round(10*h)/10)
}

// twoFigures rounds x to two significant figures: an estimate's precision.
func twoFigures(x float64) float64 {
	if x <= 0 {
		return x
	}
	e := math.Pow(10, math.Floor(math.Log10(x))-1)
	return math.Round(x/e) * e
}

// plural is one or many by n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
