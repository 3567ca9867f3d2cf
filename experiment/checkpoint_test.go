package experiment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// checkpointSweep is a one-unit interior-point sweep at d = 8 whose bracketing
// search takes at least four verdicts (found, not assumed: the test fails if
// none of the seeds tried does).
func checkpointSweep(t *testing.T) (Sweep, int) {
	t.Helper()
	for seed := int64(1); seed <= 20; seed++ {
		src := model.Random{D: 8, Seed: uint64(seed), Kind: model.Coupled}
		th, err := feasibility.FindThreshold(context.Background(), src, feasibility.ThresholdOptions{LP: lp.Options{Method: lp.MethodIPM}})
		if err != nil {
			t.Fatal(err)
		}
		if th.Certified && th.Solves >= 4 {
			return Sweep{Ds: []int{8}, Models: []model.Model{model.Coupled}, FirstSeed: seed, Seeds: 1,
				LP: lp.Options{Method: lp.MethodIPM}, Workers: 1}, th.Solves
		}
	}
	t.Fatal("no seed 1..20 at d = 8 takes four verdicts")
	return Sweep{}, 0
}

// checkpointRef is the checkpoint tests' shared reference: the sweep of
// checkpointSweep, its uninterrupted record, and its checkpoint file as it
// stood after each verdict (snaps[n-1] after verdict n), which is the file a
// run stopped after verdict n leaves (checkpointHook runs after the write,
// and a cancelled run writes nothing more: TestCheckpointResume checks it).
// It is made once per test binary: each test used to search the seed and
// rerun the reference itself (issue #19, make test's CPU budget).
type checkpointRef struct {
	s        Sweep
	verdicts int
	ref      Record
	snaps    [][]byte
}

var cpRef struct {
	sync.Mutex
	r *checkpointRef
}

// checkpointFixture returns the shared checkpointRef, making it on first use
// (a failure fails the test that asked and leaves nothing cached).
func checkpointFixture(t *testing.T) *checkpointRef {
	t.Helper()
	cpRef.Lock()
	defer cpRef.Unlock()
	if cpRef.r == nil {
		s, verdicts := checkpointSweep(t)
		dir := t.TempDir()
		err, ref, snaps := runSnapshots(t, dir, s)
		if err != nil || ref == nil {
			t.Fatal(err, ref)
		}
		if ref.Solves != verdicts || len(snaps) != verdicts || exists(checkpointPath(t, dir, s)) {
			t.Fatalf("uninterrupted: %d solves and %d checkpoints (want %d), checkpoint left: %v", ref.Solves, len(snaps), verdicts, exists(checkpointPath(t, dir, s)))
		}
		cpRef.r = &checkpointRef{s: s, verdicts: verdicts, ref: *ref, snaps: snaps}
	}
	return cpRef.r
}

// runSnapshots runs s, uninterrupted, into dir and returns the run's error,
// the unit's record and the checkpoint file's bytes after each verdict.
func runSnapshots(t *testing.T, dir string, s Sweep) (error, *Record, [][]byte) {
	t.Helper()
	var snaps [][]byte
	err, rec, _ := runCheckpointed(t, dir, s, func(n, p int, cancel func()) {
		b, err := os.ReadFile(checkpointPath(t, dir, s))
		if err != nil {
			t.Fatalf("no checkpoint after verdict %d: %v", n, err)
		}
		snaps = append(snaps, b)
	})
	return err, rec, snaps
}

// fromSnapshot returns a new sweep folder for s holding its grid and the
// checkpoint snap, as a run of s stopped at that checkpoint leaves it.
func fromSnapshot(t *testing.T, s Sweep, snap []byte) string {
	t.Helper()
	dir := t.TempDir()
	g, err := s.Grid()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, PartialDir), 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, GridFile), mustJSON(g), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(checkpointPath(t, dir, s), snap, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// sameCheckpoint reports whether two checkpoint files hold the same JSON
// but for their "seconds" fields (wall-clock time, the one thing a run
// stopped at a verdict may not share with an uninterrupted one).
func sameCheckpoint(t *testing.T, a, b []byte) bool {
	t.Helper()
	var strip func(v any) any
	strip = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			delete(x, "seconds")
			for k, e := range x {
				x[k] = strip(e)
			}
		case []any:
			for i, e := range x {
				x[i] = strip(e)
			}
		}
		return v
	}
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(strip(va), strip(vb))
}

