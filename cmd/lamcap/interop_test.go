package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/certificate"
	"github.com/lamcap/lamcap/internal/outdir"
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

// Without --p, user files give the instance of all their rows (it was 16, an
// error for these 12-row files); --d equal to the files' d is accepted.
func TestUserFilesUseAllRows(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := runCLI("instance", "--d", "6", "--p", "12", "--seed", "4", "-o", dir); code != 0 {
		t.Fatalf("instance: %s", errs)
	}
	x, y := filepath.Join(dir, "X.npy"), filepath.Join(dir, "Y.npy")
	for _, extra := range [][]string{nil, {"--d", "6"}} {
		args := append([]string{"solve", "--inputs", x, "--targets", y, "--json"}, extra...)
		code, out, errs := runCLI(args...)
		var rec map[string]any
		if code != 0 || json.Unmarshal([]byte(out), &rec) != nil || rec["p"] != 12.0 || rec["d"] != 6.0 {
			t.Errorf("%v: exit %d, %s %s; want p=12 d=6", extra, code, out, errs)
		}
	}
	code, out, _ := runCLI("solve", "--inputs", x, "--targets", y, "--p", "5")
	if code != 0 || !strings.Contains(out, "d=6 p=5 model=coupled embedding=user") {
		t.Errorf("explicit --p: exit %d %q", code, out)
	}
	code, out, _ = runCLI("solve", "--help")
	if code != 0 || !strings.Contains(out, "with --inputs: all the rows") {
		t.Errorf("--help does not say what --p means with files: %q", out)
	}
}

// Issue 11, item 4: d=8 p=20 seed=2001 is storable (t* = 0.048). A certificate
// claiming not-storable passed when the file said eps = 0.1, 10 or 1e6; verify now
// holds every lambda to its own eps and says which.
func TestVerifyOwnsItsTolerance(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	code, out, _ := runCLI("solve", "--d", "8", "--p", "20", "--seed", "2001", "--certificate", good)
	if code != 0 || !strings.HasPrefix(out, "storable") || !strings.Contains(out, "t* = 0.0478") {
		t.Fatalf("d=8 p=20 seed=2001: exit %d %q", code, out)
	}
	b, _ := os.ReadFile(good)
	for _, eps := range []float64{0.1, 10, 1e6} {
		for _, format := range []string{"lamcap-certificate/1", certificate.Format} {
			var c map[string]any
			json.Unmarshal(b, &c)
			delete(c, "w")
			c["format"], c["verdict"] = format, "not-storable"
			c["lambda"] = []map[string]any{{"mu": 0, "v": 1, "weight": 1}, {"mu": 3, "v": 2, "weight": 2}}
			if format == certificate.Format {
				c["solve_eps"] = eps
			} else {
				c["eps"] = eps
			}
			forged := filepath.Join(dir, "forged.json")
			fb, _ := json.Marshal(c)
			os.WriteFile(forged, fb, 0o644)
			for _, args := range [][]string{{"verify", forged}, {"verify", "--eps", "0.04", forged}} {
				code, out, errs := runCLI(args...)
				if code == 0 || out != "" || (format == certificate.Format && !strings.Contains(errs, "certificate rejected")) {
					t.Errorf("%s with eps %g in the file, %v: exit %d, %q %q", format, eps, args, code, out, errs)
				}
			}
		}
	}
	// A genuine not-storable certificate holds, and verify prints its eps.
	ns := filepath.Join(dir, "ns.json")
	if code, _, errs := runCLI("solve", "--d", "8", "--p", "40", "--seed", "2001", "--certificate", ns); code != 0 {
		t.Fatal(errs)
	}
	for args, want := range map[string]string{"": "<= eps 1e-06 (verify's default)", "--eps=0.0001": "<= eps 0.0001 (from --eps)"} {
		a := []string{"verify", ns}
		if args != "" {
			a = []string{"verify", args, ns}
		}
		code, out, errs := runCLI(a...)
		if code != 0 || !strings.HasPrefix(out, "certificate holds: not-storable") || !strings.Contains(out, want) {
			t.Errorf("verify %v: exit %d %q %q, want %q", a, code, out, errs, want)
		}
	}
}

