package experiment

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"

	"github.com/lamcap/lamcap/internal/dirlock"
	"github.com/lamcap/lamcap/internal/inputfile"
	"github.com/lamcap/lamcap/internal/memlimit"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
	"github.com/lamcap/lamcap/stats"
	"github.com/lamcap/lamcap/theory"
)

// VocabStudy is the study of the finite vocabulary (docs/vocabulary.md): the
// certified p* of seeds 1..Seeds[i] for every d = Ds[i], every V of
// VocabGrid(d) and every answer distribution of Answers (one Seeds value means
// the same number at every d). Its records go to Dir, and Progress (may be
// nil) gets one line per threshold.
type VocabStudy struct {
	Ds      []int
	Answers []model.Answers
	Seeds   []int
	// MaxV caps the grid of V (0: up to the paper's p_c at each d).
	MaxV int
	// ReducedFrom, if positive, picks the reduced grid (VocabGridReduced) at
	// every d >= ReducedFrom; below it, and everywhere when it is 0, the grid
	// is VocabGrid.
	ReducedFrom int
	// Vs, if not empty, replaces the grid at every d.
	Vs []int
	LP lp.Options
	// Dir holds the study's records (VocabRecordsFile); it is created, and
	// reused to resume. One process at a time works in it (LockFile).
	Dir      string
	Progress io.Writer
}

// VocabGrid is the grid of vocabulary sizes at d: 2, 3, 4, 6, 8, 12, 16, ...
// (powers of 2 and 1.5 times them), d + 1 (where the surrogate's N stops
// growing), up to the paper's p_c at d rounded (the paper's model is V = p), or
// maxV if smaller and positive.
func VocabGrid(d, maxV int) ([]int, error) {
	top := maxV
	if top <= 0 {
		pc, err := TheoryPC(d, 0)
		if err != nil {
			return nil, fmt.Errorf("vocabulary grid: %w", err)
		}
		top = int(math.Round(pc))
	}
	set := map[int]bool{}
	for v := 2; v <= top; v *= 2 {
		set[v] = true
		if w := v * 3 / 2; w <= top && w > v {
			set[w] = true
		}
	}
	if d+1 <= top {
		set[d+1] = true
	}
	set[top] = true
	var out []int
	for v := range set {
		out = append(out, v)
	}
	sort.Ints(out)
	return out, nil
}

// VocabGridReduced is the part of VocabGrid(d, maxV) that answers the study's
// three questions at less cost, for d beyond the study's (10 or 11 of the 17 V
// at d = 40 and 48, about two thirds of the CPU time: the V near d, the
// dearest, stay): the powers of 2
// below d/2 (V = 2 is Cover's perceptron, the others the climb of p_c with V),
// every V of the grid from d/2 to 2d (where the measured p_c crosses the
// paper's, peaks at V = d or d + 1, and where the bits per parameter peak:
// V = 2d at d = 12, 24 and 32 with uniform answers), and the largest V (the
// paper's regime). It leaves out V = 3, 6, 12 and the V between 2d and the
// largest, where p_c and the bits per parameter change slowly.
func VocabGridReduced(d, maxV int) ([]int, error) {
	full, err := VocabGrid(d, maxV)
	if err != nil {
		return nil, err
	}
	var out []int
	for i, v := range full {
		pow2 := v&(v-1) == 0
		if (pow2 && 2*v < d) || (2*v >= d && v <= 2*d) || i == len(full)-1 {
			out = append(out, v)
		}
	}
	return out, nil
}

// grid is the study's V grid at its i-th d.
func (s VocabStudy) grid(i int) ([]int, error) {
	switch d := s.Ds[i]; {
	case len(s.Vs) > 0:
		return s.Vs, nil
	case s.ReducedFrom > 0 && d >= s.ReducedFrom:
		return VocabGridReduced(d, s.MaxV)
	default:
		return VocabGrid(d, s.MaxV)
	}
}

// seeds is the study's seed count at its i-th d.
func (s VocabStudy) seeds(i int) int {
	if len(s.Seeds) > 1 {
		return s.Seeds[i]
	}
	return s.Seeds[0]
}

// vocabUnitBytes is what each threshold of a study costs while the study is
// listed and run (the unit, its key, the set of finished keys). Measured:
// lamcap vocab-study --d 4 --v 2 --seeds 10000000 (2 x 10^7 thresholds: two
// answer laws) held 3.23 GB, 161 B a unit.
const vocabUnitBytes = 192

