package experiment

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/lamcap/lamcap/certificate"
	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/model"
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
	fields := map[string]bool{"note": false, "solver": false, "certificates": false,
		"storable_min_margin": false, "storable_min_slack": false, "storable_kappa": false,
		"not_storable_kappa_bound": false, "not_storable_rows": false,
		"iterations_at_lower": false, "iterations_at_upper": false,
		"kappa": false, "eps": false, "eps_scale": false, "disagreements": false,
		"revision": false}
	var m map[string]json.RawMessage
	b, _ := json.Marshal(Record{})
	json.Unmarshal(b, &m)
	for k := range m {
		if _, optional := fields[k]; !optional {
			fields[k] = true
		}
	}
	return fields
}()

// ParseRecord reads one line of a records file of grid g: a JSON object with
// exactly the fields of a Record (those of an older lamcap required, the rest
// optional, names exact) for a unit of g, whose values are consistent with how
// FindThreshold fills them. A record of an older lamcap, without kappa or eps,
// gets g's: the line is read as the grid it was written into says, and never
// rewritten. Its certificates are checked by ParseRecords.
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
	if err := checkTypedFields(m, recordTypedFields); err != nil {
		return r, err
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return r, fmt.Errorf("not a record: %v", err)
	}
	if _, ok := m["kappa"]; !ok {
		r.ForKappa = g.Kappa
	}
	if _, ok := m["eps"]; !ok {
		r.Eps = g.Eps
	}
	return r, checkRecord(r, g)
}

// typedField is a JSON field of an on-disk form whose value is parsed into a
// type (a model, an embedding, a row form): new returns a value to parse into.
type typedField struct {
	name string
	new  func() any
}

// recordTypedFields are the parsed fields of a record line.
var recordTypedFields = []typedField{
	{"model", func() any { return new(model.Model) }},
	{"embedding", func() any { return new(model.Embedding) }},
}

// checkTypedFields parses each typed field of a JSON object m on its own, so
// that an unknown or malformed value is refused with its field's name
// (encoding/json reports a parser's error without it).
func checkTypedFields(m map[string]json.RawMessage, fields []typedField) error {
	for _, f := range fields {
		raw, ok := m[f.name]
		if !ok {
			continue
		}
		if err := json.Unmarshal(raw, f.new()); err != nil {
			return fmt.Errorf("field %q: %v", f.name, err)
		}
	}
	return nil
}

// checkRecord checks that r is a record of a unit of g as FindThreshold makes
// them: certified means p* = lower = upper - 1 >= 1, and otherwise p* = -1.
func checkRecord(r Record, g Grid) error {
	switch {
	case !g.Contains(r.Unit):
		return fmt.Errorf("%s is not in this sweep's grid", r.Unit.Name())
	case r.Embedding != g.Embedding:
		return fmt.Errorf("embedding %q, the sweep's is %q", r.Embedding.String(), g.Embedding.String())
	case r.ForKappa != g.Kappa:
		return fmt.Errorf("%s is for kappa = %g, the sweep's is %g", r.Unit.Name(), r.ForKappa, g.Kappa)
	case r.Eps != g.Eps:
		return fmt.Errorf("%s was decided with eps = %g, the sweep's is %g", r.Unit.Name(), r.Eps, g.Eps)
	case r.Lower < 0 || r.Upper < 0 || r.Solves < 0 || r.Undecided < 0 || r.Iterations < 0 || r.Seconds < 0:
		return fmt.Errorf("negative count in %s", r.Unit.Name())
	case r.Certified && !(r.PStar >= r.Unit.Model.SmallestP()-1 && r.Lower == r.PStar && r.Upper == r.PStar+1):
		return fmt.Errorf("certified p* = %d does not sit between lower = %d and upper = %d", r.PStar, r.Lower, r.Upper)
	case !r.Certified && r.PStar != -1:
		return fmt.Errorf("uncertified record with p* = %d, not -1", r.PStar)
	case r.Upper > 0 && r.Lower >= r.Upper:
		return fmt.Errorf("storable at lower = %d but not at upper = %d", r.Lower, r.Upper)
	case r.LambdaRows < 0 || r.IterationsAtLower < 0 || r.IterationsAtUpper < 0 || r.EpsScale < 0:
		return fmt.Errorf("negative count in %s", r.Unit.Name())
	case r.Certificates != nil && (!isDigest(r.Certificates.Storable) || !isDigest(r.Certificates.NotStorable)):
		return fmt.Errorf("certificates: want SHA-256 digests as 64 lowercase hex digits")
	}
	if len(g.At) > 0 {
		return checkVerdictRecord(r, g)
	}
	return nil
}

// isDigest reports whether s is "" or 64 lowercase hex digits.
func isDigest(s string) bool { return s == "" || certificate.IsDigest(s) }

// needsCertificates reports whether the records of g must carry certificates:
// those of version 2 grids at kappa = 0 (at kappa > 0 the verdicts are about
// kappa*, which a storable or not-storable certificate does not show).
func (g Grid) needsCertificates() bool { return g.Version >= 2 && g.Kappa == 0 }

// HasCertificates reports whether the record names certificates for its
// verdicts: both for a certified p*, the one it has for an undecided record.
func (r Record) HasCertificates() bool {
	c := r.Certificates
	return c != nil && (r.Lower == 0) == (c.Storable == "") && (r.Upper == 0) == (c.NotStorable == "")
}

// certLine is one line of certificates.jsonl: a certificate in the format of
// 'lamcap verify', and the SHA-256 of the line (without its newline).
type certLine struct {
	sum  string
	text []byte
}

