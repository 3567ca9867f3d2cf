package validation

import (
	"fmt"
	"strings"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/model"
)

// Benchmark is one idle benchmark of an exact p* search, as docs/benchmarks.md
// states it (Quote is the doc's text it is read from;
// TestBenchmarksInDoc keeps the two equal). The records name no engine, and
// their wall seconds are taken under load; the benchmarks say what a search
// costs on a recent engine, beside the records' figures.
type Benchmark struct {
	D          int
	Model      model.Model
	Seed       int64
	Verdicts   int
	Iterations int
	// Seconds is the idle wall time of the search.
	Seconds float64
	// Code names the code it ran.
	Code  string
	Quote string
	// Load is "" for an idle benchmark, else the load it ran under: such a
	// one is no benchmark of the seconds, only a check of an estimate
	// (verdictPowerStatement), and is left out of BenchmarkMeans.
	Load string
}

// quote96 is docs/benchmarks.md's row of the three d = 96 seeds.
const quote96 = "**231 s** (231.3 / 167.5 / 248.9; p* = 1139, 1134, 1113, the science records' values), 6 / 5 / 7 verdicts, 62 / 46 / 65 iterations"

// Benchmarks are the idle exact-p* benchmarks of docs/benchmarks.md
// (BenchmarkExactThreshold, the coupled model) at the d of the science
// sweep's targets.
var Benchmarks = []Benchmark{
	{D: 96, Model: model.Coupled, Seed: 1, Verdicts: 6, Iterations: 62, Seconds: 231.3, Code: "708bb0b",
		Quote: quote96},
	{D: 96, Model: model.Coupled, Seed: 2, Verdicts: 5, Iterations: 46, Seconds: 167.5, Code: "708bb0b",
		Quote: quote96},
	{D: 96, Model: model.Coupled, Seed: 3, Verdicts: 7, Iterations: 65, Seconds: 248.9, Code: "708bb0b",
		Quote: quote96},
	{D: 128, Model: model.Coupled, Seed: 1, Verdicts: 6, Iterations: 60, Seconds: 978.5, Code: "708bb0b",
		Quote: "**978.5 s (16.3 min)**, p* = 1856 as before, 6 verdicts, 60 iterations"},
	{D: 128, Model: model.Coupled, Seed: 2, Verdicts: 8, Iterations: 79, Seconds: 1165.9, Code: "f0e40ce",
		Quote: "1165.9 s (19.4 min), p* = 1817, 8 verdicts, 79 iterations"},
	{D: 128, Model: model.Coupled, Seed: 3, Verdicts: 10, Iterations: 81, Seconds: 1176.1, Code: "session 11's merged code",
		Quote: "1176.1 s (19.6 min), p* = 1807, 10 verdicts, 81 iterations"},
	{D: 160, Model: model.Coupled, Seed: 1, Verdicts: 7, Iterations: 85, Seconds: 8568, Code: "7a00b49, session 9", Load: "under load 6-14",
		Quote: "**8568 s (2 h 23 min)** wall under load 6-14; p* = 2720, 7 verdicts, 85 iterations"},
}

// EngineRecord names one committed p* record by its unit and, as a
// fingerprint, its iteration count: a unit solved again (by another
// engine, with another count) no longer matches.
type EngineRecord struct {
	experiment.Unit
	Iterations int
	// Made says when and in which commit the record was added.
	Made string
}

// EarlierEngine lists the p* records made by an engine older than the
// current one, session 12's code (f0e40ce), whose changes include the
// decoupled model's (the records name no engine; the commits that added
// them, and docs/benchmarks.md, do). Coupled seed 1 at d = 128 is the
// plainest case: its record took 153 iterations, the idle benchmark of the
// same instance on code 708bb0b 60, for the same p*. The decoupled seed 1
// record (94 iterations over 8 verdicts) predates session 12's decoupled
// changes. Their costs are left out of the cost figures of the current
// engine (Progress, the verdict section), and said apart.
// TestEarlierEngineInRecords checks each is in the committed records.
var EarlierEngine = []EngineRecord{
	{Unit: experiment.Unit{D: 128, Model: model.Coupled, Seed: 1}, Iterations: 153, Made: "2026-12-07, commit 32a0dae"},
	{Unit: experiment.Unit{D: 128, Model: model.Decoupled, Seed: 1}, Iterations: 94, Made: "2026-12-07, commit 045d212"},
}

// earlier says r is one of EarlierEngine.
func earlier(r experiment.Record) bool {
	for _, e := range EarlierEngine {
		if e.Unit == r.Unit && e.Iterations == r.Iterations {
			return true
		}
	}
	return false
}

// BenchmarkMeans are the means of Benchmarks at one d.
type BenchmarkMeans struct {
	N          int         `json:"n"`
	Verdicts   float64     `json:"mean_verdicts"`
	Iterations float64     `json:"mean_iterations"`
	Seconds    float64     `json:"mean_seconds_idle"`
	Seeds      []int64     `json:"seeds,omitempty"`
	Codes      []string    `json:"codes,omitempty"`
	Model      model.Model `json:"model"`
}

// benchmarksAt averages Benchmarks at d (N = 0: none).
func benchmarksAt(d int) BenchmarkMeans {
	var b BenchmarkMeans
	for _, x := range Benchmarks {
		if x.D != d || x.Load != "" {
			continue
		}
		b.N++
		b.Verdicts += float64(x.Verdicts)
		b.Iterations += float64(x.Iterations)
		b.Seconds += x.Seconds
		b.Seeds = append(b.Seeds, x.Seed)
		b.Model = x.Model
		if len(b.Codes) == 0 || b.Codes[len(b.Codes)-1] != x.Code {
			b.Codes = append(b.Codes, x.Code)
		}
	}
	if b.N > 0 {
		b.Verdicts /= float64(b.N)
		b.Iterations /= float64(b.N)
		b.Seconds /= float64(b.N)
	}
	return b
}

// describe is "docs/benchmarks.md's idle benchmarks (coupled, seeds 1-3,
// code 708bb0b)".
func (b BenchmarkMeans) describe() string {
	seeds := fmt.Sprint(b.Seeds[0])
	if b.N > 1 {
		seeds = fmt.Sprintf("%d-%d", b.Seeds[0], b.Seeds[b.N-1])
	}
	return fmt.Sprintf("docs/benchmarks.md's idle %s (%s, %s %s, code %s)", plural(b.N, "benchmark", "benchmarks"), b.Model, plural(b.N, "seed", "seeds"), seeds, strings.Join(b.Codes, ", "))
}

// earlierUnits lists the EarlierEngine records at d, as "coupled seed 1
// (2026-12-07, commit 32a0dae)".
func earlierUnits(d int) string {
	var out []string
	for _, e := range EarlierEngine {
		if e.D == d {
			out = append(out, fmt.Sprintf("%s seed %d (%s)", e.Model, e.Seed, e.Made))
		}
	}
	return strings.Join(out, ", ")
}