// CheckMemory refuses (*memlimit.TooLarge) a study whose list of thresholds
// does not fit the memory budget, counted without listing them: 10^8 seeds
// grew past 30 GB, out of any budget and deaf to Ctrl-C while listing.
func (s VocabStudy) CheckMemory() error {
	if len(s.Seeds) != 1 && len(s.Seeds) != len(s.Ds) {
		return fmt.Errorf("vocabulary study: %d seed counts for %d dimensions", len(s.Seeds), len(s.Ds))
	}
	var n int64
	for i := range s.Ds {
		vs, err := s.grid(i)
		if err != nil {
			return err
		}
		n = memlimit.Add(n, memlimit.Mul(int64(s.seeds(i)), int64(len(s.Answers)), int64(len(vs))))
	}
	return memlimit.Check(fmt.Sprintf("a vocabulary study of %d thresholds", n), memlimit.Mul(n, vocabUnitBytes))
}

// vocabUnit is one threshold of the study.
type vocabUnit struct {
	d    int
	m    model.Model
	seed int64
	v    int // the vocabulary size of m
}

func (u vocabUnit) key() string { return fmt.Sprintf("%d/%s/%d", u.d, u.m, u.seed) }

// units lists the study's thresholds in the order they run: small d first, and
// at each d seed by seed over the whole grid, so that a run stopped part way
// through a d has every V with fewer seeds rather than some V with none.
func (s VocabStudy) units() ([]vocabUnit, error) {
	if len(s.Seeds) != 1 && len(s.Seeds) != len(s.Ds) {
		return nil, fmt.Errorf("vocabulary study: %d seed counts for %d dimensions", len(s.Seeds), len(s.Ds))
	}
	var out []vocabUnit
	for i, d := range s.Ds {
		vs, err := s.grid(i)
		if err != nil {
			return nil, err
		}
		n := s.seeds(i)
		for seed := int64(1); seed <= int64(n); seed++ {
			for _, a := range s.Answers {
				for _, v := range vs {
					m, err := model.Vocabulary(v, a)
					if err != nil {
						return nil, err
					}
					out = append(out, vocabUnit{d: d, m: m, seed: seed, v: v})
				}
			}
		}
	}
	return out, nil
}

// VocabRecordsFile is the study's record file in its directory: one
// VocabThreshold per line, appended and synced as each finishes.
const VocabRecordsFile = "records.jsonl"

// ReadVocabRecords reads a study's records; a missing file is no records, and a
// line that is not a whole record (one cut short by a kill) is skipped. Only a
// regular file is read (inputfile.Open): a named pipe, device or directory in
// its place is a *DirError, refused without blocking on it.
func ReadVocabRecords(dir string) ([]VocabThreshold, error) {
	f, _, err := openVocabRecords(dir)
	if f == nil || err != nil {
		return nil, err
	}
	defer f.Close()
	var out []VocabThreshold
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r VocabThreshold
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.D > 0 {
			out = append(out, r)
		}
	}
	return out, sc.Err()
}