func newCertLine(text []byte) certLine {
	h := sha256.Sum256(text)
	return certLine{hex.EncodeToString(h[:]), text}
}

// certIndex holds the lines of a certificates file by digest.
type certIndex map[string][]byte

// parseCertLines indexes the lines of a certificates file by their digests.
// Whether a line is a certificate is checked when a record names it; lines no
// record names are dropped when a store rewrites the file. torn reports a last
// line without newline (a write cut short).
func parseCertLines(data []byte) (idx certIndex, torn bool) {
	idx = certIndex{}
	for len(data) > 0 {
		text, rest, whole := bytes.Cut(data, []byte("\n"))
		data = rest
		if !whole {
			return idx, true
		}
		if len(text) > 0 {
			idx[newCertLine(text).sum] = text
		}
	}
	return idx, false
}

// checkCertificates checks the certificates r names on the instances they are
// for, as 'lamcap verify' does, and attaches their lines to r: each must be in
// certs, be the certificate of the verdict at Lower (storable) or Upper
// (not-storable) of r's unit, name the instance rebuilt from the unit's seed
// (or user's arrays, for a user embedding, which it names by file), and hold
// on it with g's eps. A record of g without certificates is refused when g
// needs them (needsCertificates).
func checkCertificates(r *Record, certs certIndex, g Grid, user *UserData) error {
	if r.Certificates == nil {
		if g.needsCertificates() && (r.Lower > 0 || r.Upper > 0) {
			return fmt.Errorf("%s carries no certificates (every record of a version %d sweep does)", r.Unit.Name(), g.Version)
		}
		return nil
	}
	if g.Kappa != 0 {
		return fmt.Errorf("%s names certificates, which records of a kappa > 0 sweep do not have", r.Unit.Name())
	}
	if !r.HasCertificates() {
		return fmt.Errorf("%s names certificates for lower = %d and upper = %d that do not match them", r.Unit.Name(), r.Lower, r.Upper)
	}
	r.certs = nil
	for _, c := range []struct {
		sum     string
		verdict feasibility.Status
		p       int
	}{{r.Certificates.Storable, feasibility.Storable, r.Lower}, {r.Certificates.NotStorable, feasibility.NotStorable, r.Upper}} {
		if c.sum == "" {
			continue
		}
		text, ok := certs[c.sum]
		if !ok && g.DigestsOnly {
			continue // the directory keeps digests only: read as written
		}
		if !ok {
			return fmt.Errorf("its %s certificate (sha256 %.12s...) is not in %s", c.verdict, c.sum, CertificatesFile)
		}
		if err := checkCertificate(text, r.Unit, c.verdict, c.p, g, user); err != nil {
			return fmt.Errorf("its %s certificate at p = %d: %w", c.verdict, c.p, err)
		}
		r.certs = append(r.certs, certLine{c.sum, text})
	}
	return nil
}

// checkCertificate checks one certificate line: that it is the certificate of
// verdict at p on unit u of g, and holds on the rebuilt instance (of user's
// arrays for a user embedding).
func checkCertificate(text []byte, u Unit, verdict feasibility.Status, p int, g Grid, user *UserData) error {
	c, err := certificate.Parse(text)
	if err != nil {
		return err
	}
	ci := c.Instance
	var src model.Source = model.Random{D: u.D, Seed: uint64(u.Seed), Kind: u.Model, Embed: g.Embedding}
	ofUnit := ci.Seed != nil && *ci.Seed == u.Seed
	if g.Embedding == model.User {
		if user == nil {
			return fmt.Errorf("the user data it is for are not read")
		}
		src = user.Source()
		ofUnit = ci.Seed == nil && ci.Inputs == user.Inputs.Path && ci.Targets == user.Targets.Path && ci.Layout == user.Layout
	}
	switch {
	case c.Verdict != string(verdict):
		return fmt.Errorf("the line is a %s certificate", c.Verdict)
	case ci.D != u.D || ci.Model != u.Model.String() || ci.Embedding != g.Embedding.String() || !ofUnit:
		return fmt.Errorf("it is for %s, not for %s", ci.Describe(), u.Name())
	case ci.P != p:
		return fmt.Errorf("it is for p = %d", ci.P)
	}
	in, err := model.NewInstance(src, p)
	if err != nil {
		return err
	}
	_, err = c.Verify(in, g.Eps)
	return err
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
//
// A record that names certificates is valid only if they hold (checkCertificates):
// its p* is then proved, not merely written down. ParseRecords has no
// certificates file: it refuses such records, and records of a grid that needs
// them; the readers of sweep directories (OpenStore, ReadRecords) use the
// directory's certificates.jsonl.
func ParseRecords(data []byte, g Grid) (recs []Record, bad []BadLine) {
	return parseRecords(data, nil, g, nil)
}

// parseRecords is ParseRecords with the certificates the records name, and
// the arrays of a user embedding they are for.
func parseRecords(data []byte, certs certIndex, g Grid, user *UserData) (recs []Record, bad []BadLine) {
	kept, bad := parseRecordLines(data, certs, g, user)
	for _, l := range kept {
		recs = append(recs, l.Record)
	}
	return recs, bad
}

func parseRecordLines(data []byte, certs certIndex, g Grid, user *UserData) (kept []recordLine, bad []BadLine) {
	var valid []recordLine
	byUnit := map[Unit][]int{}
	for n := 1; len(data) > 0; n++ {
		text, rest, whole := bytes.Cut(data, []byte("\n"))
		data = rest
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		r, err := ParseRecord(text, g)
		if err == nil {
			err = checkCertificates(&r, certs, g, user)
		}
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
