package experiment

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/internal/memlimit"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
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
	want := Grid{Version: GridVersion, Ds: []int{8, 12, 16, 20, 24, 28}, Models: []string{"coupled", "decoupled"},
		SeedFirst: 1, SeedLast: 40, Embedding: "gaussian", Rows: "implicit", Solver: "auto", Eps: 1e-6, InitialPer: 2, AddPer: 4}
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
