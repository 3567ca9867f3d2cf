package experiment

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/internal/memlimit"
	"github.com/lamcap/lamcap/internal/ranges"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
	"github.com/lamcap/lamcap/theory"
)

// Sweep is a sweep's settings: what it computes (the critical size p* of every
// (d, model, seed)) and how. The zero value of every field means its default;
// the zero Sweep is the main job's grid from seed 0. MainJob is the main job
// itself (`lamcap capacity`, `make run`): the same grid from seed 1.
type Sweep struct {
	// Ds are the dimensions (default 8, 12, ..., 28). Each must be >= 2.
	Ds []int
	// Models are the competitor models (default coupled and decoupled). Their
	// order does not matter.
	Models []model.Model
	// FirstSeed and Seeds give the seeds FirstSeed, ..., FirstSeed+Seeds-1
	// (Seeds default 40).
	FirstSeed int64
	Seeds     int
	// Embedding is the distribution of the vectors (default Gaussian). The
	// User embedding goes with Data.
	Embedding model.Embedding
	// Data, if set, are the user's arrays (Embedding model.User): one
	// instance family, so one unit, of their d, the coupled model and one
	// seed (Ds, Models and Seeds default to those, and may be nothing else;
	// Kappa must be 0). grid.json names the files by path and SHA-256.
	Data *UserData
	// Kappa > 0 asks for the largest p storable with margin kappa
	// (unit-variance normalisation, certified max-margin values), not kappa = 0.
	Kappa float64
	// DigestsOnly keeps only the certificates' digests (Grid.DigestsOnly).
	DigestsOnly bool
	// At, if set, makes the sweep a verdict sweep (Grid.At): instead of a p*,
	// one certified verdict per unit at the p fixed here for its (d, model),
	// one point for each. Kappa must be 0 and Data nil.
	At []VerdictPoint
	// Eps is the not-storable tolerance (default feasibility.DefaultEps).
	Eps float64
	// LP are the solver's choices (zero value: lp's defaults, Auto solver). They
	// say how, not what, a sweep computes: a stored sweep resumes under other
	// choices. LP.Eps is ignored (Eps is the sweep's).
	LP lp.Options
	// Workers is the number of units computed at once (default runtime.NumCPU()).
	Workers int
	// Shard and Shards (1 <= Shard <= Shards) run only the Shard-th of Shards
	// deterministic slices of the units (see ShardUnits); zero: every unit.
	Shard, Shards int
	// Progress, if set, is called after each finished unit with the units done
	// and in all, and the fraction of the expected work done (units weighted
	// by UnitCost).
	Progress func(done, total int, workDone float64)
}

// Default settings of a Sweep.
const (
	DefaultSeeds = 40
)

// MainJobFirstSeed is the first seed of the main job: `lamcap capacity` and
// every --seeds N flag (meaning 1..N) count seeds from 1.
const MainJobFirstSeed = 1

// MainJob returns the main job of lamcap, what `lamcap capacity` (and
// `make run`) runs: the zero Sweep's defaults (DefaultDs, coupled and
// decoupled, DefaultSeeds seeds) from seed MainJobFirstSeed, so seeds 1..40.
func MainJob() Sweep { return Sweep{FirstSeed: MainJobFirstSeed} }

// DefaultDs are the dimensions of the zero Sweep.
var DefaultDs = []int{8, 12, 16, 20, 24, 28}