// openVocabRecords opens dir's records file for reading, with its size: a
// missing file is (nil, 0, nil), and one that is not a regular file a
// *DirError (badFile).
func openVocabRecords(dir string) (*os.File, int64, error) {
	f, size, err := inputfile.Open(filepath.Join(dir, VocabRecordsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, badFile(err)
	}
	return f, size, nil
}

// VocabRun is what StudyVocab did: the thresholds it found (Ran) and those
// s.Dir's records already held (Kept).
type VocabRun struct {
	Ran, Kept int
}

// StudyVocab runs the thresholds of the study that s.Dir's records do not hold
// yet, appending each to Dir/records.jsonl as it finishes, so a killed run
// resumes where it stopped: only the threshold in flight is lost. A cancelled
// ctx stops it at once with ctx's error, and the threshold in flight is not
// recorded, whatever its search returned. A last line cut short by a kill is
// repaired first (repairTail). It refuses a directory that another process
// holds (*dirlock.BusyError, on Dir/LockFile, naming it a vocabulary study
// directory), and, before it writes anything there (the lock file included),
// a records file that is not a regular file (*DirError).
func StudyVocab(ctx context.Context, s VocabStudy) (VocabRun, error) {
	var run VocabRun
	dir, progress := s.Dir, s.Progress
	if dir == "" {
		return run, errors.New("vocabulary study: no directory")
	}
	units, err := s.units()
	if err != nil {
		return run, err
	}
	if f, _, err := openVocabRecords(dir); err != nil {
		return run, err
	} else if f != nil {
		f.Close()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return run, err
	}
	lock, err := dirlock.Acquire(dir, filepath.Join(dir, LockFile))
	if busy := new(dirlock.BusyError); errors.As(err, &busy) {
		busy.Kind = "vocabulary study directory"
	}
	if err != nil {
		return run, err
	}
	defer lock.Release()
	path := filepath.Join(dir, VocabRecordsFile)
	if err := repairTail(dir); err != nil {
		return run, fmt.Errorf("vocabulary study: %w", err)
	}
	have, err := ReadVocabRecords(dir)
	if err != nil {
		return run, err
	}
	done := map[string]bool{}
	for _, r := range have {
		done[r.key()] = true
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return run, err
	}
	defer f.Close()
	for _, u := range units {
		if done[u.key()] {
			run.Kept++
			continue
		}
		cpu0 := cpuSeconds()
		th, err := FindVocabThreshold(ctx, VocabFamily{D: u.d, Model: u.m}, u.seed, s.LP)
		if ctx.Err() != nil {
			// A search cut short may end undecided rather than with an error:
			// either way it is not a finding.
			return run, ctx.Err()
		}
		if err != nil {
			return run, err
		}
		if cpu := cpuSeconds() - cpu0; cpu > 0 {
			th.CPUSeconds = cpu
		}
		b, err := json.Marshal(th)
		if err != nil {
			return run, err
		}
		if _, err := f.Write(append(b, '\n')); err != nil {
			return run, err
		}
		if err := f.Sync(); err != nil {
			return run, err
		}
		done[u.key()] = true
		run.Ran++
		if progress != nil {
			fmt.Fprintf(progress, "d=%d %s seed %d: p*=%d (%d verdicts, %d iterations, %.1f s, %.1f CPU s)\n",
				u.d, u.m, u.seed, th.PStar, th.Solves, th.Iterations, th.Seconds, th.CPUSeconds)
		}
	}
	return run, nil
}

// key is the unit a record is the threshold of (vocabUnit.key).
func (r VocabThreshold) key() string { return fmt.Sprintf("%d/%s/%d", r.D, r.Model, r.Seed) }

// cpuSeconds is the CPU time (user and system, all threads) the process has
// used so far; 0 where the system does not say.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// repairTail makes dir's record file end with a whole line. A kill during an
// append can leave the last line without its newline: if that line is a whole
// record it gets its newline, otherwise it is cut off (ReadVocabRecords skips
// it anyway), so that the next record appended starts a line of its own
// instead of being glued to the fragment and lost with it.
func repairTail(dir string) error {
	in, size, err := openVocabRecords(dir)
	if in == nil || err != nil {
		return err
	}
	defer in.Close()
	if size == 0 {
		return nil
	}
	last := make([]byte, 1)
	if _, err := in.ReadAt(last, size-1); err != nil {
		return err
	}
	if last[0] == '\n' {
		return nil
	}
	b := make([]byte, size)
	if _, err := in.ReadAt(b, 0); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, VocabRecordsFile), os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	cut := bytes.LastIndexByte(b, '\n') + 1
	var r VocabThreshold
	if json.Unmarshal(b[cut:], &r) == nil && r.D > 0 {
		_, err = f.WriteAt([]byte{'\n'}, int64(len(b)))
	} else {
		err = f.Truncate(int64(cut))
	}
	if err != nil {
		return err
	}
	return f.Sync()
}

// VocabPart is one d of a study and how far the records have got with it.
type VocabPart struct {
	D       int
	Grid    []int // the V of the study at D
	Reduced bool  // Grid is VocabGridReduced
	Seeds   int
	// Planned counts the study's thresholds at D (len(Grid) x Seeds x the
	// answer distributions), Done those of them the records hold; Other
	// counts the records at D that are not in the study.
	Planned, Done, Other int
	// CPUSeconds sums the records' CPU seconds at D, over the Timed records
	// that have them (records written before CPU time was recorded do not).
	CPUSeconds float64
	Timed      int
	// WallSeconds sums the records' wall-clock seconds at D over the
	// WallTimed records that state them: calendar time on the machine the
	// records were taken on, shared or not.
	WallSeconds float64
	WallTimed   int
	// CPULeft and WallLeft estimate the CPU and wall-clock seconds of the
	// thresholds not yet found: each missing threshold costs the mean of the
	// timed records at its own (d, V) (both answer distributions), so the
	// costly large V weigh as they do; a missing threshold at a V with no timed
	// record costs the mean of the costliest timed V of the part, and is
	// counted in CPUGuessed (WallGuessed). NaN when the part has no timed
	// record.
	CPULeft, WallLeft       float64
	CPUGuessed, WallGuessed int
}

