package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/experiment"
)

// mechanism honours --model (with --vocab and --answers) and a vocabulary
// model's full name in --models: the study written is of that model and no
// other (it used to run coupled and decoupled silently for the first form, and
// to panic for the second).
func TestMechanismVocabularyModel(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--model", "vocabulary", "--vocab", "4"}, "vocabulary-4-uniform"},
		{[]string{"--model", "vocabulary", "--vocab", "3", "--answers", "zipf:1"}, "vocabulary-3-zipf1"},
		{[]string{"--models", "vocabulary-4-balanced"}, "vocabulary-4-balanced"},
		{[]string{"--model", "decoupled"}, "decoupled"},
	} {
		dir := filepath.Join(t.TempDir(), "m")
		args := append([]string{"mechanism", "--d", "6", "--seeds", "1:2", "--out", dir}, c.args...)
		code, out, errs := runCLI(args...)
		if code != 0 {
			t.Errorf("%v: exit %d %s", c.args, code, errs)
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, "mechanism.json"))
		if err != nil {
			t.Fatal(err)
		}
		var doc experiment.Mechanism
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Models) != 1 || doc.Models[0].Model != c.want || doc.Models[0].Used == 0 {
			t.Errorf("%v: mechanism.json holds %d models, the first %+v; want only %s, with instances", c.args, len(doc.Models), doc.Models[0], c.want)
		}
		if doc.Spectra != nil {
			t.Errorf("%v: spectra compared with one model", c.args)
		}
		if vocab := strings.HasPrefix(c.want, "vocabulary-"); vocab != strings.Contains(out, "sqrt(2 log V)") || vocab == strings.Contains(out, "sqrt(2 log p)") {
			t.Errorf("%v: the extreme-value level is not the model's:\n%s", c.args, out)
		}
		if !strings.Contains(out, c.want+" ") {
			t.Errorf("%v: the table does not name %s:\n%s", c.args, c.want, out)
		}
	}
}

// Contradictory model flags are usage errors: one line, exit 2, no folder.
func TestMechanismModelFlagsBad(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--model", "vocabulary", "--vocab", "4", "--models", "coupled"}, "not both"},
		{[]string{"--models", "coupled,vocabulary-2-uniform"}, "different default sizes"},
		{[]string{"--vocab", "4", "--models", "vocabulary-4-uniform"}, "--model vocabulary only"},
		{[]string{"--models", "vocabulary-1-uniform"}, "--models"},
	} {
		dir := filepath.Join(t.TempDir(), "m")
		args := append([]string{"mechanism", "--d", "6", "--seeds", "1:2", "--out", dir}, c.args...)
		code, out, errs := runCLI(args...)
		if code != 2 || out != "" || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and one line with %q", c.args, code, out, errs, c.want)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%v: %s left behind", c.args, dir)
		}
	}
}

// two-layer has no vocabulary form (its factor draws a target per input): a
// usage error, not a run-time failure after the flags were accepted.
func TestTwoLayerRefusesVocabulary(t *testing.T) {
	code, out, errs := runCLI("two-layer", "--d", "6", "--seeds", "1:2", "--model", "vocabulary", "--vocab", "4")
	if code != 2 || out != "" || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, "not a vocabulary") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}