// withDefaults fills in the defaults and checks the settings.
func (s Sweep) withDefaults() (Sweep, error) {
	if err := s.userDefaults(); err != nil {
		return s, err
	}
	if len(s.Ds) == 0 {
		s.Ds = DefaultDs
	}
	if len(s.Models) == 0 {
		s.Models = []model.Model{model.Coupled, model.Decoupled}
	}
	if s.Seeds == 0 {
		s.Seeds = DefaultSeeds
	}
	if s.Eps == 0 {
		s.Eps = feasibility.DefaultEps
	}
	if s.Workers == 0 {
		s.Workers = runtime.NumCPU()
	}
	if s.LP.Method == "" {
		s.LP.Method = lp.Auto
	}
	if s.LP.InitialPerMu == 0 {
		s.LP.InitialPerMu = lp.DefaultInitialPerMu
	}
	if s.LP.AddPerMu == 0 {
		s.LP.AddPerMu = lp.DefaultAddPerMu
	}
	for _, d := range s.Ds {
		if d < 2 {
			return s, fmt.Errorf("sweep: every d must be at least 2, got %d", d)
		}
	}
	for _, m := range s.Models {
		if m != model.Coupled && m != model.Decoupled && !(m.IsVocabulary() && m.Answers().Kind != model.UserAnswers) {
			return s, fmt.Errorf("sweep: model %v cannot be drawn from a seed", m)
		}
	}
	switch {
	case s.Seeds < 0 || s.FirstSeed < 0:
		return s, fmt.Errorf("sweep: want seeds >= 0 and a count >= 1, got %d from %d", s.Seeds, s.FirstSeed)
	case s.FirstSeed > ranges.MaxSeed-int64(s.Seeds)+1:
		return s, fmt.Errorf("sweep: %d seeds from %d go beyond the largest seed, %d", s.Seeds, s.FirstSeed, int64(ranges.MaxSeed))
	case !s.Embedding.Seeded() && s.Data == nil:
		return s, fmt.Errorf("sweep: embedding %v cannot be drawn from a seed", s.Embedding)
	case !(s.Kappa >= 0) || s.Kappa > theory.MaxKappa:
		return s, fmt.Errorf("sweep: kappa must be in [0, %g], got %v", theory.MaxKappa, s.Kappa)
	case !(s.Eps > 0) || s.Eps >= 1:
		return s, fmt.Errorf("sweep: eps must be in (0, 1), got %v", s.Eps)
	case s.Workers < 0:
		return s, fmt.Errorf("sweep: workers must be >= 1, got %d", s.Workers)
	case s.Shards < 0 || s.Shards > 0 && (s.Shard < 1 || s.Shard > s.Shards) || s.Shards == 0 && s.Shard != 0:
		return s, fmt.Errorf("sweep: want shard K of N with 1 <= K <= N, got %d of %d", s.Shard, s.Shards)
	}
	if _, err := lp.ParseMethod(string(s.LP.Method)); err != nil {
		return s, fmt.Errorf("sweep: %w", err)
	}
	if len(s.At) > 0 {
		g := Grid{Ds: s.Ds, Models: s.Models, Kappa: s.Kappa, At: s.At}
		if s.Data != nil {
			g.Inputs = &s.Data.Inputs
		}
		if err := g.checkAt(); err != nil {
			return s, fmt.Errorf("sweep: %w", err)
		}
	}
	return s, nil
}

// userDefaults fills in and checks the settings of a sweep on user data.
func (s *Sweep) userDefaults() error {
	if s.Data == nil {
		if s.Embedding == model.User {
			return fmt.Errorf("sweep: the user embedding needs its arrays (Data, LoadUserData)")
		}
		return nil
	}
	if s.Embedding != model.Gaussian && s.Embedding != model.User {
		return fmt.Errorf("sweep: embedding %v with user data", s.Embedding)
	}
	d := s.Data.Source().Dim()
	s.Embedding = model.User
	if len(s.Ds) == 0 {
		s.Ds = []int{d}
	}
	if len(s.Models) == 0 {
		s.Models = []model.Model{model.Coupled}
	}
	if s.Seeds == 0 {
		s.Seeds = 1
	}
	switch {
	case len(s.Ds) != 1 || s.Ds[0] != d:
		return fmt.Errorf("sweep: the user's arrays (%s) have d = %d, the sweep asks for d = %v", s.Data.Inputs.Path, d, s.Ds)
	case len(s.Models) != 1 || s.Models[0] != model.Coupled:
		return fmt.Errorf("sweep: user data define the coupled model only, not %v", s.Models)
	case s.Seeds != 1:
		return fmt.Errorf("sweep: user data are one instance family, not %d seeds", s.Seeds)
	case s.Kappa != 0:
		return fmt.Errorf("sweep: kappa > 0 is for embeddings drawn from seeds, not user data")
	}
	return nil
}

// unitBytes is what each unit of a grid costs while the grid is listed: the
// list (a 48-byte Unit, grown by append), its shard, the set of finished
// units. Measured: lamcap sweep --d 6 --seeds 2000000 --model coupled peaked
// at 449 MB, 225 B a unit; 64 let --seeds 100000000 past a 21 GB budget into
// the kernel's out-of-memory killer at 18.5 GB.
const unitBytes = 256