// Complete says whether the records hold every threshold of the part.
func (p VocabPart) Complete() bool { return p.Planned > 0 && p.Done == p.Planned }

// Parts says, for every d of the study and every other d of recs, how many
// of its thresholds the records hold: which parts are complete and which in
// progress.
func (s VocabStudy) Parts(recs []VocabThreshold) ([]VocabPart, error) {
	units, err := s.units()
	if err != nil {
		return nil, err
	}
	planned := map[string]bool{}
	byD := map[int]*VocabPart{}
	var ds []int
	part := func(d int) *VocabPart {
		if byD[d] == nil {
			byD[d] = &VocabPart{D: d}
			ds = append(ds, d)
		}
		return byD[d]
	}
	for i, d := range s.Ds {
		p := part(d)
		if p.Grid, err = s.grid(i); err != nil {
			return nil, err
		}
		p.Seeds = s.seeds(i)
		p.Reduced = len(s.Vs) == 0 && s.ReducedFrom > 0 && d >= s.ReducedFrom
	}
	for _, u := range units {
		planned[u.key()] = true
		part(u.d).Planned++
	}
	seen := map[string]bool{}
	for _, r := range recs {
		if seen[r.key()] {
			continue
		}
		seen[r.key()] = true
		p := part(r.D)
		if planned[r.key()] {
			p.Done++
		} else {
			p.Other++
		}
		if r.CPUSeconds > 0 {
			p.CPUSeconds += r.CPUSeconds
			p.Timed++
		}
		if r.Seconds > 0 {
			p.WallSeconds += r.Seconds
			p.WallTimed++
		}
	}
	// Per (d, V) mean cost, then the cost of the missing thresholds.
	type dv struct{ d, v int }
	cpu, nCPU, wall, nWall := map[dv]float64{}, map[dv]int{}, map[dv]float64{}, map[dv]int{}
	seen = map[string]bool{}
	for _, r := range recs {
		if seen[r.key()] {
			continue
		}
		seen[r.key()] = true
		k := dv{r.D, r.V}
		if r.CPUSeconds > 0 {
			cpu[k] += r.CPUSeconds
			nCPU[k]++
		}
		if r.Seconds > 0 {
			wall[k] += r.Seconds
			nWall[k]++
		}
	}
	costliest := func(d int, sum map[dv]float64, n map[dv]int) float64 {
		top := math.NaN()
		for k, c := range sum {
			if k.d == d && n[k] > 0 && !(c/float64(n[k]) <= top) {
				top = c / float64(n[k])
			}
		}
		return top
	}
	for _, d := range ds {
		p := byD[d]
		p.CPULeft, p.WallLeft = 0, 0
		topCPU, topWall := costliest(d, cpu, nCPU), costliest(d, wall, nWall)
		for _, u := range units {
			if u.d != d || seen[u.key()] {
				continue
			}
			k := dv{u.d, u.v}
			if nCPU[k] > 0 {
				p.CPULeft += cpu[k] / float64(nCPU[k])
			} else {
				p.CPULeft += topCPU
				p.CPUGuessed++
			}
			if nWall[k] > 0 {
				p.WallLeft += wall[k] / float64(nWall[k])
			} else {
				p.WallLeft += topWall
				p.WallGuessed++
			}
		}
	}
	sort.Ints(ds)
	out := make([]VocabPart, len(ds))
	for i, d := range ds {
		out[i] = *byD[d]
	}
	return out, nil
}

