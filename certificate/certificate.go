package certificate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// A certificate file holds a verdict with its evidence (W normalised to
// max |W_ij| = 1, or lambda normalised to sum 1) and names its instance
// exactly: d, p, model, embedding, the seed or the user's files, and the
// SHA-256 of the instance's numbers (model.Instance.Hash). It states the
// relative eps the verdict was decided with and a scale: for a not-storable
// certificate the scale of the rows lambda weighs,
// sum_r lambda_r |a_r|_1 / sum(lambda) with |a_r|_1 = |y_mu - c|_1 |x_mu|_1 the
// largest value margin r takes with |W_ij| <= 1 (lp.NotStorableCheck), and
// not-storable means |A^T lambda|_1 / sum(lambda) <= eps * scale: no W with
// |W_ij| <= 1 has every margin above eps times its own largest value. For a
// storable one, and in not-storable certificates written before lamcap
// checked each row at its own scale, it is the data's largest row norm
// (lp.Scale). Both are notes for people: verify recomputes the scale from the
// data and lambda and holds a not-storable certificate to its own eps (the
// default, or its --eps), whichever scale the file states.
const Format = "lamcap-certificate/2"

// Certificate is the JSON form of a saved verdict.
type Certificate struct {
	Format   string   `json:"format"`
	Instance Instance `json:"instance"`
	Verdict  string   `json:"verdict"`
	// SolveEps is the relative eps solve used, and Scale the scale it is
	// relative to (not-storable: of the rows lambda weighs; storable: the
	// data's largest row norm, lp.Scale): notes for people; verify never uses
	// them.
	SolveEps float64     `json:"solve_eps,omitempty"`
	Scale    float64     `json:"scale,omitempty"`
	W        [][]float64 `json:"w,omitempty"`
	Lambda   []Lambda    `json:"lambda,omitempty"`
}

// Instance names the instance of a certificate exactly.
type Instance struct {
	D         int    `json:"d"`
	P         int    `json:"p"`
	Model     string `json:"model"`
	Embedding string `json:"embedding"`
	Seed      *int64 `json:"seed,omitempty"` // random embeddings only
	// Inputs, Targets (absolute paths) and Layout locate user embeddings.
	Inputs  string `json:"inputs,omitempty"`
	Targets string `json:"targets,omitempty"`
	Layout  string `json:"layout,omitempty"`
	// Answers (an absolute path) holds the answers of user vocabulary data;
	// Targets then holds the words.
	Answers string `json:"answers,omitempty"`
	SHA256  string `json:"sha256"`
}

// Lambda is one weighted margin row of a not-storable certificate.
type Lambda struct {
	Mu     int     `json:"mu"`
	V      int     `json:"v"`
	Weight float64 `json:"weight"`
}

// maxCertDim bounds d and p so that later int arithmetic (d*d, p*p) cannot
// overflow; the memory budget is checked separately before anything is built.
const maxCertDim = 1 << 30

// New is the certificate of verdict v on instance in, which ci
// names (its model and embedding, and its seed or the user's files; the
// dimensions and the hash are filled in here). eps is the tolerance the
// verdict was decided with, a note for people only.
func New(ci Instance, in *model.Instance, eps float64, v feasibility.Verdict) (*Certificate, error) {
	ci.D, ci.P, ci.SHA256 = in.D, in.P, in.Hash()
	c := &Certificate{Format: Format, Verdict: string(v.Status), Instance: ci, SolveEps: eps, Scale: lp.Scale(in)}
	switch v.Status {
	case feasibility.Storable:
		w := lp.NormaliseW(v.W)
		if w == nil {
			return nil, errors.New("the storable verdict's W is zero or not finite")
		}
		r, _ := w.Dims()
		for i := 0; i < r; i++ {
			c.W = append(c.W, append([]float64(nil), w.RawRowView(i)...))
		}
	case feasibility.NotStorable:
		l := lp.NormaliseLambda(v.Lambda)
		for _, x := range l {
			c.Lambda = append(c.Lambda, Lambda{x.Mu, x.V, x.Weight})
		}
		// The scale eps is relative to: that of the rows lambda weighs, as
		// verify computes it from the saved weights.
		c.Scale = lp.CheckNotStorable(in, l, eps).Scale
	default:
		return nil, fmt.Errorf("the verdict is undecided: there is no certificate to save")
	}
	return c, nil
}