// searchSpan is how far above its start a warm threshold search (one that grows
// an instance: the simplex, HiGHS) is sized for: it rarely visits p beyond twice
// its start, so three times leaves room.
const searchSpan = 3

// bracketSpan is how many predicted widths of p* above the prior's p_c (raised
// by bracketExcess, the most a model's measured p* sits above it) a bracketing
// search (the interior-point method's) is sized for. Its first verdict lands at
// the prior's centre and its steps grow from one width; a search that goes
// further is refused by the solver's own check before it allocates (lp), with
// the finished units saved. Sized at three times the start, d = 128 asked for
// 36 GiB, where a search needs about 9.
const bracketSpan = 8

// bracketExcess is the largest relative excess of a model's p* over the
// finite-size p_c: the coupled model's p_c (1 + 0.078/ln d) at d = 8.
const bracketExcess = 0.05

// searchP is the largest p a threshold search at d is sized for (CheckMemory).
func (s Sweep) searchP(d int) int {
	if len(s.At) > 0 { // a verdict sweep decides one p per (d, model)
		p := 0
		for _, a := range s.At {
			if a.D == d {
				p = max(p, a.P)
			}
		}
		return p
	}
	if c, ok := s.LP.Method.For(d, s.LP.Rows).Capabilities(); ok && !c.WarmGrowth {
		pr := feasibility.PriorFor(d * d)
		return int(math.Ceil((1+bracketExcess)*pr.PC + bracketSpan*pr.Width))
	}
	return searchSpan * feasibility.StartGuess(d)
}

// CheckMemory refuses, before anything is allocated, a sweep that cannot fit
// the memory budget (package memlimit): a grid whose list of units alone is too
// large, or a d at which Workers searches at once need more than the budget
// (each sized by lp.MemoryEstimate at the largest p its search is expected to
// visit, searchP). The error
// is a *memlimit.TooLarge naming what does not fit. Run and RunStore call it.
func (s Sweep) CheckMemory() error {
	s, err := s.withDefaults()
	if err != nil {
		return err
	}
	n := memlimit.Mul(int64(len(s.Ds)), int64(len(s.Models)), int64(s.Seeds))
	if err := memlimit.Check(fmt.Sprintf("a grid of %d units", n), memlimit.Mul(n, unitBytes)); err != nil {
		return err
	}
	for _, d := range s.Ds {
		// The decoupled model's p x p competitors make it the largest at a
		// given p, but for a vocabulary model of V far above p, whose margin
		// arrays are p x V.
		one := lp.MemoryEstimate(d, s.searchP(d), model.Decoupled, false, s.LP)
		for _, m := range s.Models {
			one = max(one, lp.MemoryEstimate(d, s.searchP(d), m, false, s.LP))
		}
		if err := memlimit.Check(fmt.Sprintf("d=%d with %d workers", d, s.Workers), memlimit.Mul(int64(s.Workers), one)); err != nil {
			return err
		}
	}
	return nil
}

// Grid is the on-disk form of the sweep's settings (grid.json). Grids compare
// with Grid.Same.
func (s Sweep) Grid() (Grid, error) {
	s, err := s.withDefaults()
	if err != nil {
		return Grid{}, err
	}
	g := Grid{Version: GridVersion, Ds: slices.Clone(s.Ds), Models: slices.Clone(s.Models), SeedFirst: s.FirstSeed, SeedLast: s.FirstSeed + int64(s.Seeds) - 1,
		Embedding: s.Embedding, Rows: s.LP.Rows, Solver: s.LP.Method, Eps: s.Eps,
		InitialPer: s.LP.InitialPerMu, AddPer: s.LP.AddPerMu, Kappa: s.Kappa, DigestsOnly: s.DigestsOnly, At: canonicalAt(s.At)}
	if u := s.Data; u != nil {
		in, tg := u.Inputs, u.Targets
		g.Inputs, g.Targets, g.Layout = &in, &tg, u.Layout
	}
	return g, nil
}

// Units lists the units the sweep computes: those of its grid, or of its shard.
func (s Sweep) Units() ([]Unit, error) {
	g, err := s.Grid()
	if err != nil {
		return nil, err
	}
	units := g.Units()
	if s.Shards > 0 {
		units = Shard(units, s.Shard, s.Shards)
	}
	return units, nil
}

