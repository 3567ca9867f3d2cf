package experiment

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/lamcap/lamcap/internal/dirlock"
	"github.com/lamcap/lamcap/internal/memlimit"
	"github.com/lamcap/lamcap/model"
	"github.com/lamcap/lamcap/stats"
)

// tinyVocabStudy is a study that costs milliseconds: d = 4 (and more with
// ds), V = 2 and 3, seeds 1..2, uniform answers.
func tinyVocabStudy(dir string, ds ...int) VocabStudy {
	return VocabStudy{Ds: ds, Seeds: []int{2}, Answers: []model.Answers{{Kind: model.Uniform}}, Vs: []int{2, 3}, Dir: dir}
}

// recordLines reads the record file line by line and fails the test on a
// line that is not a whole record or on a threshold found twice.
func recordLines(t *testing.T, dir string) []VocabThreshold {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, VocabRecordsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Errorf("the record file does not end with a newline")
	}
	var out []VocabThreshold
	seen := map[string]bool{}
	for i, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		var r VocabThreshold
		if err := json.Unmarshal([]byte(l), &r); err != nil || r.D == 0 {
			t.Errorf("line %d is not a record: %q", i+1, l)
			continue
		}
		if seen[r.key()] {
			t.Errorf("line %d: %s found twice", i+1, r.key())
		}
		seen[r.key()] = true
		out = append(out, r)
	}
	return out
}

// Extending a study with a larger d keeps every threshold found before: the
// record file is only appended to, and the new part's thresholds follow.
func TestStudyVocabExtendsWithoutRecomputing(t *testing.T) {
	dir := t.TempDir()
	run, err := StudyVocab(context.Background(), tinyVocabStudy(dir, 4))
	if err != nil || run.Ran != 4 || run.Kept != 0 {
		t.Fatalf("first run: %+v, %v", run, err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, VocabRecordsFile))
	ext := tinyVocabStudy(dir, 4, 5)
	run, err = StudyVocab(context.Background(), ext)
	if err != nil || run.Ran != 4 || run.Kept != 4 {
		t.Fatalf("extended run: %+v, %v; want 4 kept and 4 found", run, err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, VocabRecordsFile))
	if !bytes.HasPrefix(after, before) {
		t.Errorf("the records of d = 4 changed")
	}
	recs := recordLines(t, dir)
	if len(recs) != 8 {
		t.Errorf("%d records, want 8", len(recs))
	}
	iters := 0
	for _, r := range recs {
		if !r.Certified {
			t.Errorf("%s: undecided", r.key())
		}
		iters += r.Iterations
	}
	if iters == 0 {
		t.Errorf("the records hold no iterations")
	}
	parts, err := ext.Parts(recs)
	if err != nil || len(parts) != 2 {
		t.Fatalf("parts %+v, %v", parts, err)
	}
	for _, p := range parts {
		if !p.Complete() || p.Planned != 4 || p.Other != 0 || !slices.Equal(p.Grid, []int{2, 3}) || p.Seeds != 2 {
			t.Errorf("part %+v, want 4 of 4", p)
		}
	}
	// The records of d = 4 and 5 seen from a study of d = 5, 6 with one seed:
	// d = 4 is outside it, d = 5 holds 2 of its thresholds and 2 others, d = 6
	// none.
	other := tinyVocabStudy(dir, 5, 6)
	other.Seeds = []int{1}
	parts, err = other.Parts(recs)
	want := []VocabPart{{D: 4, Other: 4}, {D: 5, Grid: []int{2, 3}, Seeds: 1, Planned: 2, Done: 2, Other: 2}, {D: 6, Grid: []int{2, 3}, Seeds: 1, Planned: 2}}
	if err != nil || len(parts) != 3 {
		t.Fatalf("parts %+v, %v", parts, err)
	}
	for i, p := range parts {
		p.CPUSeconds, p.Timed = 0, 0
		if w := want[i]; p.D != w.D || p.Planned != w.Planned || p.Done != w.Done || p.Other != w.Other || !slices.Equal(p.Grid, w.Grid) {
			t.Errorf("part %+v, want %+v", p, w)
		}
	}
}

