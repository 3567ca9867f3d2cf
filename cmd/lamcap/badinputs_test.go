package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lamcap/lamcap/internal/outdir"
	"github.com/lamcap/lamcap/model"
)

// badInputsDoc is the table of bad inputs this test keeps true.
const badInputsDoc = "../../docs/bad-inputs.md"

// badInput is one row of a table in docs/bad-inputs.md.
type badInput struct {
	line                  int
	what, command         string
	exit                  int
	stderrSays, stdoutSay string
}

// readBadInputs parses every table of the doc whose header starts with
// "| Bad input | Command |".
func readBadInputs(t *testing.T) []badInput {
	f, err := os.Open(badInputsDoc)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []badInput
	var cols map[string]int
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "|") {
			cols = nil
			continue
		}
		cells := splitRow(line)
		if strings.HasPrefix(line, "| Bad input | Command |") {
			cols = map[string]int{}
			for i, c := range cells {
				cols[c] = i
			}
			for _, need := range []string{"Bad input", "Command", "Exit", "stderr says", "stdout says"} {
				if _, ok := cols[need]; !ok {
					t.Fatalf("%s:%d: table lacks the column %q", badInputsDoc, n, need)
				}
			}
			continue
		}
		if cols == nil || strings.HasPrefix(line, "|---") {
			continue
		}
		if len(cells) != len(cols) {
			t.Fatalf("%s:%d: %d cells, the header has %d", badInputsDoc, n, len(cells), len(cols))
		}
		exit, err := strconv.Atoi(cells[cols["Exit"]])
		if err != nil {
			t.Fatalf("%s:%d: exit %q", badInputsDoc, n, cells[cols["Exit"]])
		}
		rows = append(rows, badInput{line: n, what: cells[cols["Bad input"]], command: strings.Trim(cells[cols["Command"]], "`"),
			exit: exit, stderrSays: cells[cols["stderr says"]], stdoutSay: cells[cols["stdout says"]]})
	}
	return rows
}

// splitRow splits a markdown table row on its unescaped bars.
func splitRow(line string) []string {
	line = strings.TrimSuffix(strings.TrimPrefix(line, "|"), "|")
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '|':
			cur.WriteByte('|')
			i++
		case line[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(line[i])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

// fullDiskWriter fails as a full disk does, after a few bytes.
type fullDiskWriter struct {
	w    io.Writer
	left int
}

func (f *fullDiskWriter) Write(p []byte) (int, error) {
	if len(p) > f.left {
		n, _ := f.w.Write(p[:f.left])
		f.left = 0
		return n, syscall.ENOSPC
	}
	f.left -= len(p)
	return f.w.Write(p)
}

// failUnder makes every output written under a directory named "full" fail.
func failUnder(t *testing.T) {
	outdir.Hook = func(path string, w io.Writer) io.Writer {
		if strings.Contains(filepath.ToSlash(path), "/full/") {
			return &fullDiskWriter{w: w, left: 100}
		}
		return w
	}
	t.Cleanup(func() { outdir.Hook = nil })
}

// snapshot lists every path under dir with its size.
func snapshot(t *testing.T, dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, fmt.Sprintf("%s %v %d", rel, info.Mode().Type(), info.Size()))
		return nil
	})
	sort.Strings(out)
	return out
}

