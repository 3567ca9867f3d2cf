package experiment

import (
	"bytes"
	"encoding/json"
	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
	"reflect"
	"testing"
)

// fuzzGrid is of version 1, whose records need no certificates: the lines
// below are such records. (A record that names certificates is refused here,
// as there is no certificates file: validLine.)
var fuzzGrid = Grid{Version: 1, Ds: []int{4, 5}, Models: []model.Model{model.Coupled, model.Decoupled},
	SeedFirst: 1, SeedLast: 3, Embedding: model.Gaussian, Rows: lp.Implicit, Eps: feasibility.DefaultEps}

// FuzzParseRecords checks the records reader on any file content: it never
// panics, puts every line with content in exactly one of kept and set aside,
// keeps every valid line (or sets it aside as a duplicate of a kept record with
// the same result, or as one of a unit's conflicting records), keeps records
// that re-serialise to equal records, and finds nothing more to set aside in
// the file it leaves.
func FuzzParseRecords(f *testing.F) {
	line := `{"d":4,"model":"coupled","seed":2,"embedding":"gaussian","p_star":6,"certified":true,"lower":6,"upper":7,"margin_at_p_star":0.12,"residual_at_p_star_plus_1":9.5e-15,"solves":2,"undecided_verdicts":0,"iterations":34,"seconds":0.0003}`
	other := `{"d":5,"model":"decoupled","seed":3,"embedding":"gaussian","p_star":-1,"certified":false,"lower":9,"upper":0,"margin_at_p_star":0,"residual_at_p_star_plus_1":0,"solves":7,"undecided_verdicts":1,"iterations":90,"seconds":0.01,"note":"undecided at p=10"}`
	conflict := `{"d":4,"model":"coupled","seed":2,"embedding":"gaussian","p_star":7,"certified":true,"lower":7,"upper":8,"margin_at_p_star":0.12,"residual_at_p_star_plus_1":9.5e-15,"solves":2,"undecided_verdicts":0,"iterations":34,"seconds":0.0003}`
	for _, s := range []string{
		"",
		line + "\n",
		line + "\n" + other + "\n",
		line + "\ngarbage\n" + other + "\n",
		line + "\n" + other[:40],
		line + "\n" + line + "\n",
		line + "\n" + conflict + "\n" + other + "\n",
		"\n\n  \n" + other,
		line + "\r\n",
		`{"d":4,"model":"coupled","seed":2}` + "\n",
		`{"D":4,"model":"coupled","seed":2,"embedding":"gaussian","p_star":6,"certified":true,"lower":6,"upper":7,"margin_at_p_star":0.12,"residual_at_p_star_plus_1":9.5e-15,"solves":2,"undecided_verdicts":0,"iterations":34,"seconds":0.0003}` + "\n",
		line[:len(line)-1] + `,"extra":1}` + "\n",
		line + line + "\n",
		"\x00\xff\xfe\n" + line,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		kept, bad := parseRecordLines(data, nil, fuzzGrid, nil)
		lines := map[int][]byte{} // the lines with content, by number
		for n, rest := 1, data; len(rest) > 0; n++ {
			var text []byte
			text, rest, _ = bytes.Cut(rest, []byte("\n"))
			if len(bytes.TrimSpace(text)) > 0 {
				lines[n] = text
			}
		}
		seen := map[int]bool{}
		keptUnit := map[Unit]Record{}
		for _, l := range kept {
			if seen[l.line] || !bytes.Equal(lines[l.line], l.text) {
				t.Fatalf("kept line %d %q: not the file's line %q, or seen twice", l.line, l.text, lines[l.line])
			}
			seen[l.line] = true
			if _, dup := keptUnit[l.Unit]; dup {
				t.Fatalf("%+v kept twice", l.Unit)
			}
			keptUnit[l.Unit] = l.Record
			b, err := json.Marshal(l.Record)
			if err != nil {
				t.Fatal(err)
			}
			r, err := validLine(b)
			if err != nil || !reflect.DeepEqual(r, l.Record) {
				t.Fatalf("kept record %+v re-serialises to %s, read back as %+v, %v", l.Record, b, r, err)
			}
		}
		for _, b := range bad {
			if seen[b.Line] || !bytes.Equal(lines[b.Line], b.Text) {
				t.Fatalf("bad line %d %q: not the file's line %q, or seen twice", b.Line, b.Text, lines[b.Line])
			}
			seen[b.Line] = true
			r, err := validLine(b.Text)
			switch {
			case err != nil:
				if b.Conflict {
					t.Fatalf("invalid line %d marked as a conflict", b.Line)
				}
			case b.Conflict:
				if _, ok := keptUnit[r.Unit]; ok {
					t.Fatalf("line %d conflicts, but its unit has a record", b.Line)
				}
			default: // a valid line set aside must be a duplicate of a kept record
				if k, ok := keptUnit[r.Unit]; !ok || !k.SameResult(r) {
					t.Fatalf("valid line %d %q dropped (%s)", b.Line, b.Text, b.Reason)
				}
			}
		}
		if len(seen) != len(lines) {
			t.Fatalf("%d lines with content, %d accounted for", len(lines), len(seen))
		}
		// The repaired file holds nothing more to set aside.
		var repaired []byte
		for _, l := range kept {
			repaired = append(append(repaired, l.text...), '\n')
		}
		recs, bad2 := ParseRecords(repaired, fuzzGrid)
		if len(bad2) != 0 || len(recs) != len(kept) {
			t.Fatalf("the repaired file has %d records and %d bad lines, want %d and 0", len(recs), len(bad2), len(kept))
		}
	})
}

// validLine is what makes a line a record of fuzzGrid: ParseRecord, and its
// certificates (there are none to find).
func validLine(text []byte) (Record, error) {
	r, err := ParseRecord(text, fuzzGrid)
	if err == nil {
		err = checkCertificates(&r, nil, fuzzGrid, nil)
	}
	return r, err
}