// runCheckpointed runs s into dir, calling hook after each checkpointed
// verdict with the number of verdicts so far and a cancel function; it
// returns the run's error, the record of the unit (if written) and the
// warnings the store gave.
func runCheckpointed(t *testing.T, dir string, s Sweep, hook func(n int, p int, cancel func())) (error, *Record, []string) {
	t.Helper()
	g, err := s.Grid()
	if err != nil {
		t.Fatal(err)
	}
	st, err := OpenStore(dir, g)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var warnings []string
	st.Warn = func(msg string) { warnings = append(warnings, msg) }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	checkpointHook = func(u Unit, p int, v feasibility.Verdict) {
		n++
		if hook != nil {
			hook(n, p, cancel)
		}
	}
	defer func() { checkpointHook = nil }()
	_, err = RunStore(ctx, st, s)
	recs := st.Records()
	if len(recs) == 0 {
		return err, nil, warnings
	}
	return err, &recs[0], warnings
}

func checkpointPath(t *testing.T, dir string, s Sweep) string {
	units, err := s.Units()
	if err != nil || len(units) != 1 {
		t.Fatal(err, units)
	}
	return filepath.Join(dir, PartialDir, CheckpointName(units[0]))
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// sameRecord compares what a resumed unit must reproduce: the bracket, the
// certificates (by digest) and the counts of the whole search.
func sameRecord(t *testing.T, what string, got, want *Record) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: no record", what)
	}
	if got.PStar != want.PStar || got.Lower != want.Lower || got.Upper != want.Upper || !got.Certified {
		t.Errorf("%s: p* %d in [%d, %d] (certified %v), want %d in [%d, %d]", what, got.PStar, got.Lower, got.Upper, got.Certified, want.PStar, want.Lower, want.Upper)
	}
	if got.Certificates == nil || *got.Certificates != *want.Certificates {
		t.Errorf("%s: certificates %+v, want %+v", what, got.Certificates, want.Certificates)
	}
	if got.Solves != want.Solves || got.Iterations != want.Iterations || got.MinMargin != want.MinMargin || got.MarginAtP != want.MarginAtP {
		t.Errorf("%s: %d solves, %d iterations, margins %g/%g; want %d, %d, %g/%g", what, got.Solves, got.Iterations,
			got.MinMargin, got.MarginAtP, want.Solves, want.Iterations, want.MinMargin, want.MarginAtP)
	}
}