// A certificate on user files names their content: verify finds moved files
// through --inputs/--targets, and rejects changed ones.
func TestUserCertificateNamesItsData(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := runCLI("instance", "--d", "6", "--p", "12", "--seed", "4", "-o", dir); code != 0 {
		t.Fatal(errs)
	}
	x, y := filepath.Join(dir, "X.npy"), filepath.Join(dir, "Y.npy")
	cert := filepath.Join(dir, "c.json")
	if code, _, errs := runCLI("solve", "--inputs", x, "--targets", y, "--p", "20", "--certificate", cert); code != 2 || !strings.Contains(errs, "exceeds the 12") {
		t.Errorf("--p 20 on 12 rows: %d %s", code, errs)
	}
	if code, _, errs := runCLI("solve", "--inputs", x, "--targets", y, "--certificate", cert); code != 0 {
		t.Fatal(errs)
	}
	if code, out, errs := runCLI("verify", cert); code != 0 || !strings.Contains(out, "from "+x) {
		t.Fatalf("verify: %d %q %q", code, out, errs)
	}
	// The same numbers elsewhere.
	moved := t.TempDir()
	for _, f := range []string{"X.npy", "Y.npy"} {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		os.WriteFile(filepath.Join(moved, f), b, 0o644)
	}
	if code, out, errs := runCLI("verify", "--inputs", filepath.Join(moved, "X.npy"), "--targets", filepath.Join(moved, "Y.npy"), cert); code != 0 {
		t.Errorf("moved files: %d %q %q", code, out, errs)
	}
	// Other numbers: the instance of seed 5 in the same place.
	if code, _, errs := runCLI("instance", "--d", "6", "--p", "12", "--seed", "5", "-o", dir); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := runCLI("verify", cert); code != 1 || !strings.Contains(errs, "certificate rejected: it names an instance with sha256") {
		t.Errorf("changed files: exit %d %q", code, errs)
	}
	if code, _, errs := runCLI("verify", "--inputs", x, filepath.Join(dir, "none.json")); code != 2 || !strings.Contains(errs, "no such file") {
		t.Errorf("missing certificate: exit %d %q", code, errs)
	}
}

// A failed certificate write keeps the old file byte for byte and still prints
// the verdict; a failed instance write keeps the old instance and leaves no
// staging files; a coupled instance over a decoupled one drops competitors.npy.
func TestAtomicOutputs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "full")
	os.Mkdir(dir, 0o755)
	cert := filepath.Join(dir, "c.json")
	if code, _, errs := runCLI("solve", "--d", "6", "--p", "5", "--seed", "3", "--certificate", cert); code != 0 {
		t.Fatal(errs)
	}
	old, _ := os.ReadFile(cert)
	inst := filepath.Join(dir, "inst")
	if code, _, errs := runCLI("instance", "--d", "5", "--p", "4", "--model", "decoupled", "-o", inst); code != 0 {
		t.Fatal(errs)
	}
	before := snapshot(t, dir)
	failUnder(t)
	code, out, errs := runCLI("solve", "--d", "6", "--p", "30", "--seed", "3", "--certificate", cert)
	if b, _ := os.ReadFile(cert); code != 1 || !strings.HasPrefix(out, "not-storable  (certified") || string(b) != string(old) ||
		!strings.Contains(errs, "no space left on device") {
		t.Errorf("full disk: exit %d, stdout %q, stderr %q, certificate changed: %v", code, out, errs, string(b) != string(old))
	}
	code, _, errs = runCLI("instance", "--d", "6", "--p", "9", "-o", inst)
	if code != 1 || !strings.Contains(errs, "nothing in") {
		t.Errorf("instance on a full disk: exit %d %q", code, errs)
	}
	if after := snapshot(t, dir); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("a failed write changed the directory:\n%v\nbefore\n%v", after, before)
	}
	outdir.Hook = nil
	os.Mkdir(filepath.Join(inst, ".lamcap-staging-killed"), 0o700) // as a killed run leaves it
	if code, _, errs := runCLI("instance", "--d", "6", "--p", "9", "-o", inst); code != 0 {
		t.Fatal(errs)
	}
	entries, _ := os.ReadDir(inst)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "X.npy Y.npy metadata.json" {
		t.Errorf("coupled instance over a decoupled one left %v", names)
	}
}

// margin validates p before reading the files: it too uses all their rows.
func TestMarginUsesAllRows(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := runCLI("instance", "--d", "4", "--p", "6", "--seed", "4", "-o", dir); code != 0 {
		t.Fatalf("instance: %s", errs)
	}
	code, out, errs := runCLI("margin", "--inputs", filepath.Join(dir, "X.npy"), "--targets", filepath.Join(dir, "Y.npy"), "--json")
	var rec map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &rec) != nil || rec["p"] != 6.0 {
		t.Errorf("margin on 6 rows: exit %d %q %q", code, out, errs)
	}
}