// config is how each unit is computed, with the search's start: at kappa = 0
// each search starts from its own theory prior; at kappa > 0 just below the
// finite-size p_c(d, kappa), computed once per d.
func (s Sweep) config() (runConfig, error) {
	cfg := runConfig{embed: s.Embedding, user: s.Data, kappa: s.Kappa, eps: s.Eps, lp: s.LP}
	if len(s.At) > 0 {
		cfg.at = map[unitKey]int{}
		for _, a := range s.At {
			cfg.at[unitKey{a.D, a.Model}] = a.P
		}
	}
	if s.Kappa > 0 {
		startAt := map[int]int{}
		for _, d := range s.Ds {
			pc, err := TheoryPC(d, s.Kappa)
			if err != nil {
				return cfg, fmt.Errorf("sweep: the search's start: %w", err)
			}
			startAt[d] = int(0.9 * pc)
		}
		cfg.start = func(u Unit) int { return startAt[u.D] }
	}
	return cfg, nil
}

// Result is what a sweep found: its grid, a record per finished unit, and per
// (d, model) the summary with the finite-size theory beside it.
type Result struct {
	Grid    Grid
	Records []Record
	Groups  []GroupSummary
	// Verdicts are the verdict counts per (d, model) of a verdict sweep
	// (Grid.At), which has no Groups.
	Verdicts []VerdictGroup
	// AsWritten counts the Records no certificate re-checked when they were
	// read (Record.TakenAsWritten: records of a version 1 directory, or of a
	// digests-only one whose certificates are not there): their p* is taken
	// as written. Merge sets it; Run and RunStore leave it 0 (a resumed
	// store counts them in Store.Uncertified).
	AsWritten int
}

// Run computes the sweep in memory and returns its result. On an error or a
// cancellation it returns the result of the units finished so far with the
// error; after a cancellation the summaries have no theory columns (summarise).
func Run(ctx context.Context, s Sweep) (Result, error) {
	s, err := s.withDefaults()
	if err != nil {
		return Result{}, err
	}
	if err := s.CheckMemory(); err != nil {
		return Result{}, err
	}
	g, _ := s.Grid()
	units, _ := s.Units()
	cfg, err := s.config()
	if err != nil {
		return Result{}, err
	}
	mem := &memory{recordSet{records: map[Unit]Record{}}}
	err = runUnits(ctx, mem, units, cfg, s.Workers, s.Progress)
	recs := mem.Records()
	if g.IsVerdicts() {
		return Result{Grid: g, Records: recs, Verdicts: SummariseVerdicts(recs, g)}, err
	}
	groups, terr := summarise(ctx, recs, s.Kappa)
	if err == nil {
		err = terr // the run's own error comes first
	}
	return Result{Grid: g, Records: recs, Groups: groups}, err
}

// summarise is SummariseWithTheory, or Summarise alone once ctx is done: the
// theory curve costs seconds to minutes at large d, and an interrupted run must
// stop at once (Slurm kills a cancelled task 30 s after its SIGTERM by default),
// so an interrupted run's summary has no theory columns until the run resumes.
func summarise(ctx context.Context, recs []Record, kappa float64) ([]GroupSummary, error) {
	if ctx.Err() != nil {
		return Summarise(recs), nil
	}
	return SummariseWithTheory(recs, kappa)
}

// RunStore computes the units of the sweep that the store does not have yet,
// appending each durably as it finishes (see Store), and returns the result of
// every record the store holds. The store must hold the sweep's grid
// (Grid.Same); its solver choices may differ from the sweep's. After a
// cancellation the summaries have no theory columns (summarise).
func RunStore(ctx context.Context, st *Store, s Sweep) (Result, error) {
	err := runOnStoreSettings(ctx, st, s)
	recs := st.Records()
	if st.Grid.IsVerdicts() {
		return Result{Grid: st.Grid, Records: recs, Verdicts: SummariseVerdicts(recs, st.Grid)}, err
	}
	groups, terr := summarise(ctx, recs, st.Grid.Kappa)
	if err == nil {
		err = terr // the run's own error comes first
	}
	return Result{Grid: st.Grid, Records: recs, Groups: groups}, err
}

