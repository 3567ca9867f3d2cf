package experiment

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// streakRun runs the one-unit sweep s into dir through runCheckpointed,
// cancelling it after the cancelAt-th checkpointed verdict (0: never). It
// returns the p of each verdict checkpointed (in a bracketing search every
// verdict moves the bracket, so these are all its verdicts), the
// checkpoint's bytes after each, the unit's record if written, and the
// store's warnings.
func streakRun(t *testing.T, dir string, s Sweep, cancelAt int) (ps []int, files [][]byte, rec *Record, warnings []string) {
	t.Helper()
	path := checkpointPath(t, dir, s)
	err, rec, warnings := runCheckpointed(t, dir, s, func(n, p int, cancel func()) {
		ps = append(ps, p)
		b, _ := os.ReadFile(path)
		files = append(files, b)
		if n == cancelAt {
			cancel()
		}
	})
	if cancelled := cancelAt > 0 && len(ps) >= cancelAt; err != nil && !cancelled {
		t.Fatal(err)
	}
	return ps, files, rec, warnings
}

// streakDir makes a sweep directory for s holding checkpoint as its unit's.
func streakDir(t *testing.T, s Sweep, checkpoint []byte) string {
	t.Helper()
	dir := t.TempDir()
	g, err := s.Grid()
	if err != nil {
		t.Fatal(err)
	}
	gb, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	units, _ := s.Units()
	if err := os.MkdirAll(filepath.Join(dir, PartialDir), 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, GridFile), gb, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, PartialDir, CheckpointName(units[0])), checkpoint, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// streakSolves is the verdict count written into the tampered checkpoints:
// were the streak lost, the search would step 2^streakSolves prior widths
// from the end kept after one more verdict, instead of 2 (128 associations
// at d = 8: cheap
// instances still, and a different path for certain).
const streakSolves = 6

