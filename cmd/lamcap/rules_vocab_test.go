package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/theory"
)

// rules with a vocabulary model: the optimal memory's p_c is the vocabulary
// surrogate's (theory.VocabCriticalP, what lamcap theory --vocab V prints),
// the default pmax 1.2 times it, and the paper's Hebbian theory, for a target
// per input, is not given (it used to print the paper's lines).
func TestRulesVocabularyTheory(t *testing.T) {
	const d, v = 6, 3
	pc, _, err := theory.VocabCriticalP(d, v)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI("rules", "--d", "6", "--seeds", "1:2", "--model", "vocabulary", "--vocab", "3", "--json")
	if code != 0 {
		t.Fatalf("exit %d %s", code, errs)
	}
	var st map[string]any
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	if st["model"] != "vocabulary-3-uniform" {
		t.Errorf("model %v", st["model"])
	}
	if got, _ := st["optimal_p_c_theory"].(float64); math.Abs(got-pc) > 1e-12*pc {
		t.Errorf("optimal p_c %v, want the vocabulary surrogate's %v", st["optimal_p_c_theory"], pc)
	}
	for _, k := range []string{"hebbian_p_c_theory", "hebbian_p_c_asymptote"} {
		if _, ok := st[k]; ok {
			t.Errorf("%s given for a shared vocabulary: %v", k, st[k])
		}
	}
	curve, _ := st["curve"].([]any)
	if last, _ := curve[len(curve)-1].(map[string]any); last["p"] != float64(int(1.2*pc)) {
		t.Errorf("curve ends at p = %v, want 1.2 p_c = %d", last["p"], int(1.2*pc))
	}
	code, out, errs = runCLI("rules", "--d", "6", "--seeds", "1:2", "--model", "vocabulary", "--vocab", "3")
	if code != 0 || strings.Contains(out, "Hebbian p_c") || !strings.Contains(out, "does not apply to a shared vocabulary") {
		t.Errorf("exit %d %s, output:\n%s", code, errs, out)
	}
}

// The --targets help says what the file holds for the vocabulary model: the
// V x d words, not an array of the shape of --inputs.
func TestTargetsHelpVocabulary(t *testing.T) {
	for _, cmd := range []string{"solve", "threshold"} {
		code, out, _ := runCLI("help", cmd)
		if code != 0 || !strings.Contains(out, "V x d words") {
			t.Errorf("help %s: exit %d, --targets does not describe the vocabulary's words:\n%s", cmd, code, out)
		}
	}
}