// VocabGroup summarises the thresholds of one (d, V, answers).
type VocabGroup struct {
	D         int            `json:"d"`
	V         int            `json:"v"`
	Answers   string         `json:"answers"`
	N         int            `json:"instances"`
	Undecided int            `json:"undecided"`
	PC        float64        `json:"p_c"` // median p*
	PCCI      stats.Interval `json:"p_c_ci95"`
	Theory    float64        `json:"p_c_theory"`
	// Mean and MeanSE are the mean certified p* and its standard error.
	// Threshold = Mean + HalfAssociation is what is compared with Theory:
	// p* is the largest storable prefix, the integer part of a real threshold
	// X (P(storable at p) = P(p* >= p)), so mean p* is about E X - 1/2
	// (HalfAssociation, docs/validation.md). ThresholdCI is its 95%
	// Student t interval (n - 1 degrees of freedom); Dev = (Threshold -
	// Theory) / Theory with DevCI the same interval, Z = (Threshold - Theory)
	// / MeanSE and PValue its two-sided Student t p-value. Tested is false
	// when there is no spread to test with (fewer than 2 certified p*, or all
	// equal): then Z = 0 and PValue = 1.
	Mean        float64        `json:"mean_p_star"`
	MeanSE      float64        `json:"mean_p_star_se"`
	Threshold   float64        `json:"threshold"`
	ThresholdCI stats.Interval `json:"threshold_ci95"`
	Dev         float64        `json:"deviation"`
	DevCI       stats.Interval `json:"deviation_ci95"`
	Z           float64        `json:"z"`
	PValue      float64        `json:"p_value"`
	Tested      bool           `json:"tested"`
	// Bits is Threshold log2 V / d^2, bits per parameter at mean p* + 1/2
	// (where theory is compared); Entropy uses the entropy of the answer
	// distribution instead of log2 V (equal for uniform answers).
	Bits    float64 `json:"bits_per_parameter"`
	Entropy float64 `json:"entropy_bits_per_parameter"`
	// Solvers lists the solvers that pinned the certified thresholds, sorted,
	// comma separated ("simplex", "ipm", "ipm,simplex"; a threshold pinned by
	// two names them joined by "+").
	Solvers string `json:"solvers"`
}

// SummariseVocab groups records by (d, V, answers), in that order.
func SummariseVocab(recs []VocabThreshold) ([]VocabGroup, error) {
	type key struct {
		d, v int
		a    string
	}
	groups := map[key][]VocabThreshold{}
	for _, r := range recs {
		k := key{r.D, r.V, r.Answers}
		groups[k] = append(groups[k], r)
	}
	var keys []key
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.a != b.a {
			return a.a < b.a // uniform before zipf
		}
		if a.d != b.d {
			return a.d < b.d
		}
		return a.v < b.v
	})
	var out []VocabGroup
	statDim := map[int]float64{} // D_0(V), computed once per V
	var err error
	for _, k := range keys {
		g := VocabGroup{D: k.d, V: k.v, Answers: k.a}
		var ps []float64
		var solvers []string
		for _, r := range groups[k] {
			g.N++
			if !r.Certified {
				g.Undecided++
				continue
			}
			ps = append(ps, float64(r.PStar))
			if !slices.Contains(solvers, r.Solvers) {
				solvers = append(solvers, r.Solvers)
			}
		}
		sort.Strings(solvers)
		g.Solvers = strings.Join(solvers, ",")
		if _, ok := statDim[k.v]; !ok {
			if statDim[k.v], err = theory.StatDim(float64(k.v), 0); err != nil {
				return nil, err
			}
		}
		pc := float64(theory.VocabUnknowns(k.d, k.v)) / statDim[k.v] // theory.VocabCriticalP

		ans, err := model.ParseAnswers(k.a)
		if err != nil {
			return nil, err
		}
		g.Theory = pc
		g.PC, g.PCCI = stats.Median(ps), stats.MedianCI(ps, 0.95)
		g.meanAgainst(ps, pc)
		d2 := float64(k.d * k.d)
		g.Bits = g.Threshold * math.Log2(float64(k.v)) / d2 // at mean p* + 1/2, as theory is compared
		g.Entropy = g.Threshold * answerEntropy(ans, k.v) / d2
		out = append(out, g)
	}
	return out, nil
}

// meanAgainst fills the mean-based fields of g from its certified p* and the
// theory's p_c (EstimateThreshold).
func (g *VocabGroup) meanAgainst(ps []float64, theory float64) {
	e := EstimateThreshold(ps)
	if e.N == 0 {
		return
	}
	g.Mean, g.MeanSE, g.Threshold, g.ThresholdCI, g.Tested = e.Mean, e.MeanSE, e.Value, e.CI, e.Tested
	g.Dev, g.DevCI = e.Deviation(theory)
	g.Z, g.PValue = e.Z(theory)
}