func runOnStoreSettings(ctx context.Context, st *Store, s Sweep) error {
	s, err := s.withDefaults()
	if err != nil {
		return err
	}
	if err := s.CheckMemory(); err != nil {
		return err
	}
	g, _ := s.Grid()
	if !st.Grid.Same(g) {
		return errors.New("sweep: the store holds another grid")
	}
	units, _ := s.Units()
	cfg, err := s.config()
	if err != nil {
		return err
	}
	return runUnits(ctx, st, units, cfg, s.Workers, s.Progress)
}

// Sweep returns the settings a grid was written from. Their solver choices are
// the grid's; Workers, Shard and Progress are left zero, and so is the Data
// of a user embedding (LoadUserData reads the files the grid names).
func (g Grid) Sweep() (Sweep, error) {
	s := Sweep{Ds: slices.Clone(g.Ds), Models: slices.Clone(g.Models), FirstSeed: g.SeedFirst, Seeds: int(g.SeedLast - g.SeedFirst + 1),
		Embedding: g.Embedding, Kappa: g.Kappa, Eps: g.Eps, DigestsOnly: g.DigestsOnly, At: canonicalAt(g.At)}
	s.LP.Rows = g.Rows
	var err error
	if s.LP.Method, err = lp.ParseMethod(string(g.Solver)); err != nil {
		return s, err
	}
	s.LP.InitialPerMu, s.LP.AddPerMu = g.InitialPer, g.AddPer
	if g.SeedLast < g.SeedFirst {
		return s, fmt.Errorf("grid: seeds %d:%d", g.SeedFirst, g.SeedLast)
	}
	return s, nil
}

// TheoryNote says which theory SummariseWithTheory sets beside the records of
// grid g, in one line for the foot of a summary table: the paper's Gaussian
// surrogate, the vocabulary surrogate for vocabulary models, or none for
// embeddings it does not describe.
func TheoryNote(g Grid) string {
	if !g.Embedding.Independent() {
		return fmt.Sprintf("theory: none for %s vectors (the Gaussian surrogate assumes independent isotropic ones)", g.Embedding)
	}
	which := "the Gaussian surrogate"
	for _, m := range g.Models {
		if m.IsVocabulary() {
			which += " (its vocabulary form p_c(d, V) for vocabulary models)"
			break
		}
	}
	note := "theory: finite-size Gardner prediction of " + which + " (lamcap theory)"
	if g.Embedding == model.Sphere {
		note += ", for Gaussian vectors (sphere vectors store more at finite d: docs/margins.md)"
	}
	return note + "; dev = (mean p* + 1/2 - theory) / theory"
}

// SummariseWithTheory summarises records by (d, model) (Summarise) and adds,
// per d and model, the finite-size p_c at kappa and, at kappa = 0, the
// predicted P(storable | p) over the measured range: the paper's (TheoryPC,
// theory.StorableProbability) for the coupled and decoupled models, the
// vocabulary surrogate's (theory.VocabCriticalP and VocabStorableCurve, what
// lamcap theory --vocab V prints) for a vocabulary model, which has no
// prediction at kappa > 0 (left zero). Groups with a record of an embedding
// the surrogate does not describe (model.Embedding.Independent: correlated
// vectors, user data) get no prediction either. A prediction that cannot be
// computed is an error (the summaries are returned without it).
func SummariseWithTheory(recs []Record, kappa float64) ([]GroupSummary, error) {
	sum := Summarise(recs)
	type key struct {
		d int
		m model.Model
	}
	dependent := map[key]bool{}
	for _, r := range recs {
		if !r.Embedding.Independent() {
			dependent[key{r.D, r.Model}] = true
		}
	}
	cache := map[key]theoryAtD{}
	for i := range sum {
		g := &sum[i]
		m := g.model
		k := key{g.D, m}
		if dependent[k] {
			continue
		}
		t, ok := cache[k]
		if !ok {
			var err error
			if m.IsVocabulary() {
				t, err = predictVocabAtD(g.D, m.Vocab(), g.Curve, kappa)
			} else {
				t, err = predictAtD(g.D, g.Curve, kappa)
			}
			if err != nil {
				return sum, err
			}
			cache[k] = t
		}
		g.TheoryPC, g.TheoryCurve = t.pc, t.curve
	}
	return sum, nil
}