// dropEnd returns the checkpoint b with the end kept ("lower" or "upper")
// intact and the other end's certificate replaced by the kept one's (a
// certificate of the wrong verdict: dropped on resume), its solves set to
// streakSolves.
func dropEnd(t *testing.T, b []byte, kept string) []byte {
	t.Helper()
	var f map[string]any
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	other := map[string]string{"lower": "upper", "upper": "lower"}[kept]
	f[other].(map[string]any)["certificate"] = f[kept].(map[string]any)["certificate"]
	f["solves"] = streakSolves
	out, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// craftCheckpoint returns the checkpoint of s's one unit with a storable end
// at lower and a not-storable one at upper, made by the checkpoint's own code
// (unitCheckpoint.verdict) from verdicts decided there, as a search would
// have made them.
func craftCheckpoint(t *testing.T, s Sweep, src model.Source, lower, upper int) []byte {
	t.Helper()
	ctx := context.Background()
	g, err := s.Grid()
	if err != nil {
		t.Fatal(err)
	}
	units, _ := s.Units()
	cks := &checkpoints{dir: filepath.Join(t.TempDir(), PartialDir), grid: g, warn: func(msg string) { t.Error(msg) }}
	ck, err := cks.start(ctx, units[0], src, g.Embedding, nil, g.Eps)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		p    int
		want feasibility.Status
	}{{lower, feasibility.Storable}, {upper, feasibility.NotStorable}} {
		in, err := model.NewInstanceContext(ctx, src, c.p)
		if err != nil {
			t.Fatal(err)
		}
		v, err := feasibility.Decide(ctx, lp.NewSolver(in, lp.Options{Method: lp.MethodIPM, Eps: g.Eps}), g.Eps)
		if err != nil || v.Status != c.want || !v.Certified {
			t.Fatalf("p = %d: %s (certified %v), want %s: %v", c.p, v.Status, v.Certified, c.want, err)
		}
		ck.verdict(in, v, nil)
	}
	b, err := os.ReadFile(cks.path(units[0]))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A unit resumed from a checkpoint that loses one end steps from the end
// kept as if its verdict were the only one (feasibility.Known.Streak = 1).
// Interrupted again after one more verdict on that end and resumed, it must
// go on as the once-resumed search does: the checkpoint keeps the streak
// (2), instead of the second resume stepping as if all the checkpoint's
// verdicts had been on the end kept (2^(solves-1) prior widths away: p = 151
// instead of 27 here), which takes another path. The case is made to order: a
// storable end a few widths below p* (at most the prior's centre, where the
// search's first step from it lands), a not-storable end at p* + 1 whose
// certificate is replaced (dropped on resume).
func TestCheckpointStreakAfterDrop(t *testing.T) {
	ctx := context.Background()
	var s Sweep
	var src model.Source
	var pstar, lower int
	for seed := int64(1); seed <= 12 && src == nil; seed++ {
		s = Sweep{Ds: []int{8}, Models: []model.Model{model.Coupled}, FirstSeed: seed, Seeds: 1, LP: lp.Options{Method: lp.MethodIPM}, Workers: 1}
		g, err := s.Grid()
		if err != nil {
			t.Fatal(err)
		}
		rs := model.Random{D: 8, Seed: uint64(seed), Kind: model.Coupled, Embed: g.Embedding}
		th, err := feasibility.FindThreshold(ctx, rs, feasibility.ThresholdOptions{LP: lp.Options{Method: lp.MethodIPM}, Eps: g.Eps})
		if err != nil || !th.Certified {
			t.Fatal(err, th.Note)
		}
		// From a storable end at lower the search's first step lands at
		// max(lower + width, centre): on the storable side when the centre is
		// at most p*.
		pr := feasibility.PriorOf(rs)
		w, centre := int(math.Ceil(pr.Width)), int(math.Round(pr.Center))
		if centre <= th.PStar {
			src, pstar, lower = rs, th.PStar, min(centre, th.PStar)-2*w
		}
	}
	if src == nil {
		t.Fatal("no seed 1..12 at d = 8 has p* at or above the prior's centre")
	}
	cp := dropEnd(t, craftCheckpoint(t, s, src, lower, pstar+1), "lower")

	once, _, rec1, warn := streakRun(t, streakDir(t, s, cp), s, 0)
	if rec1 == nil || rec1.PStar != pstar || len(warn) != 1 || !strings.Contains(warn[0], "dropped the not-storable end") {
		t.Fatalf("resume after a drop: record %+v, warnings %q", rec1, warn)
	}
	if len(once) < 2 || once[0] > pstar {
		t.Fatalf("resumed once from storable at %d: verdicts at %v (p* %d), want a storable one first and more after", lower, once, pstar)
	}
	dir := streakDir(t, s, cp)
	first, after, _, _ := streakRun(t, dir, s, 1)
	var mid map[string]any // not checkpointFile: the test compiles without its Streak
	if len(after) != 1 || json.Unmarshal(after[0], &mid) != nil || mid["streak"] != 2.0 {
		t.Errorf("the checkpoint after one more verdict on the end kept has streak %v, want 2", mid["streak"])
	}
	rest, _, rec2, warn := streakRun(t, dir, s, 0)
	if len(warn) != 0 {
		t.Errorf("second resume: warnings %q", warn)
	}
	if got := append(first, rest...); !slices.Equal(got, once) {
		t.Errorf("storable end at %d kept: resumed twice, verdicts at p = %v; resumed once, %v", lower, got, once)
	}
	if rec2 == nil || rec2.PStar != rec1.PStar || rec2.Solves != rec1.Solves || rec2.Iterations != rec1.Iterations ||
		rec2.Certificates == nil || *rec2.Certificates != *rec1.Certificates {
		t.Errorf("record resumed twice %+v, once %+v", rec2, rec1)
	}
	t.Logf("p* %d, storable end kept at %d: verdicts %v once, %v + %v twice", pstar, lower, once, first, rest)
}
