// Command sweepcheck checks lamcap sweep directories for the cluster test
// (scripts/cluster/test-cluster.sh). It reads the files directly (grid.json,
// records.jsonl, summary.json) and does not use lamcap's own code, so that it
// checks the sweep rather than repeating it.
//
//	sweepcheck same REF DIR       DIR holds the whole grid of REF, each unit once, with
//	                              the same p* (and bracket, certification) as REF, and
//	                              the same summary.json apart from timings
//	sweepcheck shard DIR K/N REF  DIR holds exactly shard K of N of its grid (unit i of
//	                              the grid's order d, model, seed goes to shard
//	                              i mod N + 1), each unit once, with REF's p*
//	sweepcheck kept SNAPSHOT DIR  DIR/records.jsonl still begins with every complete
//	                              line of SNAPSHOT (a copy of an earlier records.jsonl),
//	                              byte for byte: nothing finished was lost or redone
//	sweepcheck count DIR          prints the number of complete records in DIR
//	sweepcheck readme README FILE README shows FILE verbatim in a ```sh block, once
//
// It exits 0 when the check holds, 1 with the reasons when not, 2 on misuse.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
)

type unit struct {
	D     int    `json:"d"`
	Model string `json:"model"`
	Seed  int64  `json:"seed"`
}

func (u unit) String() string { return fmt.Sprintf("d=%d %s seed=%d", u.D, u.Model, u.Seed) }

// result is what must not depend on where or how often a unit ran.
type result struct {
	Embedding string `json:"embedding"`
	PStar     int    `json:"p_star"`
	Certified bool   `json:"certified"`
	Lower     int    `json:"lower"`
	Upper     int    `json:"upper"`
}

type record struct {
	unit
	result
}

type grid struct {
	Ds        []int    `json:"d"`
	Models    []string `json:"models"`
	SeedFirst int64    `json:"seed_first"`
	SeedLast  int64    `json:"seed_last"`
}

func (g grid) units() []unit {
	var out []unit
	for _, d := range g.Ds {
		for _, m := range g.Models {
			for s := g.SeedFirst; s <= g.SeedLast; s++ {
				out = append(out, unit{d, m, s})
			}
		}
	}
	return out
}

// problems collects what is wrong; the first few of each kind are shown.
type problems struct{ list []string }

func (p *problems) addf(format string, a ...any) { p.list = append(p.list, fmt.Sprintf(format, a...)) }

func (p *problems) report(what string) int {
	if len(p.list) == 0 {
		return 0
	}
	fmt.Fprintf(os.Stderr, "sweepcheck: %s: %d problems\n", what, len(p.list))
	for i, s := range p.list {
		if i == 20 {
			fmt.Fprintf(os.Stderr, "  ... and %d more\n", len(p.list)-i)
			break
		}
		fmt.Fprintf(os.Stderr, "  %s\n", s)
	}
	return 1
}

func readGrid(dir string) (grid, []byte, error) {
	var g grid
	b, err := os.ReadFile(filepath.Join(dir, "grid.json"))
	if err != nil {
		return g, nil, err
	}
	if err := json.Unmarshal(b, &g); err != nil {
		return g, nil, fmt.Errorf("%s/grid.json: %w", dir, err)
	}
	return g, b, nil
}

// readRecords reads DIR/records.jsonl. Every line must be a complete record of a
// finished sweep; a unit found twice is a problem (the store must never write one
// twice, even across restarts and concurrent attempts).
func readRecords(dir string, p *problems) (map[unit]result, int, error) {
	b, err := os.ReadFile(filepath.Join(dir, "records.jsonl"))
	if err != nil {
		return nil, 0, err
	}
	out := map[unit]result{}
	lines := 0
	for i, line := range bytes.SplitAfter(b, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		lines++
		if line[len(line)-1] != '\n' {
			p.addf("%s/records.jsonl: line %d is incomplete (no newline)", dir, i+1)
			continue
		}
		var r record
		if err := json.Unmarshal(line, &r); err != nil {
			p.addf("%s/records.jsonl: line %d: %v", dir, i+1, err)
			continue
		}
		if _, dup := out[r.unit]; dup {
			p.addf("%s/records.jsonl: %v appears more than once (line %d)", dir, r.unit, i+1)
			continue
		}
		out[r.unit] = r.result
	}
	return out, lines, nil
}

// compare checks that got holds exactly the units want, with ref's results.
func compare(p *problems, dir string, got map[unit]result, want []unit, ref map[unit]result) {
	in := map[unit]bool{}
	for _, u := range want {
		in[u] = true
		g, ok := got[u]
		if !ok {
			p.addf("%s: %v is missing", dir, u)
			continue
		}
		r, ok := ref[u]
		if !ok {
			p.addf("reference lacks %v", u)
			continue
		}
		if g != r {
			p.addf("%s: %v: got %+v, the single-machine run has %+v", dir, u, g, r)
		}
	}
	var extra []unit
	for u := range got {
		if !in[u] {
			extra = append(extra, u)
		}
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i].String() < extra[j].String() })
	for _, u := range extra {
		p.addf("%s: %v does not belong here", dir, u)
	}
}

// summaryWithoutTimes reads summary.json and drops the timing fields.
func summaryWithoutTimes(dir string) (any, error) {
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		return nil, err
	}
	// summary.json is an object with the sweep's settings and its groups
	// (older lamcap wrote the groups alone, as an array).
	var doc struct {
		Groups []map[string]any `json:"groups"`
	}
	var v []map[string]any
	if err := json.Unmarshal(b, &doc); err == nil {
		v = doc.Groups
	} else if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("%s/summary.json: %w", dir, err)
	}
	for _, g := range v {
		delete(g, "mean_seconds")
	}
	return v, nil
}