// answerEntropy is the entropy in bits of one answer: log2 V for uniform and
// balanced answers, -sum p_v log2 p_v for Zipf.
func answerEntropy(a model.Answers, v int) float64 {
	if a.Kind != model.Zipf {
		return math.Log2(float64(v))
	}
	z := 0.0
	for k := 1; k <= v; k++ {
		z += math.Pow(float64(k), -a.S)
	}
	h := 0.0
	for k := 1; k <= v; k++ {
		p := math.Pow(float64(k), -a.S) / z
		h -= p * math.Log2(p)
	}
	return h
}

// VocabCurveSummary is P(storable | p) of one (d, V, answers) measured from
// its thresholds, beside the surrogate's kinematic curve.
type VocabCurveSummary struct {
	D       int               `json:"d"`
	V       int               `json:"v"`
	Answers string            `json:"answers"`
	Seeds   int               `json:"seeds"`
	Points  []VocabCurvePoint `json:"points"`
	// Outside counts the p whose prediction lies outside the Wilson 95%
	// interval; MaxDev is the largest |measured - predicted| over p.
	Outside int     `json:"outside_95"`
	MaxDev  float64 `json:"max_abs_dev"`
	// Median is the median p*; Half is the p at which the prediction crosses
	// 1/2 (linear interpolation between integers).
	Median float64 `json:"median_p_star"`
	Half   float64 `json:"predicted_half"`
	// Threshold is mean p* + HalfAssociation, the number compared with Half,
	// and ThresholdCI its 95% Student t interval (VocabGroup.Threshold).
	Threshold   float64        `json:"threshold"`
	ThresholdCI stats.Interval `json:"threshold_ci95"`
	// Width and PredictedWidth are the number of p from the first with P <= 0.9
	// to the first with P <= 0.1, measured and predicted.
	Width          int `json:"width"`
	PredictedWidth int `json:"predicted_width"`
}

// crossing is the first p of pts at which f(pt) <= level (0 if none).
func crossing(pts []VocabCurvePoint, level float64, f func(VocabCurvePoint) float64) int {
	for _, pt := range pts {
		if f(pt) <= level {
			return pt.P
		}
	}
	return 0
}

// SummariseVocabCurves builds the curve of every (d, V, answers) of the
// records, in the order of SummariseVocab. Undecided records are left out (and
// counted by SummariseVocab).
func SummariseVocabCurves(recs []VocabThreshold) ([]VocabCurveSummary, error) {
	groups, err := SummariseVocab(recs)
	if err != nil {
		return nil, err
	}
	var out []VocabCurveSummary
	for _, g := range groups {
		var ps []int
		var pf []float64
		for _, r := range recs {
			if r.D == g.D && r.V == g.V && r.Answers == g.Answers && r.Certified {
				ps = append(ps, r.PStar)
				pf = append(pf, float64(r.PStar))
			}
		}
		c := VocabCurveSummary{D: g.D, V: g.V, Answers: g.Answers, Seeds: len(ps), Median: stats.Median(pf),
			Threshold: g.Threshold, ThresholdCI: g.ThresholdCI}
		top := 0
		for _, p := range ps {
			top = max(top, p)
		}
		preds, err := theory.VocabStorableCurve(g.D, g.V, top+1)
		if err != nil {
			return nil, err
		}
		prev := 1.0
		for p := 1; p <= top+1; p++ {
			k := 0
			for _, ps := range ps {
				if ps >= p {
					k++
				}
			}
			pt := VocabCurvePoint{P: p, Storable: k, CI: stats.Wilson(k, len(ps), 1.959963984540054), Predicted: preds[p-1].Exact}
			if pt.Predicted < pt.CI.Lo || pt.Predicted > pt.CI.Hi {
				c.Outside++
			}
			c.MaxDev = math.Max(c.MaxDev, math.Abs(float64(k)/float64(len(ps))-pt.Predicted))
			if c.Half == 0 && pt.Predicted <= 0.5 && p > 1 {
				c.Half = float64(p-1) + (prev-0.5)/(prev-pt.Predicted)
			}
			prev = pt.Predicted
			c.Points = append(c.Points, pt)
		}
		meas := func(pt VocabCurvePoint) float64 { return float64(pt.Storable) / float64(len(ps)) }
		pred := func(pt VocabCurvePoint) float64 { return pt.Predicted }
		c.Width = crossing(c.Points, 0.1, meas) - crossing(c.Points, 0.9, meas)
		c.PredictedWidth = crossing(c.Points, 0.1, pred) - crossing(c.Points, 0.9, pred)
		out = append(out, c)
	}
	return out, nil
}
