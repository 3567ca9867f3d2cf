package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/certificate"
	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// solve --arrays writes W or lambda as .npy; read back, they are the
// certificate's numbers, and they pass the certificate checks on the instance.
func TestSolveArrays(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a")
	for _, c := range []struct {
		seed    string
		verdict feasibility.Status
		file    string
	}{{"1", feasibility.Storable, "W.npy"}, {"2", feasibility.NotStorable, "lambda.npy"}} {
		if code, _, errs := runCLI("solve", "--d", "10", "--p", "32", "--seed", c.seed, "--arrays", dir); code != 0 {
			t.Fatalf("solve --arrays: exit %d: %s", code, errs)
		}
		names, _ := filepath.Glob(filepath.Join(dir, "*"))
		want := []string{c.file, "certificate.json", "metadata.json"}
		if len(names) != len(want) {
			t.Fatalf("seed %s: files %v, want %v (a later verdict leaves no stale evidence)", c.seed, names, want)
		}
		b, err := os.ReadFile(filepath.Join(dir, "certificate.json"))
		if err != nil {
			t.Fatal(err)
		}
		cert, err := certificate.Parse(b)
		if err != nil || cert.Verdict != string(c.verdict) {
			t.Fatalf("seed %s: certificate %v %v, want %s", c.seed, cert, err, c.verdict)
		}
		a, err := model.ReadNPY(filepath.Join(dir, c.file), false)
		if err != nil {
			t.Fatal(err)
		}
		in, err := model.NewInstance(model.Random{D: 10, Seed: uint64(c.seed[0] - '0'), Kind: model.Coupled}, 32)
		if err != nil {
			t.Fatal(err)
		}
		if c.verdict == feasibility.Storable {
			for i, row := range cert.W {
				for j, w := range row {
					if a.At(i, j) != w {
						t.Fatalf("W.npy[%d, %d] = %v, certificate %v", i, j, a.At(i, j), w)
					}
				}
			}
			if chk := lp.CheckStorable(in, a); !chk.OK {
				t.Errorf("W.npy does not store the instance: %+v", chk)
			}
			continue
		}
		r, _ := a.Dims()
		if r != len(cert.Lambda) {
			t.Fatalf("lambda.npy has %d rows, the certificate %d", r, len(cert.Lambda))
		}
		var lam []lp.Weighted
		for k, l := range cert.Lambda {
			if a.At(k, 0) != float64(l.Mu) || a.At(k, 1) != float64(l.V) || a.At(k, 2) != l.Weight {
				t.Fatalf("lambda.npy row %d = %v, certificate %+v", k, a.RawRowView(k), l)
			}
			lam = append(lam, lp.Weighted{Row: lp.Row{Mu: l.Mu, V: l.V}, Weight: l.Weight})
		}
		if chk := lp.CheckNotStorable(in, lam, feasibility.DefaultEps); !chk.OK {
			t.Errorf("lambda.npy does not certify: %+v", chk)
		}
	}
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644)
	code, _, errs := runCLI("solve", "--d", "6", "--p", "8", "--arrays", other)
	if code != 2 || !strings.Contains(errs, "--arrays") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Errorf("--arrays into a foreign directory: exit %d, %q; want one line, exit 2", code, errs)
	}
}

// LAMCAP_PROGRESS=lines reports the start and every finished unit of a sweep.
func TestSweepProgressLines(t *testing.T) {
	t.Setenv(progressEnv, "lines")
	out := filepath.Join(t.TempDir(), "s")
	code, _, errs := runCLI("sweep", "--d", "6", "--seeds", "3", "--model", "coupled", "--workers", "1", "--out", out)
	if code != 0 {
		t.Fatalf("sweep: exit %d: %s", code, errs)
	}
	re := regexp.MustCompile(`(?m)^lamcap s: (\d+)/3 units done, elapsed \S+$`)
	m := re.FindAllStringSubmatch(errs, -1)
	if len(m) != 4 || m[0][1] != "0" || m[3][1] != "3" {
		t.Errorf("progress lines %q: want 0/3 .. 3/3, one per update", errs)
	}
	var n int
	b, _ := os.ReadFile(filepath.Join(out, experiment.RecordsFile))
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r map[string]any
		if json.Unmarshal([]byte(line), &r) == nil {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d records, want 3", n)
	}
}
