package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/model"
)

// A vocabulary instance written by 'lamcap instance' (X.npy, the words in Y.npy,
// answers.npy) and read back with --inputs/--targets/--answers is the same
// instance: the same SHA-256 in the certificate, the same verdict and margin,
// and the certificate of the files verifies.
func TestVocabularyFilesReproduceTheInstance(t *testing.T) {
	dir := t.TempDir()
	inst := filepath.Join(dir, "inst")
	gen := []string{"--d", "5", "--p", "11", "--seed", "3", "--model", "vocabulary", "--vocab", "4", "--answers", "zipf:1.5"}
	if code, _, errs := runCLI(append([]string{"instance", "-o", inst}, gen...)...); code != 0 {
		t.Fatalf("instance: %s", errs)
	}
	a, err := model.ReadNPYInts(filepath.Join(inst, "answers.npy"))
	if err != nil || len(a) != 11 {
		t.Fatalf("answers.npy: %v %v", a, err)
	}
	y, err := model.ReadNPY(filepath.Join(inst, "Y.npy"), false)
	if r, c := y.Dims(); err != nil || r != 4 || c != 5 {
		t.Fatalf("Y.npy: %v, want the 4 x 5 words", err)
	}
	certA, certU := filepath.Join(dir, "a.json"), filepath.Join(dir, "u.json")
	codeA, outA, errA := runCLI(append([]string{"solve", "--json", "--certificate", certA}, gen...)...)
	codeU, outU, errU := runCLI("solve", "--json", "--certificate", certU, "--model", "vocabulary", "--inputs", filepath.Join(inst, "X.npy"),
		"--targets", filepath.Join(inst, "Y.npy"), "--answers", filepath.Join(inst, "answers.npy"))
	if codeA != 0 || codeU != 0 {
		t.Fatalf("solve: %s / %s", errA, errU)
	}
	var ra, ru map[string]any
	json.Unmarshal([]byte(outA), &ra)
	json.Unmarshal([]byte(outU), &ru)
	if ra["verdict"] != ru["verdict"] || ra["margin"] != ru["margin"] {
		t.Errorf("seeded %v/%v, from files %v/%v", ra["verdict"], ra["margin"], ru["verdict"], ru["margin"])
	}
	hash := func(path string) string {
		var c struct {
			Instance struct {
				SHA256 string `json:"sha256"`
			} `json:"instance"`
		}
		b, _ := os.ReadFile(path)
		json.Unmarshal(b, &c)
		return c.Instance.SHA256
	}
	if ha, hu := hash(certA), hash(certU); ha == "" || ha != hu {
		t.Errorf("hashes %q and %q differ", ha, hu)
	}
	for _, c := range []string{certA, certU} {
		if code, out, errs := runCLI("verify", c); code != 0 || !strings.Contains(out, "certificate holds") {
			t.Errorf("verify %s: exit %d: %s %s", c, code, out, errs)
		}
	}
}

// Bad vocabulary flags are usage errors (exit 2) with one line.
func TestVocabularyBadFlags(t *testing.T) {
	dir := t.TempDir()
	inst := filepath.Join(dir, "inst")
	if code, _, errs := runCLI("instance", "-o", inst, "--d", "3", "--p", "4", "--model", "vocabulary", "--vocab", "3"); code != 0 {
		t.Fatal(errs)
	}
	bad := filepath.Join(dir, "bad.npy")
	f, _ := os.Create(bad)
	model.EncodeNPYInts(f, []int{0, 1, 3, 0})
	f.Close()
	files := []string{"--model", "vocabulary", "--inputs", filepath.Join(inst, "X.npy"), "--targets", filepath.Join(inst, "Y.npy")}
	for _, args := range [][]string{
		{"solve", "--model", "vocabulary", "--vocab", "1"},
		{"solve", "--model", "vocabulary"},
		{"solve", "--vocab", "4"},
		{"solve", "--answers", "zipf:2"},
		{"solve", "--model", "vocabulary", "--vocab", "4", "--answers", "zipf:0"},
		{"solve", "--model", "vocabulary", "--vocab", "4", "--answers", "a.npy"},
		{"solve", "--model", "vocabulary-4-nope"},
		append([]string{"solve", "--answers", bad}, files...),
		append([]string{"solve", "--answers", filepath.Join(inst, "answers.npy"), "--vocab", "3"}, files...),
		append([]string{"solve"}, files...),
		{"theory", "--d", "8", "--vocab", "1"},
		{"vocab-study", "--d", "4", "--v", "2,1", "--out", filepath.Join(dir, "vs")},
		{"vocab-study", "--d", "4", "--reduced-from", "-1", "--out", filepath.Join(dir, "vs")},
		{"vocab-study", "--d", "4", "--curve-v", "x", "--out", filepath.Join(dir, "vs")},
	} {
		code, out, errs := runCLI(args...)
		if code != 2 || out != "" || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
	}
	// A bad vocab-study flag is refused before anything is solved or written.
	if _, err := os.Stat(filepath.Join(dir, "vs")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("vocab-study with bad flags left %s: %v", filepath.Join(dir, "vs"), err)
	}
}