// A cancelled run (Ctrl-C, SIGTERM) stops with the context's error and keeps
// every threshold finished before it, each once and whole; the next run finds
// only the others.
func TestStudyVocabStopsAndResumes(t *testing.T) {
	dir := t.TempDir()
	s := tinyVocabStudy(dir, 5)
	s.Answers = append(s.Answers, model.Answers{Kind: model.Zipf, S: 1})
	s.Seeds = []int{3} // 12 thresholds
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lines := 0
	s.Progress = writerFunc(func(p []byte) (int, error) {
		if lines++; lines == 5 {
			cancel()
		}
		return len(p), nil
	})
	run, err := StudyVocab(ctx, s)
	if !errors.Is(err, context.Canceled) || run.Ran != 5 {
		t.Fatalf("cancelled run: %+v, %v; want 5 found and context.Canceled", run, err)
	}
	if recs := recordLines(t, dir); len(recs) != 5 {
		t.Fatalf("%d records after the stop, want 5", len(recs))
	}
	s.Progress = nil
	run, err = StudyVocab(context.Background(), s)
	if err != nil || run.Kept != 5 || run.Ran != 7 {
		t.Fatalf("resumed run: %+v, %v; want 5 kept and 7 found", run, err)
	}
	if recs := recordLines(t, dir); len(recs) != 12 {
		t.Errorf("%d records, want 12", len(recs))
	}
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// A kill during an append leaves a last line without its newline. A fragment
// is cut off and a whole record gets its newline, so that the next record
// starts a line of its own. Before, the next record was glued to the
// fragment, and the line was lost.
func TestStudyVocabRepairsACutLine(t *testing.T) {
	for _, whole := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, VocabRecordsFile)
		if _, err := StudyVocab(context.Background(), tinyVocabStudy(dir, 4)); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		n := 4
		if whole {
			b = b[:len(b)-1] // the last record, whole, without its newline
		} else {
			last := bytes.LastIndexByte(b[:len(b)-1], '\n') + 1
			b = append(b, b[last:last+(len(b)-last)/2]...) // half of a record
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		run, err := StudyVocab(context.Background(), tinyVocabStudy(dir, 4, 5))
		if err != nil || run.Kept != n || run.Ran != 4 {
			t.Fatalf("whole=%v: %+v, %v; want %d kept and 4 found", whole, run, err, n)
		}
		if recs := recordLines(t, dir); len(recs) != 8 {
			t.Errorf("whole=%v: %d records, want 8", whole, len(recs))
		}
	}
}

// Two processes never work in one directory: the second is refused before
// it solves anything.
func TestStudyVocabRefusesABusyDirectory(t *testing.T) {
	dir := t.TempDir()
	lock, err := dirlock.Acquire(dir, filepath.Join(dir, LockFile))
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	run, err := StudyVocab(context.Background(), tinyVocabStudy(dir, 4))
	var busy *dirlock.BusyError
	if !errors.As(err, &busy) || run.Ran != 0 {
		t.Fatalf("%+v, %v; want a BusyError", run, err)
	}
	// The message names the study's directory for what it is (it said
	// "sweep directory").
	if want := "vocabulary study directory " + dir + " is in use"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("message %q, want it to start with %q", err, want)
	}
	if _, err := os.Stat(filepath.Join(dir, VocabRecordsFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("records written by a refused run: %v", err)
	}
}

