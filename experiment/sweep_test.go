package experiment

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/internal/memlimit"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
	"github.com/lamcap/lamcap/theory"
)

// MainJob is the zero Sweep from seed 1, and its grid is what lamcap capacity
// wrote before settings were typed (grid.json stays the same).
func TestZeroSweepGrid(t *testing.T) {
	if z, m := (Sweep{FirstSeed: MainJobFirstSeed}), MainJob(); !reflect.DeepEqual(z, m) {
		t.Errorf("MainJob() = %+v, want the zero Sweep from seed %d", m, MainJobFirstSeed)
	}
	g, err := MainJob().Grid()
	if err != nil {
		t.Fatal(err)
	}
	want := Grid{Version: GridVersion, Ds: []int{8, 12, 16, 20, 24, 28}, Models: []model.Model{model.Coupled, model.Decoupled},
		SeedFirst: 1, SeedLast: 40, Embedding: model.Gaussian, Rows: lp.Implicit, Solver: "auto", Eps: 1e-6, InitialPer: 2, AddPer: 4}
	if !reflect.DeepEqual(g, want) {
		t.Errorf("grid %+v, want %+v", g, want)
	}
	back, err := g.Sweep()
	if err != nil {
		t.Fatal(err)
	}
	if g2, _ := back.Grid(); !reflect.DeepEqual(g2, g) {
		t.Errorf("grid -> sweep -> grid gave %+v, want %+v", g2, g)
	}
}

// The typed settings reach every unit: the time limit and, at kappa > 0, the
// sweep's eps and solver choices (both were lost when settings were strings).
func TestSettingsReachUnits(t *testing.T) {
	s := Sweep{Ds: []int{5}, Models: []model.Model{model.Coupled}, Seeds: 1, Kappa: 0.5, Eps: 1e-7,
		LP: lp.Options{Method: lp.MethodSimplex, TimeLimit: 7}, Workers: 1}
	var seen []runConfig
	orig := computeUnit
	computeUnit = func(ctx context.Context, cfg runConfig, u Unit, start int) (Record, error) {
		seen = append(seen, cfg)
		return orig(ctx, cfg, u, start)
	}
	defer func() { computeUnit = orig }()
	res, err := Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || len(res.Records) != 1 || !res.Records[0].Certified {
		t.Fatalf("%d units computed, records %+v", len(seen), res.Records)
	}
	c := seen[0]
	if c.lp.TimeLimit != 7 || c.lp.Method != lp.MethodSimplex || c.eps != 1e-7 || c.kappa != 0.5 {
		t.Errorf("unit computed with %+v", c)
	}
}

// Bad settings are errors, not panics.
func TestBadSweep(t *testing.T) {
	userVocab, _ := model.Vocabulary(4, model.Answers{Kind: model.UserAnswers}) // no seed draws user answers
	for _, s := range []Sweep{{Ds: []int{1}}, {Seeds: -1}, {Embedding: model.User}, {Kappa: -1}, {Eps: 2},
		{Shard: 3, Shards: 2}, {Models: []model.Model{userVocab}}, {LP: lp.Options{Method: "nope"}}} {
		if _, err := Run(context.Background(), s); err == nil {
			t.Errorf("%+v: no error", s)
		}
	}
}

// A sweep that cannot fit the memory budget is refused before any unit runs,
// naming what does not fit: the list of its units, or its largest d with its
// workers; a small one passes.
func TestSweepCheckMemory(t *testing.T) {
	t.Setenv(memlimit.EnvVar, "64MiB")
	for _, c := range []struct {
		s    Sweep
		what string
	}{
		{Sweep{Ds: []int{8}, Seeds: 1 << 30}, "a grid of"},
		{Sweep{Ds: []int{8, 64}, Seeds: 2, Workers: 2}, "d=64 with 2 workers"},
	} {
		err := c.s.CheckMemory()
		var tl *memlimit.TooLarge
		if !errors.As(err, &tl) || !strings.Contains(tl.What, c.what) {
			t.Errorf("%+v: got %v, want a refusal naming %q", c.s, err, c.what)
		}
		if _, err := Run(context.Background(), c.s); !errors.As(err, &tl) {
			t.Errorf("%+v: Run did not refuse: %v", c.s, err)
		}
	}
	if err := (Sweep{Ds: []int{8}, Seeds: 3, Workers: 1}).CheckMemory(); err != nil {
		t.Errorf("a small sweep is refused: %v", err)
	}
}

// A grid's units are counted at their measured cost (unitBytes): 10^7 units
// took about 2.2 GB in a sweep, and are refused under a 2 GiB budget (at 64
// bytes a unit they passed it). The listing alone allocates more than 64
// bytes a unit (its append growth), before the shard and the finished set.
func TestSweepCheckMemoryCountsUnitsAtTheirCost(t *testing.T) {
	t.Setenv(memlimit.EnvVar, "2GiB")
	err := (Sweep{Ds: []int{6}, Models: []model.Model{model.Coupled}, Seeds: 10_000_000, Workers: 1}).CheckMemory()
	var tl *memlimit.TooLarge
	if !errors.As(err, &tl) || !strings.Contains(tl.What, "a grid of 10000000 units") {
		t.Errorf("10^7 units under a 2 GiB budget: got %v, want a refusal", err)
	}
	const n = 200_000
	g, err := Sweep{Ds: []int{6}, Models: []model.Model{model.Coupled}, Seeds: n, Workers: 1}.Grid()
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	units := g.Units()
	runtime.ReadMemStats(&after)
	if per := float64(after.TotalAlloc-before.TotalAlloc) / float64(len(units)); len(units) != n || per <= 64 {
		t.Errorf("listing %d units allocated %.0f bytes a unit; want above 64", len(units), per)
	}
}