// lamcap theory --vocab prints the prediction: p_c = 2d exactly for V = 2.
func TestVocabularyTheory(t *testing.T) {
	code, out, errs := runCLI("theory", "--d", "6", "--vocab", "2", "--json")
	var pr struct {
		PC float64 `json:"p_c"`
		N  int     `json:"n"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &pr) != nil || pr.N != 6 || pr.PC < 12-1e-6 || pr.PC > 12+1e-6 {
		t.Errorf("exit %d: %s %s", code, out, errs)
	}
}

// docs/vocabulary.md is what the committed records give under
// experiment.VocabCommand: every number in the report comes from them (and the
// study's plan, for its parts); its figures are there.
func TestVocabularyReportRegenerates(t *testing.T) {
	root := "../.."
	var o vocabStudyArgs
	args := strings.Fields(experiment.VocabCommand)
	if args[0] != "lamcap" || args[1] != "vocab-study" {
		t.Fatalf("VocabCommand %q is not a vocab-study command", experiment.VocabCommand)
	}
	if err := vocabStudyFlags(&o).parse(args[2:], io.Discard); err != nil {
		t.Fatal(err)
	}
	st, err := o.study()
	if err != nil {
		t.Fatal(err)
	}
	if o.report != "docs/vocabulary.md" || o.out != "docs/data/vocab" {
		t.Fatalf("VocabCommand writes %s from %s", o.report, o.out)
	}
	st.Dir = filepath.Join(root, o.out)
	recs, err := experiment.ReadVocabRecords(st.Dir)
	if err != nil || len(recs) == 0 {
		t.Fatalf("records: %v (%d)", err, len(recs))
	}
	groups, err := experiment.SummariseVocab(recs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := vocabReport(st, o.out, recs, groups)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := os.ReadFile(filepath.Join(root, o.report))
	if !bytes.Equal(got, doc) {
		os.WriteFile(filepath.Join(os.TempDir(), "vocabulary-regenerated.md"), got, 0o644)
		t.Errorf("docs/vocabulary.md is not what the records give (regenerated copy in %s): run %s --no-solve", os.TempDir(), experiment.VocabCommand)
	}
	for _, f := range []string{"vocabulary-capacity.png", "vocabulary-bits.png"} {
		if _, err := os.Stat(filepath.Join(root, "docs", f)); err != nil {
			t.Errorf("the report's figure: %v", err)
		}
	}
	curveRecs, err := experiment.ReadVocabRecords(filepath.Join(st.Dir, "curves"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range append(recs, curveRecs...) {
		if !r.Certified {
			t.Errorf("d=%d %s seed %d: undecided (%s)", r.D, r.Model, r.Seed, r.Note)
		}
	}
	// Every threshold of the committed parts is in the study: a run of
	// VocabCommand on these records finds none of them again.
	parts, err := st.Parts(recs)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		if p.Other > 0 || p.Planned == 0 {
			t.Errorf("d=%d: %d records outside the study's grid (%d planned)", p.D, p.Other, p.Planned)
		}
		if p.D <= 32 && !p.Complete() {
			t.Errorf("d=%d: %d of %d thresholds, want the part complete", p.D, p.Done, p.Planned)
		}
	}
}

// vocab-study --no-solve writes the report from the records as they are: a
// larger study's new d is reported as not started, and nothing is solved.
func TestVocabStudyNoSolve(t *testing.T) {
	dir := t.TempDir()
	out, report := filepath.Join(dir, "recs"), filepath.Join(dir, "vocabulary.md")
	base := []string{"vocab-study", "--v", "2,3", "--seeds", "2", "--answers", "uniform", "--curve-d", "0", "--quiet", "--out", out, "--report", report}
	if code, _, errs := runCLI(append(base, "--d", "4")...); code != 0 {
		t.Fatalf("vocab-study: %s", errs)
	}
	recs, _ := os.ReadFile(filepath.Join(out, experiment.VocabRecordsFile))
	if code, _, errs := runCLI(append(base, "--d", "4,5", "--no-solve")...); code != 0 {
		t.Fatalf("vocab-study --no-solve: %s", errs)
	}
	after, _ := os.ReadFile(filepath.Join(out, experiment.VocabRecordsFile))
	doc, _ := os.ReadFile(report)
	if !bytes.Equal(recs, after) {
		t.Errorf("--no-solve changed the records")
	}
	for _, want := range []string{"| 4 | 2, 3 (2 V) | 2 | 4 of 4 | complete |", "| 5 | 2, 3 (2 V) | 2 | 0 of 4 | not started |"} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// scripts/vocab-study.sh reports the study of experiment.VocabCommand.
func TestVocabScriptRunsTheStudy(t *testing.T) {
	b, err := os.ReadFile("../../scripts/vocab-study.sh")
	if err != nil {
		t.Fatal(err)
	}
	flags, _, ok := strings.Cut(strings.TrimPrefix(experiment.VocabCommand, "lamcap vocab-study "), " --out ")
	if want := "study=(" + flags + ")\n"; !ok || !strings.Contains(string(b), want) {
		t.Errorf("scripts/vocab-study.sh does not hold %q", want)
	}
}