// A sweep cancelled after the second verdict of a unit leaves the unit's
// checkpoint; the resumed sweep makes only the verdicts left and writes the
// record an uninterrupted sweep writes (same p*, bracket, certificates and
// counts), and deletes the checkpoint.
func TestCheckpointResume(t *testing.T) {
	fx := checkpointFixture(t) // the uninterrupted run: no checkpoint left
	s, verdicts, ref := fx.s, fx.verdicts, &fx.ref

	dir := t.TempDir()
	err, rec, _ := runCheckpointed(t, dir, s, func(n, p int, cancel func()) {
		if n == 2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || rec != nil {
		t.Fatalf("cancelled run: error %v, record %v", err, rec)
	}
	cp := checkpointPath(t, dir, s)
	left, err := os.ReadFile(cp)
	if err != nil {
		t.Fatalf("no checkpoint at %s after a cancel: %v", cp, err)
	}
	// What the other tests resume from instead of stopping a run.
	if !sameCheckpoint(t, left, fx.snaps[1]) {
		t.Errorf("the checkpoint a cancel after verdict 2 leaves is not the uninterrupted run's after verdict 2:\n%.300s\n%.300s", left, fx.snaps[1])
	}
	// A write cut short by kill -9 leaves a temporary file; the next run removes it.
	tmp := filepath.Join(filepath.Dir(cp), "."+filepath.Base(cp)+".tmp12345")
	if err := os.WriteFile(tmp, []byte(`{"format":`), 0o644); err != nil {
		t.Fatal(err)
	}
	second := 0
	err, rec, warnings := runCheckpointed(t, dir, s, func(n, p int, cancel func()) { second = n })
	if err != nil || len(warnings) > 0 {
		t.Fatal(err, warnings)
	}
	sameRecord(t, "resumed", rec, ref)
	if second != verdicts-2 {
		t.Errorf("the resumed sweep made %d verdicts, want the %d the first had left", second, verdicts-2)
	}
	if exists(cp) || exists(filepath.Dir(cp)) {
		t.Errorf("checkpoint %s (or its directory) left after the record was written", cp)
	}
	t.Logf("unit of %d verdicts: cancelled after 2, resumed with %d", verdicts, second)

	// A cancel after the last verdict (while certificates are attached) loses
	// nothing: a checkpoint pinning p* resumes with no solve.
	var pinned []byte
	dir = t.TempDir()
	err, rec, _ = runCheckpointed(t, dir, s, func(n, p int, cancel func()) {
		if n == verdicts {
			pinned, _ = os.ReadFile(checkpointPath(t, dir, s))
			cancel()
		}
	})
	if rec != nil {
		sameRecord(t, "cancelled at the last verdict", rec, ref)
	}
	if pinned == nil {
		t.Fatal("no checkpoint after the last verdict")
	}
	dir = t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, PartialDir), 0o777); err != nil {
		t.Fatal(err)
	}
	g, _ := s.Grid()
	if err := os.WriteFile(filepath.Join(dir, GridFile), mustJSON(g), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(checkpointPath(t, dir, s), pinned, 0o644); err != nil {
		t.Fatal(err)
	}
	solves := 0
	err, rec, warnings = runCheckpointed(t, dir, s, func(n, p int, cancel func()) { solves = n })
	if err != nil || len(warnings) > 0 {
		t.Fatal(err, warnings)
	}
	sameRecord(t, "resumed from a pinned checkpoint", rec, ref)
	if solves != 0 {
		t.Errorf("resuming from a checkpoint that pins p* made %d verdicts", solves)
	}
}

// A checkpoint that is for another unit or grid, or that is cut short, is
// set aside with one warning and never trusted: the unit is computed from
// scratch, correctly. One whose certificate at one end was altered (one W
// entry's sign, one lambda weight) loses that end only: the unit resumes from
// the other and ends with the uninterrupted p* and certificates.
func TestCheckpointTampered(t *testing.T) {
	fx := checkpointFixture(t)
	s, verdicts, ref := fx.s, fx.verdicts, &fx.ref
	tampers := map[string]func(f map[string]any) bool{
		"W sign": func(f map[string]any) bool {
			end, ok := f["lower"].(map[string]any)
			if !ok {
				return false
			}
			w := end["certificate"].(map[string]any)["w"].([]any)
			bi, bj, big := 0, 0, 0.0 // the largest entry: flipping it breaks a margin
			for i, row := range w {
				for j, x := range row.([]any) {
					if a := math.Abs(x.(float64)); a > big {
						bi, bj, big = i, j, a
					}
				}
			}
			w[bi].([]any)[bj] = -w[bi].([]any)[bj].(float64)
			return true
		},
		"lambda weight": func(f map[string]any) bool {
			end, ok := f["upper"].(map[string]any)
			if !ok {
				return false
			}
			l := end["certificate"].(map[string]any)["lambda"].([]any)
			x := l[0].(map[string]any)
			x["weight"] = x["weight"].(float64) * 1.5
			return true
		},
		"unit": func(f map[string]any) bool {
			f["unit"].(map[string]any)["seed"] = f["unit"].(map[string]any)["seed"].(float64) + 1
			return true
		},
		"grid": func(f map[string]any) bool {
			f["grid"].(map[string]any)["eps"] = 2e-6
			return true
		},
		"torn": func(f map[string]any) bool { return true }, // cut in half below
	}
	tried := 0
	for name, tamper := range tampers {
		cancelAt := 2
		if name == "W sign" || name == "lambda weight" {
			cancelAt = verdicts - 1 // both ends are there by then, unless p* was pinned sooner
		}
		// The folder of a run stopped after verdict cancelAt.
		b := fx.snaps[cancelAt-1]
		dir := fromSnapshot(t, s, b)
		cp := checkpointPath(t, dir, s)
		var f map[string]any
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		if !tamper(f) {
			t.Logf("%s: the checkpoint after %d verdicts has no such end", name, cancelAt)
			continue
		}
		tried++
		out := mustJSON(f)
		if name == "torn" {
			out = b[:len(b)/2]
		}
		if err := os.WriteFile(cp, out, 0o644); err != nil {
			t.Fatal(err)
		}
		n := 0
		err, rec, warnings := runCheckpointed(t, dir, s, func(k, p int, cancel func()) { n = k })
		if err != nil {
			t.Fatal(err)
		}
		rejected := strings.TrimSuffix(cp, ".json") + ".rejected.json"
		t.Logf("%s: %q", name, warnings)
		if len(warnings) != 1 || !strings.Contains(warnings[0], "moved to") || !exists(rejected) || exists(cp) {
			t.Errorf("%s: warnings %q, set aside: %v, checkpoint left: %v", name, warnings, exists(rejected), exists(cp))
		}
		if name == "W sign" || name == "lambda weight" {
			end := map[bool]string{true: "the storable end", false: "the not-storable end"}[name == "W sign"]
			if rec == nil || !rec.Certified || rec.PStar != ref.PStar || *rec.Certificates != *ref.Certificates || rec.Solves != cancelAt+n {
				t.Errorf("%s: record %+v, want p* %d with the reference's certificates and %d+%d solves", name, rec, ref.PStar, cancelAt, n)
			}
			if n >= verdicts || len(warnings) != 1 || !strings.Contains(warnings[0], "dropped "+end) || !strings.Contains(warnings[0], "resumes from") {
				t.Errorf("%s: %d verdicts made (of %d), warnings %q: want %s dropped and the other kept", name, n, verdicts, warnings, end)
			}
			continue
		}
		sameRecord(t, name+": recomputed", rec, ref)
		if n != verdicts {
			t.Errorf("%s: the unit made %d verdicts, want all %d from scratch", name, n, verdicts)
		}
	}
	if tried < 2 {
		t.Errorf("only %d tampered checkpoints tried", tried)
	}
}

// lineWithoutSeconds is a record's line in records.jsonl without its seconds (the
// one field a resumed record may not share).
func lineWithoutSeconds(t *testing.T, r Record) string {
	t.Helper()
	r.Seconds = 0
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A unit stopped after any of its verdicts and resumed writes, in every
// field but seconds, the line of its uninterrupted run, which is also the
// in-memory sweep's: the residual, kappa bound and scale are those of the
// certificates the record names, as verify computes them, not those of the
// solver's lambda before it was normalised for saving (which differ in the
// 5th digit).
func TestCheckpointRecordsIdentical(t *testing.T) {
	resumed := 0
	for _, m := range []model.Model{model.Coupled, model.Decoupled} {
		for seed := int64(1); seed <= 3; seed++ {
			s := Sweep{Ds: []int{8}, Models: []model.Model{m}, FirstSeed: seed, Seeds: 1, LP: lp.Options{Method: lp.MethodIPM}, Workers: 1}
			name := fmt.Sprintf("%s seed %d", m, seed)
			refDir := t.TempDir()
			err, ref, snaps := runSnapshots(t, refDir, s)
			if err != nil || ref == nil || !ref.Certified || len(snaps) != ref.Solves || ref.Solves < 2 {
				t.Fatal(name, err, ref, len(snaps))
			}
			want := lineWithoutSeconds(t, *ref)
			mem, err := Run(context.Background(), s)
			if err != nil || len(mem.Records) != 1 {
				t.Fatal(name, err)
			}
			if got := lineWithoutSeconds(t, mem.Records[0]); got != want {
				t.Errorf("%s: in memory\n%s\nwith checkpoints\n%s", name, got, want)
			}
			// Stopped after verdict n, for every n: the folder such a stop
			// leaves (the checkpoint after verdict n, snaps[n-1]) resumes
			// with the verdicts left only, to the uninterrupted line. A real
			// stop, at one n per unit, leaves that checkpoint and resumes the
			// same. Each n used to rerun the unit up to n, which made this
			// test quadratic in the verdicts (30 CPU-s; issue #19).
			stopAt := 1 + int(seed)%(ref.Solves-1) // 1 .. Solves-1: a record is still to be written
			for n := 1; n <= ref.Solves; n++ {
				dir := fromSnapshot(t, s, snaps[n-1])
				if n == stopAt {
					dir = t.TempDir()
					_, rec, _ := runCheckpointed(t, dir, s, func(k, p int, cancel func()) {
						if k == n {
							cancel()
						}
					})
					left, err := os.ReadFile(checkpointPath(t, dir, s))
					if rec != nil || err != nil {
						t.Fatalf("%s, stopped after verdict %d: record %v, checkpoint error %v", name, n, rec, err)
					}
					if !sameCheckpoint(t, left, snaps[n-1]) {
						t.Errorf("%s, stopped after verdict %d: the checkpoint left is not the uninterrupted run's", name, n)
					}
					resumed++
				}
				made := 0
				err, rec, warnings := runCheckpointed(t, dir, s, func(k, p int, cancel func()) { made = k })
				if err != nil || rec == nil || len(warnings) > 0 {
					t.Fatal(name, n, err, warnings)
				}
				if made != ref.Solves-n {
					t.Errorf("%s, stopped after verdict %d: resumed with %d verdicts, want the %d left", name, n, made, ref.Solves-n)
				}
				if got := lineWithoutSeconds(t, *rec); got != want {
					t.Errorf("%s, stopped after verdict %d:\n%s\nuninterrupted:\n%s", name, n, got, want)
				}
			}
		}
	}
	if resumed < 6 {
		t.Errorf("only %d runs resumed", resumed)
	}
}

// tamperEnd rewrites the certificate of one end (the storable one if there
// is one) of the checkpoint at path and returns the end's key.
func tamperEnd(t *testing.T, path string, tamper func(c map[string]any)) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	key := "lower"
	if f[key] == nil {
		key = "upper"
	}
	tamper(f[key].(map[string]any)["certificate"].(map[string]any))
	if err := os.WriteFile(path, mustJSON(f), 0o644); err != nil {
		t.Fatal(err)
	}
	return key
}

// A checkpoint end whose certificate names another seed, model or embedding,
// or states another solve_eps or scale, is not this unit's certificate even
// where it holds: it is dropped (the warning names the label), and the record
// names the certificates an uninterrupted run makes.
func TestCheckpointLabels(t *testing.T) {
	fx := checkpointFixture(t)
	s, verdicts, ref := fx.s, fx.verdicts, &fx.ref
	for label, tamper := range map[string]func(c map[string]any){
		"seed":      func(c map[string]any) { in := c["instance"].(map[string]any); in["seed"] = in["seed"].(float64) + 1000 },
		"model":     func(c map[string]any) { c["instance"].(map[string]any)["model"] = "decoupled" },
		"embedding": func(c map[string]any) { c["instance"].(map[string]any)["embedding"] = "sphere" },
		"solve_eps": func(c map[string]any) { c["solve_eps"] = 0.5 },
		"scale":     func(c map[string]any) { c["scale"] = 2 * c["scale"].(float64) },
	} {
		dir := fromSnapshot(t, s, fx.snaps[verdicts-2]) // stopped after verdict verdicts-1
		key := tamperEnd(t, checkpointPath(t, dir, s), tamper)
		err, rec, warnings := runCheckpointed(t, dir, s, nil)
		if err != nil {
			t.Fatal(label, err)
		}
		t.Logf("%s (%s end): %q", label, key, warnings)
		if len(warnings) != 1 || !strings.Contains(warnings[0], "dropped") || !strings.Contains(warnings[0], label) {
			t.Errorf("%s altered in the %s end: warnings %q", label, key, warnings)
		}
		if rec == nil || rec.PStar != ref.PStar || *rec.Certificates != *ref.Certificates {
			t.Errorf("%s altered in the %s end: record %+v, want p* %d with certificates %+v", label, key, rec, ref.PStar, *ref.Certificates)
		}
	}
}

// noSource fails the test if anything is built from it.
type noSource struct {
	t *testing.T
	model.Random
}

func (s noSource) Input(mu int, dst []float64)         { s.t.Error("the checkpoint built an instance") }
func (s noSource) Target(mu int, dst []float64)        { s.t.Error("the checkpoint built an instance") }
func (s noSource) Competitor(mu, v int, dst []float64) { s.t.Error("the checkpoint built an instance") }

// The checkpoint of a verdict is made on the instance the search built (it
// builds none), holds the certificate lines of the bracket's two ends only
// (an end replaced takes its line with it), and is written, streamed, as the
// bytes json.Marshal gives.
func TestCheckpointHoldsEnds(t *testing.T) {
	s := checkpointFixture(t).s
	units, _ := s.Units()
	u := units[0]
	src := model.Random{D: u.D, Seed: uint64(u.Seed), Kind: u.Model}
	var ins []*model.Instance
	var vs []feasibility.Verdict
	th, err := feasibility.FindThreshold(context.Background(), src, feasibility.ThresholdOptions{LP: s.LP,
		OnVerdictInstance: func(in *model.Instance, v feasibility.Verdict) { ins, vs = append(ins, in), append(vs, v) }})
	if err != nil || !th.Certified {
		t.Fatal(err)
	}
	g, _ := s.Grid()
	c := &checkpoints{dir: filepath.Join(t.TempDir(), PartialDir), grid: g, warn: func(msg string) { t.Error(msg) }}
	uc, err := c.start(context.Background(), u, noSource{t, src}, model.Gaussian, nil, feasibility.DefaultEps)
	if err != nil {
		t.Fatal(err)
	}
	for i, in := range ins {
		uc.verdict(in, vs[i], nil)
	}
	saved := uc.saved()
	if len(ins) < 3 || len(saved) != 2 || saved[th.Lower].line == nil || saved[th.Upper].line == nil {
		t.Fatalf("%d verdicts: lines held at %v, want the ends %d and %d only", len(ins), keys(saved), th.Lower, th.Upper)
	}
	b, err := os.ReadFile(c.path(u))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(uc.file)
	if string(b) != string(want)+"\n" {
		t.Errorf("the streamed checkpoint (%d bytes) is not json.Marshal's (%d bytes)", len(b), len(want)+1)
	}
	var f checkpointFile
	if err := json.Unmarshal(b, &f); err != nil || string(f.Upper.Certificate) != string(saved[th.Upper].line) || string(f.Lower.Certificate) != string(saved[th.Lower].line) {
		t.Errorf("the file's certificates are not the lines held (%v)", err)
	}
}

func keys(m map[int]savedCert) []int {
	var out []int
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A second checkpoint set aside does not overwrite the first
// (NAME.rejected-2.json); a directory where the checkpoint goes is left
// alone, said so, and the unit is computed without checkpoints.
func TestCheckpointHousekeeping(t *testing.T) {
	fx := checkpointFixture(t)
	s, ref := fx.s, &fx.ref
	dir := t.TempDir()
	cp := checkpointPath(t, dir, s)
	first := strings.TrimSuffix(cp, ".json") + ".rejected.json"
	second := strings.TrimSuffix(cp, ".json") + ".rejected-2.json"
	for i, torn := range []string{`{"format":`, `{"format":"x"`} {
		runCheckpointed(t, dir, s, func(n, p int, cancel func()) { cancel() })
		if err := os.WriteFile(cp, []byte(torn), 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, warnings := runCheckpointed(t, dir, s, func(n, p int, cancel func()) { cancel() })
		if len(warnings) != 1 || !strings.Contains(warnings[0], filepath.Base([]string{first, second}[i])) {
			t.Errorf("rejection %d: %q", i+1, warnings)
		}
	}
	if b, err := os.ReadFile(first); err != nil || string(b) != `{"format":` {
		t.Errorf("the first checkpoint set aside was overwritten: %q %v", b, err)
	}
	if b, err := os.ReadFile(second); err != nil || string(b) != `{"format":"x"` {
		t.Errorf("the second checkpoint set aside: %q %v", b, err)
	}

	dir = t.TempDir()
	cp = checkpointPath(t, dir, s)
	if err := os.MkdirAll(cp, 0o777); err != nil {
		t.Fatal(err)
	}
	g, _ := s.Grid()
	if err := os.WriteFile(filepath.Join(dir, GridFile), mustJSON(g), 0o644); err != nil {
		t.Fatal(err)
	}
	n := 0
	err, rec, warnings := runCheckpointed(t, dir, s, func(k, p int, cancel func()) { n = k })
	if err != nil {
		t.Fatal(err)
	}
	sameRecord(t, "beside a directory", rec, ref)
	st, serr := os.Stat(cp)
	if len(warnings) != 1 || !strings.Contains(warnings[0], "is a directory") || !strings.Contains(warnings[0], "left alone") || serr != nil || !st.IsDir() || n != 0 {
		t.Errorf("a directory at the checkpoint's path: warnings %q, still there: %v, %d checkpoints", warnings, serr == nil, n)
	}
}