// The theory curve is cut at curveTails predicted widths of p* from p_c at large
// d (the whole +-0.2 p_c below): what is cut must be 0 or 1 to 1e-9. And the
// curve, computed in parallel, must equal StorableProbability point by point.
func TestTheoryCurveTails(t *testing.T) {
	const d = 48
	pc, err := TheoryPC(d, 0)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := curveRange(pc)
	if lo <= int(0.8*pc) || hi >= int(1.2*pc)+1 {
		t.Fatalf("d = %d: curve range [%d, %d] is not cut inside +-0.2 p_c = %.1f", d, lo, hi, pc)
	}
	first, err := theory.StorableProbability(lo, d*d)
	if err != nil {
		t.Fatal(err)
	}
	last, err := theory.StorableProbability(hi, d*d)
	if err != nil {
		t.Fatal(err)
	}
	if first.Exact < 1-1e-9 || last.Exact > 1e-9 {
		t.Errorf("tails: P(storable | %d) = %g, P(storable | %d) = %g; want 1 and 0 to 1e-9", lo, first.Exact, hi, last.Exact)
	}

	const small = 12
	at, err := predictAtD(small, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	pc, _ = TheoryPC(small, 0)
	if lo, hi = curveRange(pc); lo != int(0.8*pc) || hi != int(1.2*pc)+1 {
		t.Errorf("d = %d: curve range [%d, %d], want the whole +-0.2 p_c", small, lo, hi)
	}
	if len(at.curve) != hi-lo+1 {
		t.Fatalf("d = %d: %d curve points, want %d", small, len(at.curve), hi-lo+1)
	}
	for i, c := range at.curve {
		want, err := theory.StorableProbability(lo+i, small*small)
		if err != nil {
			t.Fatal(err)
		}
		if c.P != lo+i || c.Storable != want.Exact {
			t.Errorf("point %d: p = %d, %g; want p = %d, %g", i, c.P, c.Storable, lo+i, want.Exact)
		}
	}
}

// An interrupted run summarises its finished units without the theory columns,
// which cost seconds to minutes at large d (Slurm kills a cancelled task 30 s
// after SIGTERM); a run that completes has them.
func TestInterruptedRunSkipsTheory(t *testing.T) {
	s := Sweep{Ds: []int{6}, Models: []model.Model{model.Coupled}, Seeds: 2, Workers: 1}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	orig := computeUnit
	computeUnit = func(ctx context.Context, cfg runConfig, u Unit, start int) (Record, error) {
		r, err := orig(ctx, cfg, u, start)
		cancel() // after the first unit: the second is never finished
		return r, err
	}
	defer func() { computeUnit = orig }()
	res, err := Run(ctx, s)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if len(res.Records) != 1 || len(res.Groups) != 1 {
		t.Fatalf("%d records, %d groups; want 1 and 1", len(res.Records), len(res.Groups))
	}
	if g := res.Groups[0]; g.TheoryPC != 0 || len(g.TheoryCurve) != 0 {
		t.Errorf("interrupted run's summary has theory p_c %g and %d curve points; want none", g.TheoryPC, len(g.TheoryCurve))
	}
	computeUnit = orig
	full, err := Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if g := full.Groups[0]; g.TheoryPC <= 0 || len(g.TheoryCurve) == 0 {
		t.Errorf("completed run's summary has theory p_c %g and %d curve points; want both", g.TheoryPC, len(g.TheoryCurve))
	}
}

// A bracketing search is sized for p_c plus bracketSpan widths, not three times
// its start: every exact p* committed at d >= 32 (and the p* + 1 its search had to
// decide) fits inside that size, and the size stays below 1.4 times the start.
func TestSearchPCoversMeasuredThresholds(t *testing.T) {
	recs, err := ReadRecordDirs([]string{"../docs/data/science/d32", "../docs/data/science/d40-48",
		"../docs/data/science/d64", "../docs/data/science/d64b", "../docs/data/science/d96"})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := Sweep{}.withDefaults()
	most := map[int]int{}
	for _, r := range recs {
		if r.Certified {
			most[r.D] = max(most[r.D], r.PStar+1)
		}
	}
	if len(most) < 5 {
		t.Fatalf("records at %d values of d, want 5 (32, 40, 48, 64, 96)", len(most))
	}
	for d, p := range most {
		got := s.searchP(d)
		if got < p {
			t.Errorf("d = %d: a search is sized for p = %d, but p* + 1 = %d was measured", d, got, p)
		}
		if start := feasibility.StartGuess(d); float64(got) > 1.4*float64(start) {
			t.Errorf("d = %d: a search is sized for p = %d, more than 1.4 times its start %d", d, got, start)
		}
	}
}

// A parameterised embedding is named in grid.json by its parameter and reads
// back as the same value, through JSON and through Grid.Sweep.
func TestGridCorrelatedEmbedding(t *testing.T) {
	e, err := model.Correlated(0.2)
	if err != nil {
		t.Fatal(err)
	}
	g, err := Sweep{Ds: []int{8}, Models: []model.Model{model.Coupled}, FirstSeed: 1, Seeds: 3, Embedding: e}.Grid()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"embedding":"correlated:0.2"`) {
		t.Errorf("grid.json %s does not name correlated:0.2", b)
	}
	var back Grid
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	s, err := back.Sweep()
	if err != nil {
		t.Fatal(err)
	}
	if s.Embedding != e || !back.Same(g) {
		t.Errorf("grid.json %s read back as embedding %v", b, s.Embedding)
	}
	if _, err := (Sweep{Embedding: model.User}).Grid(); err == nil {
		t.Error("a sweep of user embeddings gave a grid")
	}
}