// Encode writes c as indented JSON.
func (c *Certificate) Encode(w io.Writer) error {
	b, err := json.MarshalIndent(c, "", " ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// Parse reads and validates a certificate: the format, the instance
// it names and the shape of its evidence. Whether the evidence holds is for
// verify to check on the instance. The reader is strict (strictJSON): a key
// given twice, a key in another case than the format's, an unknown key or text
// after the object is refused with a message naming it, so a file cannot name
// one thing to a person and another to lamcap, nor carry a setting (an "eps",
// say) that looks as if it mattered.
func Parse(b []byte) (*Certificate, error) {
	var c Certificate
	if err := strictJSON(b, reflect.TypeOf(c)); err != nil {
		var probe struct{ Format string }
		if json.Unmarshal(b, &probe) == nil && probe.Format == "lamcap-certificate/1" {
			return nil, errors.New("format lamcap-certificate/1 names its instance without a content hash and sets its own eps; make a new certificate with 'lamcap solve --certificate'")
		}
		return nil, fmt.Errorf("not a lamcap certificate (%v)", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("not a lamcap certificate (%v)", err)
	}
	if c.Format != Format {
		return nil, fmt.Errorf("format %q, want %q", c.Format, Format)
	}
	ci := c.Instance
	cm, err := model.ParseModel(ci.Model)
	if err != nil {
		return nil, err
	}
	if minP := cm.SmallestP(); ci.D < 2 || ci.P < minP || ci.D > maxCertDim || ci.P > maxCertDim {
		return nil, fmt.Errorf("instance d=%d p=%d of model %s: want 2 <= d <= %d and %d <= p <= %d", ci.D, ci.P, ci.Model, maxCertDim, minP, maxCertDim)
	}
	if ci.Embedding == model.User.String() {
		if ci.Inputs == "" || ci.Targets == "" || (ci.Layout != "rows" && ci.Layout != "columns") || ci.Seed != nil {
			return nil, errors.New("user embeddings need inputs, targets and a layout (rows or columns), and no seed")
		}
		if ci.Model != model.Coupled.String() && !(cm.IsVocabulary() && ci.Answers != "") {
			return nil, errors.New("user embeddings define the coupled model, or the vocabulary model with an answers file")
		}
	} else {
		if _, err := model.ParseEmbedding(ci.Embedding); err != nil {
			return nil, err
		}
		if ci.Seed == nil || *ci.Seed < 0 || ci.Inputs != "" || ci.Targets != "" || ci.Layout != "" {
			return nil, errors.New("random embeddings need a seed >= 0 and no files")
		}
	}
	if !IsDigest(ci.SHA256) {
		return nil, errors.New("instance sha256: want 64 lowercase hex digits")
	}
	if !(c.SolveEps >= 0) || math.IsInf(c.SolveEps, 0) {
		return nil, fmt.Errorf("solve_eps %v is not a finite nonnegative number", c.SolveEps)
	}
	if !(c.Scale >= 0) || math.IsInf(c.Scale, 0) {
		return nil, fmt.Errorf("scale %v is not a finite nonnegative number", c.Scale)
	}
	switch c.Verdict {
	case string(feasibility.Storable):
		if len(c.Lambda) > 0 {
			return nil, errors.New("a storable certificate holds W only")
		}
		if len(c.W) != ci.D {
			return nil, fmt.Errorf("W has %d rows, want d=%d", len(c.W), ci.D)
		}
		for i, row := range c.W {
			if len(row) != ci.D {
				return nil, fmt.Errorf("W row %d has %d entries, want d=%d", i, len(row), ci.D)
			}
		}
	case string(feasibility.NotStorable):
		if len(c.W) > 0 || len(c.Lambda) == 0 {
			return nil, errors.New("a not-storable certificate holds a nonempty lambda only")
		}
		for _, l := range c.Lambda {
			// A vocabulary model's slots are its V words; which one is the own
			// answer is checked against the instance (lp.CheckNotStorable).
			if l.Mu < 0 || l.Mu >= ci.P || l.V < 0 || (!cm.IsVocabulary() && (l.V >= ci.P || l.Mu == l.V)) || (cm.IsVocabulary() && l.V >= cm.Vocab()) {
				return nil, fmt.Errorf("lambda row (%d,%d) is not a margin row of a p=%d instance", l.Mu, l.V, ci.P)
			}
			if !(l.Weight >= 0) {
				return nil, fmt.Errorf("lambda weight %v of row (%d,%d) is negative", l.Weight, l.Mu, l.V)
			}
		}
	default:
		return nil, fmt.Errorf("verdict %q has no certificate (want storable or not-storable)", c.Verdict)
	}
	return &c, nil
}

// IsDigest reports whether s is a SHA-256 digest as lamcap writes one: 64
// lowercase hex digits (an instance's hash, a certificate line's name in a
// sweep's records).
func IsDigest(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// Describe names the instance for messages.
func (ci Instance) Describe() string {
	if ci.Seed != nil {
		return fmt.Sprintf("d=%d p=%d seed=%d model=%s embedding=%s", ci.D, ci.P, *ci.Seed, ci.Model, ci.Embedding)
	}
	return fmt.Sprintf("d=%d p=%d from %s and %s (layout %s)", ci.D, ci.P, ci.Inputs, ci.Targets, ci.Layout)
}

// Source rebuilds the source a certificate names: the seeded generator, or the
// user's files (at inputs and targets if given, else at the paths it names).
func (ci Instance) Source(ctx context.Context, inputs, targets string) (model.Source, error) {
	if ci.Seed == nil {
		if inputs == "" {
			inputs = ci.Inputs
		}
		if targets == "" {
			targets = ci.Targets
		}
		x, err := model.ReadNPYContext(ctx, inputs, ci.Layout == "columns")
		if err != nil {
			return nil, err
		}
		y, err := model.ReadNPYContext(ctx, targets, ci.Layout == "columns")
		if err != nil {
			return nil, err
		}
		if ci.Answers != "" {
			a, err := model.ReadNPYInts(ci.Answers)
			if err != nil {
				return nil, err
			}
			return model.NewVocabMatrices(x, y, a)
		}
		return model.NewMatrices(x, y)
	}
	if inputs != "" || targets != "" {
		return nil, errors.New("--inputs/--targets: the certificate is for a random instance")
	}
	m, _ := model.ParseModel(ci.Model)
	e, _ := model.ParseEmbedding(ci.Embedding)
	return model.Random{D: ci.D, Seed: uint64(*ci.Seed), Kind: m, Embed: e}, nil
}

// Check is the outcome of verifying a certificate that holds.
type Check struct {
	// Storable: every one of Rows margins of W exceeds its rounding bound, the
	// smallest being MinMargin. Otherwise the not-storable claim holds:
	// Residual = |A^T lambda|_1 / sum(lambda) <= eps.
	Storable  bool
	Rows      int
	MinMargin float64
	// Exact is the number of margins recomputed in exact arithmetic because
	// their rounding bounds could not decide them.
	Exact int
	// Residual is held to Tolerance = eps * Scale, the scale of the rows
	// lambda weighs (lp.NotStorableCheck).
	Residual, Scale, Tolerance float64
}

// RejectedError says why a certificate does not hold on its instance.
type RejectedError struct{ Reason string }

func (e *RejectedError) Error() string { return "certificate rejected: " + e.Reason }

// Verify checks the certificate on in, without a solver: the instance's hash
// must be the one the certificate names, and every margin of W (normalised to
// max |W_ij| = 1; exactly where its rounding bound cannot decide), or
// |A^T lambda|_1 / sum(lambda) (lambda normalised to sum 1) against
// eps * sum_r lambda_r |a_r|_1 / sum(lambda), is recomputed with rounding and underflow bounds
// (lp.CheckStorable, lp.CheckNotStorable).
// A certificate that does not hold is a *RejectedError. eps is the verifier's,
// never the file's.
func (c *Certificate) Verify(in *model.Instance, eps float64) (Check, error) {
	chk, _, err := c.check(in, eps)
	return chk, err
}

// Checked verifies the certificate on in as Verify does and, if it holds,
// returns it as the certified verdict it records: Status, W (normalised) and
// WCheck, or Lambda (normalised) and LambdaCheck, and Rows. What a certificate
// does not keep (the solver, its margin t and iterations, the time) is left
// zero for the caller to fill. A certificate that does not hold is a
// *RejectedError, and the verdict is not returned.
func (c *Certificate) Checked(in *model.Instance, eps float64) (feasibility.Verdict, error) {
	_, v, err := c.check(in, eps)
	if err != nil {
		return feasibility.Verdict{}, err
	}
	return v, nil
}

// check is Verify, with the checked evidence as a verdict.
func (c *Certificate) check(in *model.Instance, eps float64) (Check, feasibility.Verdict, error) {
	ci := c.Instance
	var v feasibility.Verdict
	if h := in.Hash(); h != ci.SHA256 {
		return Check{}, v, &RejectedError{fmt.Sprintf("it names an instance with sha256 %.12s..., but %s has sha256 %.12s...", ci.SHA256, ci.Describe(), h)}
	}
	switch c.Verdict {
	case string(feasibility.Storable):
		if len(c.W) != in.D {
			return Check{}, v, &RejectedError{fmt.Sprintf("W has %d rows, want d=%d", len(c.W), in.D)}
		}
		w := mat.NewDense(in.D, in.D, nil)
		for i, row := range c.W {
			if len(row) != in.D {
				return Check{}, v, &RejectedError{fmt.Sprintf("W row %d has %d entries, want d=%d", i, len(row), in.D)}
			}
			w.SetRow(i, row)
		}
		chk := lp.CheckStorable(in, w)
		if !chk.OK {
			return Check{}, v, &RejectedError{chk.Reason}
		}
		v = feasibility.Verdict{Status: feasibility.Storable, Certified: true, W: chk.W, WCheck: &chk, Rows: in.Rows()}
		return Check{Storable: true, Rows: in.Rows(), MinMargin: chk.MinMargin, Exact: chk.Exact}, v, nil
	case string(feasibility.NotStorable):
		l := make([]lp.Weighted, len(c.Lambda))
		for i, x := range c.Lambda {
			l[i] = lp.Weighted{Row: lp.Row{Mu: x.Mu, V: x.V}, Weight: x.Weight}
		}
		chk := lp.CheckNotStorable(in, l, eps)
		out := Check{Rows: in.Rows(), Residual: chk.Residual, Scale: chk.Scale, Tolerance: chk.Tolerance}
		if !chk.OK {
			return out, v, &RejectedError{chk.Reason}
		}
		v = feasibility.Verdict{Status: feasibility.NotStorable, Certified: true, Lambda: chk.Lambda, LambdaCheck: &chk, Rows: in.Rows()}
		return out, v, nil
	}
	return Check{}, v, fmt.Errorf("verdict %q has no certificate", c.Verdict)
}

// strictJSON checks that b is one JSON value of type t and nothing more, read
// strictly where encoding/json is lenient: within every object a key may occur
// once, and an object that decodes into a struct may hold only the struct's
// keys, spelled exactly (encoding/json would let the last of two keys win and
// match keys in any case). Errors name the key by its path, as
// "instance.seed" or "lambda[2].weight". Types are left to encoding/json.
func strictJSON(b []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := strictValue(dec, t, ""); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("text after the JSON object")
	}
	return nil
}

// strictValue reads one value of type t (nil: any type) from dec.
func strictValue(dec *json.Decoder, t reflect.Type, path string) error {
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return errors.New("unexpected end of JSON input")
		}
		return err
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch tok {
	case json.Delim('{'):
		var fields map[string]reflect.Type
		if t != nil && t.Kind() == reflect.Struct {
			fields = jsonFields(t)
		}
		seen := make(map[string]bool)
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := kt.(string)
			name := path + key
			if seen[key] {
				return fmt.Errorf("key %q occurs twice", name)
			}
			seen[key] = true
			var ft reflect.Type
			if fields != nil {
				var ok bool
				if ft, ok = fields[key]; !ok {
					for want := range fields {
						if strings.EqualFold(want, key) {
							return fmt.Errorf("key %q: keys are case-sensitive, want %q", name, path+want)
						}
					}
					return fmt.Errorf("unknown field %q", name)
				}
			}
			if err := strictValue(dec, ft, name+"."); err != nil {
				return err
			}
		}
		return closing(dec, '}')
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		base := strings.TrimSuffix(path, ".")
		for i := 0; dec.More(); i++ {
			if err := strictValue(dec, elem, fmt.Sprintf("%s[%d].", base, i)); err != nil {
				return err
			}
		}
		return closing(dec, ']')
	}
	return nil
}

// closing reads the delimiter that ends an object or array.
func closing(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	switch {
	case err == io.EOF:
		return errors.New("unexpected end of JSON input")
	case err != nil:
		return err
	case tok != want:
		return fmt.Errorf("want %v, found %v", want, tok)
	}
	return nil
}

// jsonFields maps the JSON keys of struct type t to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := make(map[string]reflect.Type)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}
