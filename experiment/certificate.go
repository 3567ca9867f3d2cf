package experiment

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// A certificate file holds a verdict with its evidence (W or lambda) and names
// its instance exactly: d, p, model, embedding, the seed or the user's files,
// and the SHA-256 of the instance's numbers (model.Instance.Hash). It carries
// no tolerance that verify would use: verify holds a not-storable certificate
// to its own eps (the default, or its --eps).
const CertificateFormat = "lamcap-certificate/2"

// Certificate is the JSON form of a saved verdict.
type Certificate struct {
	Format   string       `json:"format"`
	Instance CertInstance `json:"instance"`
	Verdict  string       `json:"verdict"`
	// SolveEps is the eps solve used: a note for people; verify never uses it.
	SolveEps float64      `json:"solve_eps,omitempty"`
	W        [][]float64  `json:"w,omitempty"`
	Lambda   []CertLambda `json:"lambda,omitempty"`
}

// CertInstance names the instance of a certificate exactly.
type CertInstance struct {
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

// CertLambda is one weighted margin row of a not-storable certificate.
type CertLambda struct {
	Mu     int     `json:"mu"`
	V      int     `json:"v"`
	Weight float64 `json:"weight"`
}

// maxCertDim bounds d and p so that later int arithmetic (d*d, p*p) cannot
// overflow; the memory budget is checked separately before anything is built.
const maxCertDim = 1 << 30

// NewCertificate is the certificate of verdict v on instance in, which ci
// names (its model and embedding, and its seed or the user's files; the
// dimensions and the hash are filled in here). eps is the tolerance the
// verdict was decided with, a note for people only.
func NewCertificate(ci CertInstance, in *model.Instance, eps float64, v feasibility.Verdict) (*Certificate, error) {
	ci.D, ci.P, ci.SHA256 = in.D, in.P, in.Hash()
	c := &Certificate{Format: CertificateFormat, Verdict: string(v.Status), Instance: ci}
	switch v.Status {
	case feasibility.Storable:
		r, _ := v.W.Dims()
		for i := 0; i < r; i++ {
			c.W = append(c.W, append([]float64(nil), v.W.RawRowView(i)...))
		}
	case feasibility.NotStorable:
		c.SolveEps = eps
		for _, l := range v.Lambda {
			c.Lambda = append(c.Lambda, CertLambda{l.Mu, l.V, l.Weight})
		}
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

// ParseCertificate reads and validates a certificate: the format, the instance
// it names and the shape of its evidence. Whether the evidence holds is for
// verify to check on the instance. Unknown fields are refused, so a file cannot
// carry a setting (an "eps", say) that looks as if it mattered.
func ParseCertificate(b []byte) (*Certificate, error) {
	var c Certificate
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		var probe struct{ Format string }
		if json.Unmarshal(b, &probe) == nil && probe.Format == "lamcap-certificate/1" {
			return nil, errors.New("format lamcap-certificate/1 names its instance without a content hash and sets its own eps; make a new certificate with 'lamcap solve --certificate'")
		}
		return nil, fmt.Errorf("not a lamcap certificate (%v)", err)
	}
	if dec.More() {
		return nil, errors.New("not a lamcap certificate (text after the JSON object)")
	}
	if c.Format != CertificateFormat {
		return nil, fmt.Errorf("format %q, want %q", c.Format, CertificateFormat)
	}
	ci := c.Instance
	if ci.D < 2 || ci.P < 2 || ci.D > maxCertDim || ci.P > maxCertDim {
		return nil, fmt.Errorf("instance d=%d p=%d: want 2 <= d, p <= %d", ci.D, ci.P, maxCertDim)
	}
	cm, err := model.ParseModel(ci.Model)
	if err != nil {
		return nil, err
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
	if len(ci.SHA256) != 64 || !isLowerHex(ci.SHA256) {
		return nil, errors.New("instance sha256: want 64 lowercase hex digits")
	}
	if !(c.SolveEps >= 0) || math.IsInf(c.SolveEps, 0) {
		return nil, fmt.Errorf("solve_eps %v is not a finite nonnegative number", c.SolveEps)
	}
	switch c.Verdict {
	case string(feasibility.Storable):
		if len(c.Lambda) > 0 || c.SolveEps != 0 {
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

func isLowerHex(s string) bool {
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// Describe names the instance for messages.
func (ci CertInstance) Describe() string {
	if ci.Seed != nil {
		return fmt.Sprintf("d=%d p=%d seed=%d model=%s embedding=%s", ci.D, ci.P, *ci.Seed, ci.Model, ci.Embedding)
	}
	return fmt.Sprintf("d=%d p=%d from %s and %s (layout %s)", ci.D, ci.P, ci.Inputs, ci.Targets, ci.Layout)
}

// Source rebuilds the source a certificate names: the seeded generator, or the
// user's files (at inputs and targets if given, else at the paths it names).
func (ci CertInstance) Source(ctx context.Context, inputs, targets string) (model.Source, error) {
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
	Residual  float64
}

// RejectedError says why a certificate does not hold on its instance.
type RejectedError struct{ Reason string }

func (e *RejectedError) Error() string { return "certificate rejected: " + e.Reason }

// Verify checks the certificate on in, without a solver: the instance's hash
// must be the one the certificate names, and every margin of W, or
// |A^T lambda|_1 / sum(lambda) against eps, is recomputed with rounding bounds.
// A certificate that does not hold is a *RejectedError. eps is the verifier's,
// never the file's.
func (c *Certificate) Verify(in *model.Instance, eps float64) (Check, error) {
	ci := c.Instance
	if h := in.Hash(); h != ci.SHA256 {
		return Check{}, &RejectedError{fmt.Sprintf("it names an instance with sha256 %.12s..., but %s has sha256 %.12s...", ci.SHA256, ci.Describe(), h)}
	}
	switch c.Verdict {
	case string(feasibility.Storable):
		w := mat.NewDense(in.D, in.D, nil)
		for i, row := range c.W {
			w.SetRow(i, row)
		}
		chk := lp.CheckStorable(in, w)
		if !chk.OK {
			return Check{}, &RejectedError{fmt.Sprintf("margin of row (%d,%d) is not certified positive (margin minus rounding bound %.3g)", chk.Worst.Mu, chk.Worst.V, chk.MinSlack)}
		}
		return Check{Storable: true, Rows: in.Rows(), MinMargin: chk.MinMargin}, nil
	case string(feasibility.NotStorable):
		l := make([]lp.Weighted, len(c.Lambda))
		for i, x := range c.Lambda {
			l[i] = lp.Weighted{Row: lp.Row{Mu: x.Mu, V: x.V}, Weight: x.Weight}
		}
		chk := lp.CheckNotStorable(in, l, eps)
		if !chk.OK {
			return Check{Residual: chk.Residual}, &RejectedError{chk.Reason}
		}
		return Check{Rows: in.Rows(), Residual: chk.Residual}, nil
	}
	return Check{}, fmt.Errorf("verdict %q has no certificate", c.Verdict)
}