// The reduced grid is the full grid's powers of 2 below d/2, its V from d/2 to
// 2d and its largest V; at d = 32 that is 10 of the 15 V (listed by hand).
func TestVocabGridReduced(t *testing.T) {
	full, err := VocabGrid(32, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{2, 3, 4, 6, 8, 12, 16, 24, 32, 33, 48, 64, 96, 128, 182}; !slices.Equal(full, want) {
		t.Fatalf("full grid %v, want %v", full, want)
	}
	red, err := VocabGridReduced(32, 0)
	if want := []int{2, 4, 8, 16, 24, 32, 33, 48, 64, 182}; err != nil || !slices.Equal(red, want) {
		t.Errorf("reduced grid %v (%v), want %v", red, err, want)
	}
	for _, d := range []int{8, 12, 16, 24, 40, 48} {
		full, _ := VocabGrid(d, 0)
		red, err := VocabGridReduced(d, 0)
		if err != nil || red[0] != 2 || red[len(red)-1] != full[len(full)-1] || !slices.Contains(red, d+1) || len(red) >= len(full) {
			t.Errorf("d=%d: reduced %v of %v (%v)", d, red, full, err)
		}
		for _, v := range red {
			if !slices.Contains(full, v) {
				t.Errorf("d=%d: %d is not in the full grid", d, v)
			}
		}
	}
	s := VocabStudy{Ds: []int{32, 40}, ReducedFrom: 40, Seeds: []int{1}, Answers: []model.Answers{{Kind: model.Uniform}}}
	parts, err := s.Parts(nil)
	if err != nil || len(parts) != 2 || parts[0].Reduced || !parts[1].Reduced || parts[0].Planned != 15 {
		t.Errorf("parts %+v (%v): want d = 32 whole (15 V), d = 40 reduced", parts, err)
	}
}

// The report's parts table says, per d, complete, in progress or not started,
// with the thresholds found of those planned.
func TestVocabReportParts(t *testing.T) {
	var b strings.Builder
	writeVocabParts(&b, []VocabPart{
		{D: 8, Grid: []int{2, 3}, Seeds: 10, Planned: 40, Done: 40},
		{D: 40, Grid: []int{2, 41, 262}, Reduced: true, Seeds: 10, Planned: 60, Done: 12, CPUSeconds: 3600, Timed: 12, WallSeconds: 6 * 3600, WallTimed: 12,
			CPULeft: 4 * 3600, WallLeft: 24 * 3600, WallGuessed: 2},
		{D: 48, Grid: []int{2, 49}, Seeds: 10, Planned: 40},
		{D: 64, Other: 3},
	})
	for _, want := range []string{
		"| 8 | 2, 3 (2 V) | 10 | 40 of 40 | complete | - | - | - | - |",
		"| 40 | 2, 41, 262 (3 V, reduced) | 10 | 12 of 60 | in progress | 1.00 (12 thresholds) | 4.00 | 6.00 (12 thresholds) | 24.00 (2 guessed) |",
		"| 48 | 2, 49 (2 V) | 10 | 0 of 40 | not started | - | - | - | - |",
		"| 64 | - | 0 | 0 of 0 | not in the study; 3 records outside its grid | - | - | - | - |",
	} {
		if !strings.Contains(b.String(), want+"\n") {
			t.Errorf("no line %q in\n%s", want, b.String())
		}
	}
}

// The time left of a part costs each missing threshold at the mean of its own
// (d, V), not at the part's mean (34 s here, which would give 204 s for the 6
// missing): a V with no timed record costs the costliest V's mean and is
// counted as guessed.
func TestVocabPartsCostTheMissingCells(t *testing.T) {
	ans, err := model.ParseAnswers("uniform")
	if err != nil {
		t.Fatal(err)
	}
	s := VocabStudy{Ds: []int{8}, Answers: []model.Answers{ans}, Seeds: []int{3}, Vs: []int{2, 3, 4}}
	rec := func(v int, seed int64, cpu float64) VocabThreshold {
		m, err := model.Vocabulary(v, ans)
		if err != nil {
			t.Fatal(err)
		}
		return VocabThreshold{D: 8, Model: m, V: v, Answers: "uniform", Seed: seed, PStar: 10, Certified: true, CPUSeconds: cpu, Seconds: 2 * cpu}
	}
	recs := []VocabThreshold{rec(2, 1, 1), rec(2, 2, 1), rec(3, 1, 100)}
	parts, err := s.Parts(recs)
	if err != nil || len(parts) != 1 {
		t.Fatalf("%v %+v", err, parts)
	}
	p := parts[0]
	// Missing: V = 2 seed 3 (1 s), V = 3 seeds 2, 3 (100 s each), V = 4 seeds
	// 1..3 (no record: the costliest V, 100 s each, guessed).
	if want := 1 + 2*100 + 3*100.0; math.Abs(p.CPULeft-want) > 1e-9 || p.CPUGuessed != 3 {
		t.Errorf("CPU left %g (%d guessed), want %g (3 guessed)", p.CPULeft, p.CPUGuessed, want)
	}
	if want := 2 * (1 + 2*100 + 3*100.0); math.Abs(p.WallLeft-want) > 1e-9 || p.WallGuessed != 3 {
		t.Errorf("wall left %g (%d guessed), want %g (3 guessed)", p.WallLeft, p.WallGuessed, want)
	}
}

// A records file that is not a regular file (a named pipe, a directory, a
// link to /dev/zero) is refused with a *DirError naming what it is, by
// ReadVocabRecords and by StudyVocab before it writes anything into the
// directory (the lock file included). Before, os.Open read a directory as an
// I/O error, /dev/zero until a "token too long", and blocked on a pipe.
func TestVocabRecordsRefuseSpecialFiles(t *testing.T) {
	for name, make := range map[string]func(path string) error{
		"named pipe":       func(path string) error { return syscall.Mkfifo(path, 0o600) },
		"directory":        func(path string) error { return os.Mkdir(path, 0o755) },
		"character device": func(path string) error { return os.Symlink("/dev/zero", path) },
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := make(filepath.Join(dir, VocabRecordsFile)); err != nil {
				t.Fatal(err)
			}
			want := VocabRecordsFile + ": is a " + name
			_, err := ReadVocabRecords(dir)
			if !errors.As(err, new(*DirError)) || !strings.Contains(err.Error(), want) {
				t.Errorf("ReadVocabRecords: %v, want a *DirError saying %q", err, want)
			}
			_, err = StudyVocab(context.Background(), tinyVocabStudy(dir, 4))
			if !errors.As(err, new(*DirError)) || !strings.Contains(err.Error(), want) {
				t.Errorf("StudyVocab: %v, want a *DirError saying %q", err, want)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 1 {
				t.Errorf("the refused directory holds %d entries, want the records file alone", len(ents))
			}
		})
	}
}

