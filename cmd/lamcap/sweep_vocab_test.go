package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/experiment"
)

// sweep takes the vocabulary flags as the other commands do, with lists:
// --model vocabulary --vocab 3,8 --answers uniform,zipf:1 is one model per V
// and answer law, recorded under its full name; the full names work in
// --model as they are.
func TestSweepVocabularyFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--model", "vocabulary", "--vocab", "3,8", "--answers", "uniform,zipf:1"},
			[]string{"vocabulary-3-uniform", "vocabulary-3-zipf1", "vocabulary-8-uniform", "vocabulary-8-zipf1"}},
		{[]string{"--model", "coupled,vocabulary", "--vocab", "4"}, []string{"coupled", "vocabulary-4-uniform"}},
		{[]string{"--model", "vocabulary-4-balanced"}, []string{"vocabulary-4-balanced"}},
	} {
		dir := t.TempDir()
		args := append([]string{"sweep", "--d", "6", "--seeds", "1", "--workers", "1", "--quiet", "--out", dir}, c.args...)
		code, out, errs := runCLI(args...)
		if code != 0 {
			t.Errorf("%v: exit %d %s", c.args, code, errs)
			continue
		}
		recs, _, bad, err := experiment.ReadRecords(dir)
		if err != nil || len(bad) > 0 {
			t.Fatalf("%v: records: %v, %d bad lines", c.args, err, len(bad))
		}
		var got []string
		for _, r := range recs {
			if r.D != 6 || !r.Certified {
				t.Errorf("%v: record %+v", c.args, r)
			}
			got = append(got, r.Model.String())
		}
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("%v: records of %v, want %v", c.args, got, c.want)
		}
		// The table gives a vocabulary model's bits per parameter, not the
		// paper's scale, and says that one seed's interval is not a 95% one.
		vocab := slices.ContainsFunc(c.want, func(s string) bool { return strings.HasPrefix(s, "vocabulary-") })
		if strings.Contains(out, "bits/param") != vocab || !strings.Contains(out, "holds the median with probability 0%") {
			t.Errorf("%v: table\n%s", c.args, out)
		}
		// Their capacity is drawn in bits.png, the paper's models' in
		// capacity.png, and the last line names what was written.
		paper := slices.ContainsFunc(c.want, func(s string) bool { return !strings.HasPrefix(s, "vocabulary-") })
		for _, f := range []struct {
			name string
			want bool
		}{{"bits", vocab}, {"capacity", paper}} {
			_, err := os.Stat(filepath.Join(dir, f.name+".png"))
			if (err == nil) != f.want || strings.Contains(out, f.name+".png/svg") != f.want {
				t.Errorf("%v: %s.png written %v, named %v; want %v:\n%s", c.args, f.name, err == nil, strings.Contains(out, f.name+".png/svg"), f.want, out)
			}
		}
	}
}

// Vocabulary flags that do not fit are usage errors: one line, exit 2, no
// sweep directory.
func TestSweepVocabularyFlagsBad(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--model", "vocabulary"}, "needs --vocab"},
		{[]string{"--model", "coupled", "--vocab", "4"}, "beside vocabulary"},
		{[]string{"--answers", "zipf:1"}, "beside vocabulary"},
		{[]string{"--model", "vocabulary", "--vocab", "1"}, "--vocab"},
		{[]string{"--model", "vocabulary", "--vocab", "4", "--answers", "uniform,pareto"}, "--answers"},
		{[]string{"--model", "vocabulary", "--vocab", "4", "--answers", "a.npy"}, "draws its answers from the seeds"},
		{[]string{"--model", "vocabulary,vocabulary-4-uniform", "--vocab", "4"}, "twice"},
	} {
		dir := filepath.Join(t.TempDir(), "s")
		args := append([]string{"sweep", "--d", "6", "--seeds", "1", "--quiet", "--out", dir}, c.args...)
		code, out, errs := runCLI(args...)
		if code != 2 || out != "" || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and one line with %q", c.args, code, out, errs, c.want)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%v: %s left behind", c.args, dir)
		}
	}
	code, out, _ := runCLI("help", "sweep")
	if code != 0 || !strings.Contains(out, "vocabulary-V-ANSWERS") || !strings.Contains(out, "--vocab") {
		t.Errorf("help sweep: exit %d, does not show the vocabulary forms:\n%s", code, out)
	}
}
