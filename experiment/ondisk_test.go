package experiment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// committedData is where the committed sweep and vocabulary folders live.
const committedData = "../docs/data"

// textTypes are the typed fields of the on-disk forms, which were strings
// before they were typed.
var textTypes = map[reflect.Type]bool{
	reflect.TypeFor[model.Model]():     true,
	reflect.TypeFor[model.Embedding](): true,
	reflect.TypeFor[lp.Rows]():         true,
	reflect.TypeFor[lp.Method]():       true,
}

// hasTextTypes reports whether t holds a typed field anywhere.
func hasTextTypes(t reflect.Type) bool {
	if textTypes[t] {
		return true
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Pointer:
		return hasTextTypes(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && hasTextTypes(f.Type) {
				return true
			}
		}
	}
	return false
}

// stringlyType is t as it was before the on-disk forms were typed: every
// typed field a string, embedded structs flattened (which encoding/json
// does too), unexported fields left out (encoding/json skips them).
func stringlyType(t reflect.Type) reflect.Type {
	if textTypes[t] {
		return reflect.TypeFor[string]()
	}
	if !hasTextTypes(t) {
		return t
	}
	switch t.Kind() {
	case reflect.Slice:
		return reflect.SliceOf(stringlyType(t.Elem()))
	case reflect.Pointer:
		return reflect.PointerTo(stringlyType(t.Elem()))
	}
	return reflect.StructOf(stringlyFields(t))
}

func stringlyFields(t reflect.Type) []reflect.StructField {
	var out []reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		switch {
		case !f.IsExported():
		case f.Anonymous:
			out = append(out, stringlyFields(f.Type)...)
		default:
			out = append(out, reflect.StructField{Name: f.Name, Type: stringlyType(f.Type), Tag: f.Tag})
		}
	}
	return out
}