func same(ref, dir string) (int, error) {
	var p problems
	rg, rgb, err := readGrid(ref)
	if err != nil {
		return 0, err
	}
	_, dgb, err := readGrid(dir)
	if err != nil {
		return 0, err
	}
	var a, b any
	if err := json.Unmarshal(rgb, &a); err != nil {
		return 0, err
	}
	if err := json.Unmarshal(dgb, &b); err != nil {
		return 0, err
	}
	if !reflect.DeepEqual(a, b) {
		p.addf("grid.json differs: %s has %s, %s has %s", ref, bytes.TrimSpace(rgb), dir, bytes.TrimSpace(dgb))
	}
	rr, _, err := readRecords(ref, &p)
	if err != nil {
		return 0, err
	}
	dr, _, err := readRecords(dir, &p)
	if err != nil {
		return 0, err
	}
	want := rg.units()
	compare(&p, ref, rr, want, rr)
	compare(&p, dir, dr, want, rr)
	rs, err := summaryWithoutTimes(ref)
	if err != nil {
		return 0, err
	}
	ds, err := summaryWithoutTimes(dir)
	if err != nil {
		return 0, err
	}
	if !reflect.DeepEqual(rs, ds) {
		p.addf("summary.json of %s and %s differ (beyond mean_seconds)", ref, dir)
	}
	if n := p.report(dir + " against " + ref); n != 0 {
		return n, nil
	}
	fmt.Printf("sweepcheck: %s equals %s: %d units, each once, same p*; same summary\n", dir, ref, len(want))
	return 0, nil
}

func shard(dir, kn, ref string) (int, error) {
	var k, n int
	if _, err := fmt.Sscanf(kn, "%d/%d", &k, &n); err != nil || n < 1 || k < 1 || k > n {
		return 2, fmt.Errorf("shard: want K/N, got %q", kn)
	}
	var p problems
	g, _, err := readGrid(dir)
	if err != nil {
		return 0, err
	}
	var want []unit
	for i, u := range g.units() {
		if i%n == k-1 {
			want = append(want, u)
		}
	}
	got, _, err := readRecords(dir, &p)
	if err != nil {
		return 0, err
	}
	rr, _, err := readRecords(ref, &p)
	if err != nil {
		return 0, err
	}
	compare(&p, dir, got, want, rr)
	if n := p.report(dir); n != 0 {
		return n, nil
	}
	fmt.Printf("sweepcheck: %s holds exactly shard %s: %d units, each once, p* as in %s\n", dir, kn, len(want), ref)
	return 0, nil
}

func kept(snapshot, dir string) (int, error) {
	old, err := os.ReadFile(snapshot)
	if err != nil {
		return 0, err
	}
	if i := bytes.LastIndexByte(old, '\n'); i >= 0 {
		old = old[:i+1]
	} else {
		old = nil
	}
	now, err := os.ReadFile(filepath.Join(dir, "records.jsonl"))
	if err != nil {
		return 0, err
	}
	if !bytes.HasPrefix(now, old) {
		fmt.Fprintf(os.Stderr, "sweepcheck: %s/records.jsonl does not begin with the %d records of %s: finished work was lost or rewritten\n",
			dir, bytes.Count(old, []byte("\n")), snapshot)
		return 1, nil
	}
	fmt.Printf("sweepcheck: the %d records finished before the interruption are kept unchanged; %d were added\n",
		bytes.Count(old, []byte("\n")), bytes.Count(now[len(old):], []byte("\n")))
	return 0, nil
}

// ReadmeHas reports whether readme shows file verbatim in exactly one ```sh block.
func ReadmeHas(readme, file []byte) error {
	block := append(append([]byte("```sh\n"), file...), "```\n"...)
	switch n := bytes.Count(readme, block); n {
	case 1:
		return nil
	case 0:
		return fmt.Errorf("the README has no ```sh block equal to the file byte for byte")
	default:
		return fmt.Errorf("the README shows the file %d times; once is enough", n)
	}
}

func readme(readmePath, filePath string) (int, error) {
	r, err := os.ReadFile(readmePath)
	if err != nil {
		return 0, err
	}
	f, err := os.ReadFile(filePath)
	if err != nil {
		return 0, err
	}
	if err := ReadmeHas(r, f); err != nil {
		fmt.Fprintf(os.Stderr, "sweepcheck: %s and %s: %v\n", readmePath, filePath, err)
		return 1, nil
	}
	fmt.Printf("sweepcheck: %s shows %s verbatim\n", readmePath, filePath)
	return 0, nil
}

func main() {
	args := os.Args[1:]
	usage := "usage: sweepcheck same REF DIR | shard DIR K/N REF | kept SNAPSHOT DIR | count DIR | readme README FILE"
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	var code int
	var err error
	switch {
	case args[0] == "same" && len(args) == 3:
		code, err = same(args[1], args[2])
	case args[0] == "shard" && len(args) == 4:
		code, err = shard(args[1], args[2], args[3])
	case args[0] == "kept" && len(args) == 3:
		code, err = kept(args[1], args[2])
	case args[0] == "count" && len(args) == 2:
		var b []byte
		b, err = os.ReadFile(filepath.Join(args[1], "records.jsonl"))
		if os.IsNotExist(err) {
			b, err = nil, nil
		}
		fmt.Println(bytes.Count(b, []byte("\n")))
	case args[0] == "readme" && len(args) == 3:
		code, err = readme(args[1], args[2])
	default:
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "sweepcheck: %s\n", strings.TrimSpace(err.Error()))
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}