// predictVocabAtD is predictAtD for the vocabulary model with v words: its
// surrogate's p_c(d, V) and curve, at kappa = 0 only (none at kappa > 0).
func predictVocabAtD(d, v int, measured []MeasuredPoint, kappa float64) (theoryAtD, error) {
	var t theoryAtD
	if kappa > 0 {
		return t, nil
	}
	pc, _, err := theory.VocabCriticalP(d, v)
	if err != nil {
		return t, fmt.Errorf("vocabulary p_c at d=%d, V=%d: %w", d, v, err)
	}
	t.pc = pc
	lo, hi := int(0.8*pc), int(1.2*pc)+1
	if len(measured) > 0 {
		lo, hi = min(lo, measured[0].P), max(hi, measured[len(measured)-1].P)
	}
	curve, err := theory.VocabStorableCurve(d, v, hi)
	if err != nil {
		return t, fmt.Errorf("vocabulary P(storable | p) at d=%d, V=%d: %w", d, v, err)
	}
	for _, c := range curve[max(lo, 2)-1:] {
		t.curve = append(t.curve, TheoryPoint{P: c.P, Storable: c.Exact})
	}
	return t, nil
}

type theoryAtD struct {
	pc    float64
	curve []TheoryPoint
}

func predictAtD(d int, measured []MeasuredPoint, kappa float64) (theoryAtD, error) {
	var t theoryAtD
	pc, err := TheoryPC(d, kappa)
	if err != nil {
		return t, err
	}
	t.pc = pc
	if kappa > 0 { // the whole-curve prediction is for kappa = 0 only
		return t, nil
	}
	lo, hi := curveRange(pc)
	if len(measured) > 0 {
		lo, hi = min(lo, measured[0].P), max(hi, measured[len(measured)-1].P)
	}
	lo = max(lo, 2)
	if hi < lo {
		return t, nil
	}
	curve := make([]TheoryPoint, hi-lo+1)
	errs := make([]error, len(curve))
	// Each point is an FFT of the p-fold convolution (0.2 s at d = 96), and the
	// points are independent: they are spread over the cores.
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				p := lo + i
				c, err := theory.StorableProbability(p, d*d)
				if err != nil {
					errs[i] = fmt.Errorf("P(storable | p=%d) at d=%d: %w", p, d, err)
					continue
				}
				curve[i] = TheoryPoint{P: p, Storable: c.Exact}
			}
		}()
	}
	for i := range curve {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return t, err
	}
	t.curve = curve
	return t, nil
}

// curveTails is how many predicted widths of p* (theory.Width) the theory curve
// reaches on each side of p_c: beyond it P(storable | p) is 0 or 1 to 1e-15.
const curveTails = 8

// curveSpan is the widest the theory curve reaches on each side of p_c, as a
// fraction of p_c (the whole curve at small d, where 8 widths exceed it).
const curveSpan = 0.2

// curveRange is the range of p where the theory curve is drawn: p_c plus or minus
// curveTails widths, at most curveSpan p_c. At d = 96 that is about a sixth of the
// points of +-0.2 p_c, which cost minutes.
func curveRange(pc float64) (lo, hi int) {
	if w, err := theory.Width(pc); err == nil && w > 0 && curveTails*w < curveSpan*pc {
		return int(pc - curveTails*w), int(pc+curveTails*w) + 1
	}
	return int((1 - curveSpan) * pc), int((1+curveSpan)*pc) + 1
}

// TheoryPC is the finite-size prediction p_c(d, kappa) of theory.CriticalP for
// a d x d memory. It is the one way experiment and cmd ask for a prediction,
// and its error policy is theirs: an error is returned, wrapped with d and
// kappa, never replaced by a stand-in value.
func TheoryPC(d int, kappa float64) (float64, error) {
	pc, err := theory.CriticalP(float64(d*d), kappa)
	if err != nil {
		return 0, fmt.Errorf("finite-size p_c at d=%d, kappa=%g: %w", d, kappa, err)
	}
	return pc, nil
}

// DefaultStudyP is the size at which the mechanism studies look at the
// memories when none is given: DefaultLoad times the finite-size p_c, at least 2.
func DefaultStudyP(d int) (int, error) {
	pc, err := TheoryPC(d, 0)
	if err != nil {
		return 0, err
	}
	return studyP(DefaultLoad, pc), nil
}

// studyP is the size of a study at fraction of p_c pc: at least 2.
func studyP(fraction, pc float64) int { return max(2, int(fraction*pc)) }