// remarshal decodes b into a new value of type t and marshals it again
// (indented as grid.json is when indent is set).
func remarshal(t *testing.T, b []byte, typ reflect.Type, indent bool) []byte {
	t.Helper()
	v := reflect.New(typ)
	if err := json.Unmarshal(b, v.Interface()); err != nil {
		t.Fatalf("%s: %v", typ, err)
	}
	var out []byte
	var err error
	if indent {
		out, err = json.MarshalIndent(v.Interface(), "", "  ")
		out = append(out, '\n')
	} else {
		out, err = json.Marshal(v.Interface())
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCommittedDataByteIdentical checks that typing the on-disk forms
// changed no byte of them: every grid.json and records.jsonl line of the
// committed folders (docs/data), read with the typed Grid, Record and
// VocabThreshold and written again, gives the bytes the stringly typed
// forms give, and the readers take every line.
func TestCommittedDataByteIdentical(t *testing.T) {
	var dirs []string
	err := filepath.WalkDir(committedData, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == RecordsFile {
			dirs = append(dirs, filepath.Dir(path))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var grids, lines, summaries, asFile int
	same := func(what string, b []byte, typ reflect.Type, indent bool) {
		t.Helper()
		typed := remarshal(t, b, typ, indent)
		if old := remarshal(t, b, stringlyType(typ), indent); !bytes.Equal(typed, old) {
			t.Errorf("%s: typed form writes\n%s\nthe stringly typed form\n%s", what, typed, old)
		}
		if bytes.Equal(typed, b) || bytes.Equal(append(typed, '\n'), b) {
			asFile++
		}
	}
	for _, dir := range dirs {
		data, err := os.ReadFile(filepath.Join(dir, RecordsFile))
		if err != nil {
			t.Fatal(err)
		}
		gb, err := os.ReadFile(filepath.Join(dir, GridFile))
		recType := reflect.TypeFor[Record]()
		switch {
		case err == nil:
			grids++
			same(filepath.Join(dir, GridFile), gb, reflect.TypeFor[Grid](), true)
			recs, g, bad, err := ReadRecords(dir)
			if err != nil || len(bad) > 0 {
				t.Fatalf("%s: %v, %d bad lines", dir, err, len(bad))
			}
			if len(recs) == 0 {
				t.Errorf("%s: no records", dir)
			}
			// summary.json (not committed: made here from the records).
			sb, err := json.MarshalIndent(NewSummary(g, Summarise(recs), "test"), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			same(dir+" summary.json", append(sb, '\n'), reflect.TypeFor[Summary](), true)
			summaries++
		case os.IsNotExist(err): // a vocabulary study's folder
			recType = reflect.TypeFor[VocabThreshold]()
			recs, err := ReadVocabRecords(dir)
			if err != nil || len(recs) != bytes.Count(data, []byte("\n")) {
				t.Fatalf("%s: %v; read %d records of %d lines", dir, err, len(recs), bytes.Count(data, []byte("\n")))
			}
		default:
			t.Fatal(err)
		}
		for i, l := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
			lines++
			same(fmt.Sprintf("%s line %d", filepath.Join(dir, RecordsFile), i+1), l, recType, false)
		}
	}
	if grids < 10 || lines < 1000 {
		t.Fatalf("found %d sweep folders and %d record lines under %s; the committed data has more", grids, lines, committedData)
	}
	t.Logf("%d folders (%d sweeps): %d grid.json, %d record lines and %d summary.json written as before; %d of them byte for byte as the files hold them", len(dirs), grids, grids, lines, summaries, asFile-summaries)
}

// An unknown or malformed model, embedding or row form is refused when a
// record line or a grid.json is read, with the field's name: a bad line is
// set aside (ParseRecord's error is its reason), a bad grid.json is a
// DirError.
func TestTypedFieldsRefusedByName(t *testing.T) {
	line := `{"d":4,"model":"coupled","seed":1,"embedding":"gaussian","p_star":-1,"certified":false,"lower":0,"upper":0,` +
		`"margin_at_p_star":0,"residual_at_p_star_plus_1":0,"solves":1,"undecided_verdicts":1,"iterations":0,"seconds":0}`
	if _, err := ParseRecord([]byte(line), storeGrid); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ old, new, want string }{
		{`"model":"coupled"`, `"model":"coupling"`, `field "model": unknown model "coupling"`},
		{`"model":"coupled"`, `"model":"vocabulary-x-uniform"`, `field "model"`},
		{`"model":"coupled"`, `"model":3`, `field "model"`},
		{`"embedding":"gaussian"`, `"embedding":"gauss"`, `field "embedding": unknown embedding "gauss"`},
		{`"embedding":"gaussian"`, `"embedding":"correlated:2"`, `field "embedding"`},
	} {
		bad := strings.Replace(line, c.old, c.new, 1)
		_, err := ParseRecord([]byte(bad), storeGrid)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.new, err, c.want)
		}
		recs, lines := ParseRecords([]byte(line+"\n"+bad+"\n"), storeGrid)
		if len(recs) != 1 || len(lines) != 1 || lines[0].Line != 2 || !strings.Contains(lines[0].Reason, c.want) {
			t.Errorf("%s: %d records, bad lines %+v", c.new, len(recs), lines)
		}
	}

	grid, err := json.MarshalIndent(storeGrid, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ old, new, want string }{
		{`"coupled"`, `"coupling"`, `field "models": unknown model "coupling"`},
		{`"embedding": "gaussian"`, `"embedding": "gauss"`, `field "embedding": unknown embedding "gauss"`},
		{`"rows": "implicit"`, `"rows": "sparse"`, `field "rows": unknown row form "sparse"`},
		{`"rows": "implicit"`, `"rows": 1`, `field "rows"`},
		{`"eps"`, `"solver": "cplex", "eps"`, `solver: unknown`},
	} {
		dir := t.TempDir()
		writeLines(t, filepath.Join(dir, GridFile), bytes.Replace(grid, []byte(c.old), []byte(c.new), 1))
		_, _, _, err := ReadRecords(dir)
		if !errors.As(err, new(*DirError)) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want a DirError with %q", c.new, err, c.want)
		}
		if _, err := OpenStore(dir, storeGrid); !errors.As(err, new(*DirError)) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("open %s: %v, want a DirError with %q", c.new, err, c.want)
		}
	}
}

// Every row form and solver a grid can name survives grid.json: written by
// MarshalText, read back by UnmarshalText (the committed grids all say
// implicit and auto).
func TestGridSolverChoicesRoundTrip(t *testing.T) {
	for _, rows := range []lp.Rows{lp.Implicit, lp.Dense, lp.Lifted} {
		for _, m := range []lp.Method{"", lp.Auto, lp.MethodSimplex, lp.MethodIPM, lp.MethodHiGHS} {
			g := storeGrid
			g.Rows, g.Solver = rows, m
			b, err := json.Marshal(g)
			if err != nil {
				t.Fatal(err)
			}
			back, err := parseGrid(GridFile, b)
			if err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			if back.Rows != rows || back.Solver != m || !strings.Contains(string(b), `"rows":"`+rows.String()+`"`) {
				t.Errorf("rows %v, solver %q: read back %v, %q from %s", rows, m, back.Rows, back.Solver, b)
			}
		}
	}
}