// badInputFixtures prepares $FIX: a genuine certificate for d=8 p=20 seed=2001
// (storable, t* = 0.048), forged and damaged variants of it, and a directory
// holding a user's file.
func badInputFixtures(t *testing.T) string {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	if code, _, errs := runCLI("solve", "--d", "8", "--p", "20", "--seed", "2001", "--certificate", good); code != 0 {
		t.Fatalf("solve: %s", errs)
	}
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	load := func() map[string]any {
		var c map[string]any
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	save := func(name string, c map[string]any) {
		out, _ := json.MarshalIndent(c, "", " ")
		if err := os.WriteFile(filepath.Join(dir, name), out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	forge := func(eps float64) map[string]any {
		c := load()
		delete(c, "w")
		c["verdict"] = "not-storable"
		c["solve_eps"] = eps
		c["lambda"] = []map[string]any{{"mu": 0, "v": 1, "weight": 1}, {"mu": 1, "v": 0, "weight": 1}, {"mu": 5, "v": 7, "weight": 0.5}}
		return c
	}
	for _, eps := range []string{"0.1", "10", "1e6"} {
		e, _ := strconv.ParseFloat(eps, 64)
		save("forged-"+eps+".json", forge(e))
	}
	c := forge(0.1)
	delete(c, "solve_eps")
	c["eps"] = 0.1
	save("eps-field.json", c)
	inst := c["instance"].(map[string]any)
	delete(inst, "sha256")
	c["format"] = "lamcap-certificate/1"
	save("format1.json", c)
	c = load()
	c["instance"].(map[string]any)["seed"] = 2002
	save("other-seed.json", c)
	c = load()
	c["instance"].(map[string]any)["model"] = "decoupled"
	save("other-model.json", c)
	c = forge(1e-6)
	c["instance"].(map[string]any)["d"] = 60000
	c["instance"].(map[string]any)["p"] = 100000
	save("huge.json", c)
	c = load()
	w := c["w"].([]any)
	w[3] = w[3].([]any)[:7]
	save("w-shape.json", c)
	c = forge(1e-6)
	c["lambda"] = []map[string]any{{"mu": 0, "v": 20, "weight": 1}}
	save("lambda-row.json", c)
	// Forgeries the strict reader refuses: a key given twice (the last would
	// win in a lenient reader), a key in another case, text after the object.
	raw := func(name string, text []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), text, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw("dup-verdict.json", bytes.Replace(b, []byte("{"), []byte("{\n \"verdict\": \"not-storable\","), 1))
	raw("case-verdict.json", bytes.Replace(b, []byte(`"verdict"`), []byte(`"VERDICT"`), 1))
	raw("trailing.json", append(bytes.Clone(bytes.TrimRight(b, "\n")), "}\n"...))
	// Forgeries through subnormal numbers: a lambda of one weight 5e-324 (its
	// products underflow to zero unnormalised), W scaled by 2^-1074 (a few
	// multiples of the smallest subnormal), a W entry of 5e-324 beside 1.
	c = forge(1e-6)
	c["lambda"] = []map[string]any{{"mu": 0, "v": 1, "weight": 5e-324}}
	save("tiny-lambda.json", c)
	c = load()
	for _, row := range c["w"].([]any) {
		for j, x := range row.([]any) {
			row.([]any)[j] = x.(float64) * 0x1p-1074
		}
	}
	save("tiny-w.json", c)
	c = load()
	c["w"].([]any)[2].([]any)[3] = 5e-324
	save("subnormal-w.json", c)
	os.Mkdir(filepath.Join(dir, "foreign"), 0o755)
	os.WriteFile(filepath.Join(dir, "foreign", "notes.txt"), []byte("mine\n"), 0o644)
	if err := os.Symlink(good, filepath.Join(dir, "link.json")); err != nil {
		t.Fatal(err)
	}
	sweepFixtures(t, dir)
	return dir
}

// sweepFixtures adds sweep directories to $FIX: sweep (d = 6, seeds 1:2,
// coupled), shifted (the same with its first record's p*, lower and upper
// moved up by 3, consistently), bare (its first record without certificates),
// digests (digests only, its certificates not there), one (its first record alone),
// usergrid (a folder holding a user's own grid.json, with no version) and
// usersweep (a sweep of user/X.npy and user/Y.npy, d = 4, p = 10, after
// which one entry of X.npy changed).
func sweepFixtures(t *testing.T, dir string) {
	sw := filepath.Join(dir, "sweep")
	if code, _, errs := runCLI("sweep", "--d", "6", "--seeds", "1:2", "--model", "coupled", "--quiet", "--out", sw); code != 0 {
		t.Fatalf("sweep: %s", errs)
	}
	recs, err := os.ReadFile(filepath.Join(sw, "records.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	first, rest, _ := strings.Cut(string(recs), "\n")
	variant := func(name string, change func(r map[string]any)) {
		var r map[string]any
		if err := json.Unmarshal([]byte(first), &r); err != nil {
			t.Fatal(err)
		}
		change(r)
		b, _ := json.Marshal(r)
		d := filepath.Join(dir, name)
		os.Mkdir(d, 0o755)
		for _, f := range []string{"grid.json", "certificates.jsonl"} {
			c, _ := os.ReadFile(filepath.Join(sw, f))
			os.WriteFile(filepath.Join(d, f), c, 0o644)
		}
		os.WriteFile(filepath.Join(d, "records.jsonl"), append(append(b, '\n'), rest...), 0o644)
	}
	variant("shifted", func(r map[string]any) {
		for _, k := range []string{"p_star", "lower", "upper"} {
			r[k] = r[k].(float64) + 3
		}
	})
	variant("bare", func(r map[string]any) { delete(r, "certificates") })
	// digests: the sweep as --digests-only writes it, certificates.jsonl
	// without the certificates its records name by digest.
	variant("digests", func(map[string]any) {})
	// one: the sweep's first record alone (a group with a single instance).
	one := filepath.Join(dir, "one")
	os.Mkdir(one, 0o755)
	for _, f := range []string{"grid.json", "certificates.jsonl"} {
		c, _ := os.ReadFile(filepath.Join(sw, f))
		os.WriteFile(filepath.Join(one, f), c, 0o644)
	}
	os.WriteFile(filepath.Join(one, "records.jsonl"), []byte(first+"\n"), 0o644)
	// kappa: the sweep with kappa 0.5 in its grid.json (other instances);
	// v1shift: version 1, its first record without certificates and
	// shifted by 3 (taken as written, in conflict with the sweep's).
	variant("kappa", func(map[string]any) {})
	variant("v1shift", func(r map[string]any) {
		delete(r, "certificates")
		for _, k := range []string{"p_star", "lower", "upper"} {
			r[k] = r[k].(float64) + 3
		}
	})
	os.WriteFile(filepath.Join(dir, "digests", "certificates.jsonl"), nil, 0o644)
	for name, edit := range map[string]func(g map[string]any){
		"kappa":   func(g map[string]any) { g["kappa"] = 0.5 },
		"v1shift": func(g map[string]any) { g["version"] = 1 },
		"digests": func(g map[string]any) { g["digests_only"] = true },
	} {
		var g map[string]any
		b, _ := os.ReadFile(filepath.Join(sw, "grid.json"))
		json.Unmarshal(b, &g)
		edit(g)
		b, _ = json.Marshal(g)
		os.WriteFile(filepath.Join(dir, name, "grid.json"), b, 0o644)
	}
	// fifodir: the sweep with a named pipe as records.jsonl; zerogrid: with
	// /dev/zero as grid.json.
	for name, file := range map[string]string{"fifodir": "records.jsonl", "zerogrid": "grid.json"} {
		d := filepath.Join(dir, name)
		os.Mkdir(d, 0o755)
		for _, f := range []string{"grid.json", "records.jsonl", "certificates.jsonl"} {
			if f != file {
				c, _ := os.ReadFile(filepath.Join(sw, f))
				os.WriteFile(filepath.Join(d, f), c, 0o644)
			}
		}
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifodir", "records.jsonl"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zerogrid", "grid.json")); err != nil {
		t.Fatal(err)
	}
	// figfifo: a folder with a named pipe where validate --report
	// figfifo/r.md would write a figure.
	os.Mkdir(filepath.Join(dir, "figfifo"), 0o755)
	if err := syscall.Mkfifo(filepath.Join(dir, "figfifo", "r-scale.svg"), 0o600); err != nil {
		t.Fatal(err)
	}
	// inst: instance files of d = 6, p = 5, seed 1 with a directory where
	// Y.npy was.
	inst := filepath.Join(dir, "inst")
	if code, _, errs := runCLI("instance", "--d", "6", "--p", "5", "--seed", "1", "-o", inst); code != 0 {
		t.Fatalf("instance: %s", errs)
	}
	os.Remove(filepath.Join(inst, "Y.npy"))
	os.Mkdir(filepath.Join(inst, "Y.npy"), 0o755)
	userSweepFixture(t, dir)
	os.Mkdir(filepath.Join(dir, "usergrid"), 0o755)
	os.WriteFile(filepath.Join(dir, "usergrid", "grid.json"), []byte(`{"d":[6],"models":["coupled"],"seed_first":1,"seed_last":2,"embedding":"gaussian","rows":"implicit","eps":1e-6,"initial_rows":2,"add_rows":4}`+"\n"), 0o644)
}

// userSweepFixture sweeps user/X.npy and user/Y.npy into usersweep, then
// changes one entry of X.npy.
func userSweepFixture(t *testing.T, dir string) {
	in, err := model.NewInstance(model.Random{D: 4, Seed: 3, Kind: model.Coupled}, 10)
	if err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(dir, "user"), 0o755)
	x, y := filepath.Join(dir, "user", "X.npy"), filepath.Join(dir, "user", "Y.npy")
	if model.WriteNPY(x, in.X) != nil || model.WriteNPY(y, in.Y) != nil {
		t.Fatal("writing the user's arrays")
	}
	if code, _, errs := runCLI("sweep", "--inputs", x, "--targets", y, "--quiet", "--out", filepath.Join(dir, "usersweep")); code != 0 {
		t.Fatalf("user sweep: %s", errs)
	}
	in.X.Set(0, 0, in.X.At(0, 0)*2)
	if err := model.WriteNPY(x, in.X); err != nil {
		t.Fatal(err)
	}
}

var envWord = regexp.MustCompile(`^[A-Z_]+=`)

// TestBadInputsTable runs every row of docs/bad-inputs.md through run: the exit
// status, one line on stderr with the documented text, the documented stdout,
// and nothing left behind in the row's scratch directory ($OUT, a directory of
// its own, takes the outputs of the rows that succeed).
func TestBadInputsTable(t *testing.T) {
	rows := readBadInputs(t)
	if len(rows) < 40 {
		t.Fatalf("read %d rows from %s: the tables did not parse", len(rows), badInputsDoc)
	}
	fix := badInputFixtures(t)
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	npy, _ := filepath.Abs(fx)
	failUnder(t)
	for _, r := range rows {
		t.Run(fmt.Sprintf("line%d", r.line), func(t *testing.T) {
			tmp := t.TempDir()
			os.Mkdir(filepath.Join(tmp, "full"), 0o755)
			repl := strings.NewReplacer("$NPY", filepath.Clean(npy), "$FIX", fix, "$TMP", tmp, "$FIFO", fifo, "$OUT", t.TempDir())
			var args []string
			for _, w := range strings.Fields(r.command) {
				if args == nil && envWord.MatchString(w) {
					k, v, _ := strings.Cut(w, "=")
					t.Setenv(k, v)
					continue
				}
				if args == nil {
					if w != "lamcap" {
						t.Fatalf("command %q does not start with lamcap", r.command)
					}
					args = []string{}
					continue
				}
				w = repl.Replace(w)
				if w == "''" { // the empty argument
					w = ""
				}
				if strings.Contains(w, "$") {
					t.Fatalf("unknown placeholder in %q", w)
				}
				args = append(args, w)
			}
			before, fixBefore := snapshot(t, tmp), snapshot(t, fix)
			type result struct {
				code     int
				out, err string
			}
			done := make(chan result, 1)
			go func() {
				code, out, errs := runCLI(args...)
				done <- result{code, out, errs}
			}()
			var res result
			select {
			case res = <-done:
			case <-time.After(2 * time.Minute):
				t.Fatalf("%s (%s): did not return", r.command, r.what)
			}
			if res.code != r.exit {
				t.Errorf("%s (%s): exit %d, want %d; stderr %q", r.command, r.what, res.code, r.exit, res.err)
			}
			if strings.Count(strings.TrimRight(res.err, "\n"), "\n") != 0 || !strings.Contains(res.err, r.stderrSays) {
				t.Errorf("%s (%s): stderr %q, want one line containing %q", r.command, r.what, res.err, r.stderrSays)
			}
			if r.stdoutSay == "—" {
				if res.out != "" {
					t.Errorf("%s (%s): stdout %q, want none", r.command, r.what, res.out)
				}
			} else if !strings.Contains(res.out, r.stdoutSay) {
				t.Errorf("%s (%s): stdout %q, want it to contain %q", r.command, r.what, res.out, r.stdoutSay)
			}
			if after := snapshot(t, tmp); strings.Join(after, "\n") != strings.Join(before, "\n") {
				t.Errorf("%s (%s): left files behind: %v (before: %v)", r.command, r.what, after, before)
			}
			// Nor in the fixtures, the user's folders (a sweep.lock, say).
			if after := snapshot(t, fix); strings.Join(after, "\n") != strings.Join(fixBefore, "\n") {
				t.Errorf("%s (%s): changed $FIX: %v (before: %v)", r.command, r.what, after, fixBefore)
			}
		})
	}
}
