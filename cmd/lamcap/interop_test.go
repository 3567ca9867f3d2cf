package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fx = "../../testdata/npy/"

func TestUserEmbeddingBadFiles(t *testing.T) {
	good := fx + "f8_2x3.npy"
	cases := []struct {
		inputs, targets, want string
	}{
		{fx + "i8_2x3.npy", good, "unsupported dtype"},
		{fx + "nan_2x3.npy", good, "NaN"},
		{fx + "vec_4.npy", good, "two dimensions"},
		{fx + "trunc_2x3.npy", good, "truncated"},
		{fx + "not_npy.npy", good, "not a NumPy"},
		{fx + "nope.npy", good, "no such file"},
		{good, fx + "f4_3x2.npy", "must match"},
	}
	for _, cmd := range []string{"solve", "threshold", "export", "instance"} {
		for _, c := range cases {
			args := []string{cmd, "--inputs", c.inputs, "--targets", c.targets, "--p", "2"}
			if cmd == "threshold" {
				args = args[:5]
			}
			if cmd == "export" || cmd == "instance" {
				args = append(args, "-o", filepath.Join(t.TempDir(), "out.mps"))
			}
			code, out, errs := runCLI(args...)
			base := filepath.Base(c.inputs)
			if c.want == "must match" {
				base = "f4_3x2.npy"
			}
			if code != 2 || out != "" || strings.Count(strings.TrimSpace(errs), "\n") != 0 ||
				!strings.Contains(errs, c.want) || !strings.Contains(errs, base) {
				t.Errorf("%s %s: exit %d, stderr %q; want exit 2 and one line naming %s with %q", cmd, c.inputs, code, errs, base, c.want)
			}
		}
	}
	code, _, errs := runCLI("solve", "--inputs", good, "--targets", good, "--model", "decoupled")
	if code != 2 || !strings.Contains(errs, "coupled model only") {
		t.Errorf("decoupled with user data: exit %d %q", code, errs)
	}
}

// instance writes files that, read back as user embeddings, give the same verdict.
func TestInstanceFilesReproduceTheInstance(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := runCLI("instance", "--d", "6", "--p", "12", "--seed", "4", "-o", dir); code != 0 {
		t.Fatalf("instance: %s", errs)
	}
	var meta map[string]any
	b, _ := os.ReadFile(filepath.Join(dir, "metadata.json"))
	if err := json.Unmarshal(b, &meta); err != nil || meta["seed"].(float64) != 4 || meta["p"].(float64) != 12 {
		t.Fatalf("metadata %s (%v)", b, err)
	}
	_, a, _ := runCLI("solve", "--d", "6", "--p", "12", "--seed", "4", "--json")
	_, u, _ := runCLI("solve", "--inputs", filepath.Join(dir, "X.npy"), "--targets", filepath.Join(dir, "Y.npy"), "--p", "12", "--json")
	var ra, ru map[string]any
	json.Unmarshal([]byte(a), &ra)
	json.Unmarshal([]byte(u), &ru)
	if ra["verdict"] != ru["verdict"] || ra["margin"] != ru["margin"] {
		t.Errorf("random instance %v/%v, from files %v/%v", ra["verdict"], ra["margin"], ru["verdict"], ru["margin"])
	}
	code, _, _ := runCLI("instance", "--d", "5", "--p", "4", "--model", "decoupled", "-o", dir)
	if _, err := os.Stat(filepath.Join(dir, "competitors.npy")); code != 0 || err != nil {
		t.Errorf("decoupled instance: exit %d, competitors.npy: %v", code, err)
	}
}

func TestVerifyCertificates(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"5", "20"} { // storable (p < d) and not storable
		cert := filepath.Join(dir, "c"+p+".json")
		if code, _, errs := runCLI("solve", "--d", "6", "--p", p, "--seed", "2", "--certificate", cert); code != 0 {
			t.Fatalf("solve: %s", errs)
		}
		code, out, errs := runCLI("verify", cert)
		if code != 0 || !strings.HasPrefix(out, "certificate holds") {
			t.Fatalf("verify p=%s: exit %d %q %q", p, code, out, errs)
		}
		var c map[string]any
		b, _ := os.ReadFile(cert)
		json.Unmarshal(b, &c)
		if w, ok := c["w"].([]any); ok {
			row := w[0].([]any)
			row[0] = row[0].(float64) + 50
		} else {
			l := c["lambda"].([]any)
			l[0].(map[string]any)["weight"] = l[0].(map[string]any)["weight"].(float64) * 3
		}
		bad := filepath.Join(dir, "bad"+p+".json")
		b, _ = json.Marshal(c)
		os.WriteFile(bad, b, 0o644)
		code, _, errs = runCLI("verify", bad)
		if code != 1 || !strings.Contains(errs, "certificate rejected") {
			t.Errorf("tampered p=%s: exit %d %q", p, code, errs)
		}
	}
	if code, _, _ := runCLI("verify", filepath.Join(dir, "none.json")); code != 2 {
		t.Errorf("missing certificate: exit %d", code)
	}
}
