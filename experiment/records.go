package experiment

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// BadLine is a line of a records file that is not taken as a record.
type BadLine struct {
	Line   int    // 1-based line number
	Text   []byte // the line without its newline
	Reason string
	// Conflict marks a valid line whose unit has another line with a different
	// result: neither is believed.
	Conflict bool
}

// recordLine is a valid line of a records file.
type recordLine struct {
	Record
	line int
	text []byte
}

// recordFields are the JSON fields of a record line: those of a marshalled
// Record, and which of them may be left out (omitempty).
var recordFields = func() map[string]bool {
	fields := map[string]bool{"note": false, "solver": false}
	var m map[string]json.RawMessage
	b, _ := json.Marshal(Record{})
	json.Unmarshal(b, &m)
	for k := range m {
		fields[k] = true
	}
	return fields
}()

// ParseRecord reads one line of a records file of grid g: a JSON object with
// exactly the fields of a Record (all but note required, names exact) for a
// unit of g, whose values are consistent with how FindThreshold fills them.
func ParseRecord(line []byte, g Grid) (Record, error) {
	var r Record
	var m map[string]json.RawMessage
	if err := json.Unmarshal(line, &m); err != nil {
		return r, fmt.Errorf("not a JSON object: %v", err)
	}
	for k := range m {
		if _, ok := recordFields[k]; !ok {
			return r, fmt.Errorf("unknown field %q", k)
		}
	}
	var missing []string
	for k, required := range recordFields {
		if _, ok := m[k]; required && !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return r, fmt.Errorf("missing fields %s", strings.Join(missing, ", "))
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return r, fmt.Errorf("not a record: %v", err)
	}
	return r, checkRecord(r, g)
}

// checkRecord checks that r is a record of a unit of g as FindThreshold makes
// them: certified means p* = lower = upper - 1 >= 1, and otherwise p* = -1.
func checkRecord(r Record, g Grid) error {
	switch {
	case !g.Contains(r.Unit):
		return fmt.Errorf("%s is not in this sweep's grid", r.Unit.Name())
	case r.Embedding != g.Embedding:
		return fmt.Errorf("embedding %q, the sweep's is %q", r.Embedding, g.Embedding)
	case r.Lower < 0 || r.Upper < 0 || r.Solves < 0 || r.Undecided < 0 || r.Iterations < 0 || r.Seconds < 0:
		return fmt.Errorf("negative count in %s", r.Unit.Name())
	case r.Certified && !(r.PStar >= 1 && r.Lower == r.PStar && r.Upper == r.PStar+1):
		return fmt.Errorf("certified p* = %d does not sit between lower = %d and upper = %d", r.PStar, r.Lower, r.Upper)
	case !r.Certified && r.PStar != -1:
		return fmt.Errorf("uncertified record with p* = %d, not -1", r.PStar)
	case r.Upper > 0 && r.Lower >= r.Upper:
		return fmt.Errorf("storable at lower = %d but not at upper = %d", r.Lower, r.Upper)
	}
	return nil
}

// SameResult reports whether two records of one unit say the same thing: the
// same p*, certified or not, between the same bounds. Solver statistics may differ.
func (r Record) SameResult(o Record) bool {
	return r.PStar == o.PStar && r.Certified == o.Certified && r.Lower == o.Lower && r.Upper == o.Upper
}

func resultString(r Record) string {
	if r.Certified {
		return fmt.Sprintf("p* = %d", r.PStar)
	}
	return fmt.Sprintf("undecided (lower %d, upper %d)", r.Lower, r.Upper)
}

// Name names a unit in messages. (Not String: a Record embeds its Unit.)
func (u Unit) Name() string { return fmt.Sprintf("unit d=%d model=%s seed=%d", u.D, u.Model, u.Seed) }

// ParseRecords is the one reader of records files, shared by resuming a sweep
// and merging sweeps. Every line with content ends up in exactly one of its two
// results, so nothing is dropped unseen:
//   - recs: the valid records, one per unit, in file order. Lines repeating a
//     unit with the same result are duplicates: the first is kept.
//   - bad: every other line, in file order, with the reason: not a valid
//     record of g (a last line without newline, cut short by a crash, among
//     them), a later duplicate, or one of the lines of a unit whose lines
//     disagree (Conflict), which therefore has no record.
//
// Blank lines hold nothing and are skipped. A last line without newline that is
// a valid record is kept.
func ParseRecords(data []byte, g Grid) (recs []Record, bad []BadLine) {
	kept, bad := parseRecordLines(data, g)
	for _, l := range kept {
		recs = append(recs, l.Record)
	}
	return recs, bad
}

func parseRecordLines(data []byte, g Grid) (kept []recordLine, bad []BadLine) {
	var valid []recordLine
	byUnit := map[Unit][]int{}
	for n := 1; len(data) > 0; n++ {
		text, rest, whole := bytes.Cut(data, []byte("\n"))
		data = rest
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		r, err := ParseRecord(text, g)
		if err != nil {
			reason := err.Error()
			if !whole {
				reason = "last line cut short (no newline): " + reason
			}
			bad = append(bad, BadLine{Line: n, Text: text, Reason: reason})
			continue
		}
		byUnit[r.Unit] = append(byUnit[r.Unit], len(valid))
		valid = append(valid, recordLine{r, n, text})
	}
	for _, l := range valid {
		same := byUnit[l.Unit]
		first := valid[same[0]]
		conflict := -1
		for _, i := range same {
			if !first.SameResult(valid[i].Record) {
				conflict = i
				break
			}
		}
		switch {
		case conflict >= 0:
			c := valid[conflict]
			bad = append(bad, BadLine{Line: l.line, Text: l.text, Conflict: true,
				Reason: fmt.Sprintf("%s has conflicting records: line %d says %s, line %d says %s",
					l.Unit.Name(), first.line, resultString(first.Record), c.line, resultString(c.Record))})
		case l.line != first.line:
			bad = append(bad, BadLine{Line: l.line, Text: l.text, Reason: fmt.Sprintf("duplicate of line %d", first.line)})
		default:
			kept = append(kept, l)
		}
	}
	sort.Slice(bad, func(i, j int) bool { return bad[i].Line < bad[j].Line })
	return kept, bad
}