// The report names the directory its records came from, and the study's
// command only for the committed records' directory (it named
// docs/data/vocab, and its command, whatever the directory).
func TestVocabReportNamesItsDirectory(t *testing.T) {
	curves := []VocabCurveSummary{{D: 6, V: 2, Answers: "uniform", Seeds: 1}}
	for _, c := range []struct{ dir, want, not string }{
		{"runs/vocab/", "Generated by `lamcap vocab-study` from the records in runs/vocab\n", "docs/data/vocab"},
		{VocabDir, "Generated by `" + VocabCommand + "` from the records in " + VocabDir + "\n", ""},
	} {
		var b bytes.Buffer
		if err := WriteVocabReport(&b, c.dir, nil, nil, curves, nil); err != nil {
			t.Fatal(err)
		}
		text := b.String()
		if !strings.Contains(text, c.want) || !strings.Contains(text, "at one small d ("+filepath.Clean(c.dir)+"/curves)") {
			t.Errorf("report of %s does not say %q and %s/curves:\n%.600s", c.dir, c.want, c.dir, text)
		}
		if c.not != "" && strings.Contains(text, c.not) {
			t.Errorf("report of %s names %s", c.dir, c.not)
		}
	}
}

// A row of 5 seeds, whose "95% interval" can only be the seeds' range, is
// marked and its coverage (1 - 2/32) stated; a row of 10 is not marked.
func TestVocabReportShortRows(t *testing.T) {
	groups := []VocabGroup{
		{D: 8, V: 2, Answers: "uniform", N: 5, PC: 16, PCCI: stats.Interval{Lo: 14, Hi: 18}, Theory: 16},
		{D: 8, V: 3, Answers: "uniform", N: 10, PC: 20, PCCI: stats.Interval{Lo: 18, Hi: 22}, Theory: 20},
	}
	var b strings.Builder
	if err := WriteVocabReport(&b, "x", groups, map[int]float64{8: 22}, nil, nil); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "| [14, 18] (range) |") || strings.Contains(out, "[18, 22] (range)") || !strings.Contains(out, "93.75% at 5 seeds") {
		t.Errorf("short row not marked as it should be:\n%s", out)
	}
}

