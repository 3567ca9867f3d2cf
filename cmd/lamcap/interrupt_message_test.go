package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// An interrupted command says whether it kept anything: a sweep keeps its
// finished units and resumes; threshold keeps nothing (it said "finished work
// is saved" too, and mechanism, whose --out stays empty, as well).
func TestInterruptSaysWhatIsKept(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"threshold", "--d", "8", "--seeds", "1:2"}, "lamcap threshold: interrupted; it keeps nothing to resume from"},
		{[]string{"mechanism", "--d", "6", "--seeds", "1:2", "--out", filepath.Join(t.TempDir(), "m")}, "lamcap mechanism: interrupted; it keeps nothing to resume from"},
		{[]string{"sweep", "--d", "6", "--seeds", "2", "--quiet", "--out", filepath.Join(t.TempDir(), "s")}, "lamcap sweep: interrupted; finished work is saved"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(ctx, c.args, &stdout, &stderr); code != 130 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%s: exit %d, stderr %q; want 130 and %q", strings.Join(c.args, " "), code, stderr.String(), c.want)
		}
	}
}

// --answers speaks of answer files only in the commands that take
// --inputs/--targets (rules, mechanism and two-layer said "with
// --inputs/--targets: a .npy file", a flag they do not have).
func TestAnswersHelpOnlyWhereFilesAre(t *testing.T) {
	for cmd, files := range map[string]bool{"solve": true, "threshold": true, "margin": true, "rules": false, "mechanism": false, "two-layer": false} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), []string{cmd, "--help"}, &stdout, &stderr); code != 0 {
			t.Fatalf("%s --help: exit %d", cmd, code)
		}
		var answers string
		for _, line := range strings.Split(stdout.String(), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "--answers ") {
				answers = line
			}
		}
		if answers == "" || strings.Contains(answers, "--inputs") != files || strings.Contains(stdout.String(), "--inputs string") != files {
			t.Errorf("%s: --answers help %q; files taken: %v", cmd, answers, files)
		}
	}
}