// The theory is compared with mean p* + 1/2 (HalfAssociation), with a Student
// t test: at n = 2 the t law has one degree of freedom, the Cauchy law, whose
// two-sided p-value is 1 - 2 atan(|z|) / pi in closed form.
func TestVocabGroupMeanAgainstTheory(t *testing.T) {
	var g VocabGroup
	g.meanAgainst([]float64{10, 12}, 10)
	// mean 11, SE = sd / sqrt(2) = sqrt(2) / sqrt(2) = 1, threshold 11.5.
	if g.Threshold != 11.5 || math.Abs(g.MeanSE-1) > 1e-12 || math.Abs(g.Dev-0.15) > 1e-12 || math.Abs(g.Z-1.5) > 1e-12 || !g.Tested {
		t.Fatalf("%+v", g)
	}
	if want := 1 - 2*math.Atan(1.5)/math.Pi; math.Abs(g.PValue-want) > 1e-9 {
		t.Errorf("p-value %g, want %g", g.PValue, want)
	}
	// t(0.975, 1 df) = tan(0.475 pi) = 12.7062...
	if q := math.Tan(0.475 * math.Pi); math.Abs(g.ThresholdCI.Hi-(11.5+q)) > 1e-6 || math.Abs(g.ThresholdCI.Lo-(11.5-q)) > 1e-6 {
		t.Errorf("interval %v, want 11.5 +- %g", g.ThresholdCI, q)
	}
	var one VocabGroup
	one.meanAgainst([]float64{7}, 7.5)
	if one.Tested || one.Dev != 0 || one.PValue != 1 || pct(one.Dev) != "+0.0%" {
		t.Errorf("one seed: %+v", one)
	}
	if got := pct(-1e-9); got != "+0.0%" {
		t.Errorf("pct(-1e-9) = %q, want +0.0%% (never -0.0%%)", got)
	}
	if got := pctNum(-3e-4); got != "-0.03" {
		t.Errorf("pctNum(-3e-4) = %q: an interval's end keeps its sign", got)
	}
}

// CheckMemory counts a study's thresholds without listing them, as units
// lists them, at vocabUnitBytes each: a budget of exactly that passes, one
// byte less is refused naming the count.
func TestVocabStudyCheckMemoryCountsItsThresholds(t *testing.T) {
	var answers []model.Answers
	for _, a := range []string{"uniform", "zipf:1"} {
		ans, err := model.ParseAnswers(a)
		if err != nil {
			t.Fatal(err)
		}
		answers = append(answers, ans)
	}
	s := VocabStudy{Ds: []int{4, 8}, Seeds: []int{3, 2}, Answers: answers}
	units, err := s.units()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(memlimit.EnvVar, fmt.Sprint(len(units)*vocabUnitBytes))
	if err := s.CheckMemory(); err != nil {
		t.Errorf("%d thresholds at a budget of their size: %v", len(units), err)
	}
	t.Setenv(memlimit.EnvVar, fmt.Sprint(len(units)*vocabUnitBytes-1))
	var tl *memlimit.TooLarge
	if err := s.CheckMemory(); !errors.As(err, &tl) || !strings.Contains(tl.What, fmt.Sprintf("a vocabulary study of %d thresholds", len(units))) {
		t.Errorf("%d thresholds one byte over the budget: %v", len(units), err)
	}
}
