package model

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/internal/memlimit"
)

// Model says who the competitors of an association are. The zero Model is the
// coupled model. Models are comparable values; a vocabulary model carries its
// vocabulary size and answer distribution (Vocabulary), and its String form,
// which ParseModel and UnmarshalText read back, names them too.
type Model struct {
	kind    int
	vocab   int
	answers Answers
}

var (
	// Coupled is the original model: the competitors of mu are the other targets.
	Coupled = Model{kind: 0}
	// Decoupled gives every association its own fresh competitors.
	Decoupled = Model{kind: 1}
)

const kindVocabulary = 2

var modelNames = []string{"coupled", "decoupled"}

func (m Model) String() string {
	if m.kind == kindVocabulary {
		return vocabularyName(m)
	}
	if m.kind < 0 || m.kind >= len(modelNames) {
		return fmt.Sprintf("Model(%d)", m.kind)
	}
	return modelNames[m.kind]
}

// ParseModel reads "coupled", "decoupled" or a vocabulary model's String form
// ("vocabulary-16-uniform", "vocabulary-8-zipf1.1", ...).
func ParseModel(s string) (Model, error) {
	for i, n := range modelNames {
		if s == n {
			return Model{kind: i}, nil
		}
	}
	if strings.HasPrefix(s, "vocabulary-") {
		return parseVocabularyName(s)
	}
	return Model{}, fmt.Errorf("unknown model %q (want %s or vocabulary-V-ANSWERS)", s, strings.Join(modelNames, ", "))
}

// MarshalText writes the model's String form.
func (m Model) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads what MarshalText writes.
func (m *Model) UnmarshalText(b []byte) error {
	v, err := ParseModel(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Embedding is the distribution of inputs, targets and competitors. The zero
// Embedding is Gaussian. Embeddings are comparable values; a parameterised one
// (Correlated) carries its parameter, and its String form, which ParseEmbedding
// and UnmarshalText read back, names it: "correlated:0.2". The package
// documentation states what each embedding draws.
type Embedding struct {
	kind int
	rho  float64 // pairwise correlation of a correlated embedding
}

var (
	// Gaussian draws i.i.d. N(0, 1/d) entries.
	Gaussian = Embedding{kind: 0}
	// Sphere draws uniformly on the unit sphere.
	Sphere = Embedding{kind: 1}
	// User marks embeddings supplied by the user.
	User = Embedding{kind: 2}
)

const (
	embedCorrelated = 3
	correlatedName  = "correlated:"
)

var embeddingNames = []string{"gaussian", "sphere", "user"}

// Correlated returns the Gaussian embedding whose vectors of one side (inputs;
// targets and competitors) have pairwise correlation rho, 0 < rho < 1: each
// vector is sqrt(1-rho) g + sqrt(rho) c with g fresh and c one common direction
// per seed and side, both N(0, I/d). rho = 0 is Gaussian, under its own name.
func Correlated(rho float64) (Embedding, error) {
	if !(rho > 0 && rho < 1) {
		return Embedding{}, fmt.Errorf("correlated embedding: want 0 < rho < 1, got %v", rho)
	}
	return Embedding{kind: embedCorrelated, rho: rho}, nil
}

// Rho is the pairwise correlation of a correlated embedding (0 for the others).
func (e Embedding) Rho() float64 { return e.rho }

// Seeded says whether Random draws the embedding from a seed (every embedding
// but User).
func (e Embedding) Seeded() bool {
	return e.kind == Gaussian.kind || e.kind == Sphere.kind || e.kind == embedCorrelated
}

// Independent says whether the embedding draws every vector independently
// from an isotropic law (Gaussian, sphere): what the finite-size theory's
// Gaussian surrogate assumes. Correlated vectors share a common direction, and
// a user's vectors are whatever they are: no theory applies to them.
func (e Embedding) Independent() bool {
	return e.kind == Gaussian.kind || e.kind == Sphere.kind
}

func (e Embedding) String() string {
	if e.kind == embedCorrelated {
		return correlatedName + strconv.FormatFloat(e.rho, 'g', -1, 64)
	}
	if e.kind < 0 || e.kind >= len(embeddingNames) {
		return fmt.Sprintf("Embedding(%d)", e.kind)
	}
	return embeddingNames[e.kind]
}

// ParseEmbedding reads the String form of a seeded embedding: "gaussian",
// "sphere" or "correlated:RHO" with 0 < RHO < 1.
func ParseEmbedding(s string) (Embedding, error) {
	for i, n := range embeddingNames[:2] {
		if s == n {
			return Embedding{kind: i}, nil
		}
	}
	if v, ok := strings.CutPrefix(s, correlatedName); ok {
		rho, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return Embedding{}, fmt.Errorf("embedding %q: %w", s, err)
		}
		return Correlated(rho)
	}
	return Embedding{}, fmt.Errorf("unknown embedding %q (want gaussian, sphere or correlated:RHO)", s)
}

// MarshalText writes the embedding's String form.
func (e Embedding) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// UnmarshalText reads what MarshalText writes: a seeded embedding or "user".
func (e *Embedding) UnmarshalText(b []byte) error {
	if string(b) == User.String() {
		*e = User
		return nil
	}
	v, err := ParseEmbedding(string(b))
	if err != nil {
		return err
	}
	*e = v
	return nil
}

// Source produces the vectors of an instance family, one at a time. Vector mu of
// a source never depends on how many vectors were asked for, so instances built
// from a source nest.
type Source interface {
	Dim() int
	Model() Model
	Embedding() Embedding
	// MaxP is the largest number of associations the source can give (0: no limit).
	MaxP() int
	Input(mu int, dst []float64)
	Target(mu int, dst []float64)
	// Competitor fills dst with the competitor of association mu in slot v != mu.
	// For the coupled model it is target v.
	Competitor(mu, v int, dst []float64)
}

// Random is the seeded random source: see the package documentation for the
// generator.
type Random struct {
	D     int
	Seed  uint64
	Kind  Model
	Embed Embedding
}

func (r Random) Dim() int             { return r.D }
func (r Random) Model() Model         { return r.Kind }
func (r Random) Embedding() Embedding { return r.Embed }
func (r Random) MaxP() int            { return 0 }

func (r Random) fill(kind, a, b int, dst []float64) {
	s := newStream(streamKey(r.Seed, kind, a, b))
	for i := range dst {
		dst[i] = s.normal()
	}
	switch r.Embed.kind {
	case embedCorrelated:
		r.mixCommon(kind, dst)
	case Sphere.kind:
		var n2 float64
		for _, v := range dst {
			n2 += float64(v * v)
		}
		n := math.Sqrt(n2)
		for i := range dst {
			dst[i] /= n
		}
	default:
		sd := math.Sqrt(float64(len(dst)))
		for i := range dst {
			dst[i] /= sd
		}
	}
}

// mixCommon turns the standard normals in dst into sqrt(1-rho) g + sqrt(rho) c,
// divided by sqrt(d), with c the common normals of the vector's side: stream
// (seed, kindCommon, kindInput, 0) for inputs, (seed, kindCommon, kindTarget, 0)
// for targets, competitors and words. The products are rounded before the sum
// (explicit float64 conversions forbid fused multiply-adds).
func (r Random) mixCommon(kind int, dst []float64) {
	side := kindTarget
	if kind == kindInput {
		side = kindInput
	}
	c := newStream(streamKey(r.Seed, kindCommon, side, 0))
	a, b := math.Sqrt(1-r.Embed.rho), math.Sqrt(r.Embed.rho)
	sd := math.Sqrt(float64(len(dst)))
	for i := range dst {
		dst[i] = (float64(a*dst[i]) + float64(b*c.normal())) / sd
	}
}

func (r Random) Input(mu int, dst []float64) { r.fill(kindInput, mu, 0, dst[:r.D]) }
func (r Random) Target(mu int, dst []float64) {
	if r.Kind.IsVocabulary() {
		r.Word(r.Answer(mu), dst)
		return
	}
	r.fill(kindTarget, mu, 0, dst[:r.D])
}

func (r Random) Competitor(mu, v int, dst []float64) {
	if r.Kind.IsVocabulary() {
		r.Word(v, dst)
		return
	}
	if r.Kind == Coupled {
		r.Target(v, dst)
		return
	}
	r.fill(kindCompetitor, mu, v, dst[:r.D])
}

// Instance is the prefix of p associations of a source, with its vectors
// materialised: X and Y are p x d, row mu holding x_mu and y_mu. For the decoupled
// model, the competitors of each association are kept as a p x d block per mu
// (row v is c_(mu,v); row mu repeats y_mu and is never a constraint).
// Growing an instance appends to its storage and keeps every vector it had.
//
// For the vocabulary model Y still holds the p targets (row mu is the word of
// answer a(mu)); the competitor slots are the V words, slot a(mu) is the
// association's own answer and never a constraint, and the vocabulary is kept once
// (Words, Answers).
type Instance struct {
	Src  Source
	D, P int
	X, Y *mat.Dense
	xs   []float64
	ys   []float64
	comp [][]float64
	voc  *vocabData // nil unless the source has a finite vocabulary
}

// NewInstance materialises the first p associations of src.
func NewInstance(src Source, p int) (*Instance, error) {
	return NewInstanceContext(context.Background(), src, p)
}

// NewInstanceContext is NewInstance, stopped with ctx's error when ctx is
// done (see GrowContext).
func NewInstanceContext(ctx context.Context, src Source, p int) (*Instance, error) {
	in := &Instance{Src: src, D: src.Dim()}
	if src.Model().IsVocabulary() {
		voc, err := newVocabData(src)
		if err != nil {
			return nil, err
		}
		in.voc = voc
	}
	if err := in.GrowContext(ctx, p); err != nil {
		return nil, err
	}
	return in, nil
}

// growCheckEvery is how many associations Grow draws between two checks of
// its context: a few microseconds of work at d = 64 (the decoupled model
// checks every association, which draws p competitors), against the
// nanoseconds of a check.
const growCheckEvery = 64

// Grow extends the instance to p associations (p >= in.P); the first in.P are kept.
func (in *Instance) Grow(p int) error { return in.GrowContext(context.Background(), p) }

// GrowContext is Grow, stopped with ctx's error when ctx is done: at d = 96
// the decoupled model's p^2 d competitors take seconds to draw. A stopped
// Grow leaves the instance as it was.
func (in *Instance) GrowContext(ctx context.Context, p int) error {
	if p < in.P {
		return fmt.Errorf("cannot shrink an instance from p=%d to p=%d", in.P, p)
	}
	if max := in.Src.MaxP(); max > 0 && p > max {
		return fmt.Errorf("p=%d exceeds the %d associations the source holds", p, max)
	}
	if p == in.P && in.X != nil {
		return nil
	}
	d, old := in.D, in.P
	buf := make([]float64, d)
	stopped := func() error {
		err := ctx.Err()
		if err != nil { // undo the appends: the instance stays as it was
			in.xs, in.ys = in.xs[:old*d], in.ys[:old*d]
			if in.voc != nil {
				in.voc.answers = in.voc.answers[:old]
			}
			if in.comp != nil {
				in.comp = in.comp[:old]
			}
		}
		return err
	}
	for mu := old; mu < p; mu++ {
		if (mu-old)%growCheckEvery == 0 {
			if err := stopped(); err != nil {
				return err
			}
		}
		in.Src.Input(mu, buf)
		in.xs = append(in.xs, buf...)
		in.Src.Target(mu, buf)
		in.ys = append(in.ys, buf...)
		if in.voc != nil {
			in.voc.answers = append(in.voc.answers, in.voc.src.Answer(mu))
		}
	}
	if in.Src.Model() == Decoupled {
		for mu := old; mu < p; mu++ {
			in.comp = append(in.comp, make([]float64, 0, p*d))
		}
		// Association mu's competitors go to in.comp[mu] alone, and Random
		// draws each competitor from its own stream (a function of the seed,
		// mu and v, nothing shared), so for Random they are drawn on every
		// core: p^2 d Gaussians, 0.6 s of CPU at d = 64, p = 577. Other
		// sources are not asked to be safe for concurrent calls.
		workers := 1
		if _, ok := in.Src.(Random); ok {
			workers = min(runtime.GOMAXPROCS(0), p)
		}
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				buf := make([]float64, d)
				for mu := int(next.Add(1) - 1); mu < p && ctx.Err() == nil; mu = int(next.Add(1) - 1) {
					if c := in.comp[mu]; cap(c) < p*d {
						// An association of the instance before: its block
						// is copied to one of exactly p x d, where append
						// would leave up to a quarter more capacity (for
						// the decoupled model p^2 d doubles in all, which
						// MemoryBytes counts).
						in.comp[mu] = append(make([]float64, 0, p*d), c...)
					}
					for v := len(in.comp[mu]) / d; v < p; v++ {
						if v == mu {
							in.comp[mu] = append(in.comp[mu], in.ys[mu*d:(mu+1)*d]...)
							continue
						}
						in.Src.Competitor(mu, v, buf)
						in.comp[mu] = append(in.comp[mu], buf...)
					}
				}
			}()
		}
		wg.Wait()
		if err := stopped(); err != nil {
			return err
		}
	}
	in.P = p
	in.X = mat.NewDense(p, d, in.xs[:p*d:p*d])
	in.Y = mat.NewDense(p, d, in.ys[:p*d:p*d])
	return nil
}

// Prefix returns the instance of the first p associations of in (1 <= p <=
// in.P) without drawing anything: a view of in's vectors, equal entry for
// entry to the instance NewInstance builds from the same source (instances
// nest). Neither affects the other afterwards: growing in appends after
// what the view reads, and growing the view copies before it appends. A
// search that decides several p of one source can draw the largest instance
// once and take the others as prefixes; for the decoupled model that saves
// p^2 d Gaussian draws per instance (0.6 s of CPU at d = 64, p = 577).
func (in *Instance) Prefix(p int) (*Instance, error) {
	if p < 1 || p > in.P {
		return nil, fmt.Errorf("prefix of p=%d associations of an instance of p=%d", p, in.P)
	}
	n := p * in.D // entries of a p x d block
	v := &Instance{Src: in.Src, D: in.D, P: p, xs: in.xs[:n:n], ys: in.ys[:n:n]}
	if in.voc != nil {
		voc := *in.voc
		voc.answers = voc.answers[:p:p]
		v.voc = &voc
	}
	if in.comp != nil {
		v.comp = make([][]float64, p)
		for mu := range v.comp {
			v.comp[mu] = in.comp[mu][:n:n]
		}
	}
	v.X = mat.NewDense(p, in.D, v.xs)
	v.Y = mat.NewDense(p, in.D, v.ys)
	return v, nil
}

// Competitor returns c_(mu,v) (a view; do not modify): y_v for the coupled model.
func (in *Instance) Competitor(mu, v int) []float64 {
	if in.voc != nil {
		return in.voc.words[v*in.D : (v+1)*in.D]
	}
	if in.comp == nil {
		return in.ys[v*in.D : (v+1)*in.D]
	}
	return in.comp[mu][v*in.D : (v+1)*in.D]
}

// Competitors returns the Slots() x d matrix whose row v is the competitor of mu in
// slot v (row Own(mu) is y_mu). For the coupled model it is Y for every mu, for
// the vocabulary model the words.
func (in *Instance) Competitors(mu int) *mat.Dense {
	if in.voc != nil {
		return in.voc.wordsM
	}
	if in.comp == nil {
		return in.Y
	}
	n := in.P * in.D
	return mat.NewDense(in.P, in.D, in.comp[mu][:n:n])
}

// Rows is the number of margin constraints, p(Slots()-1): p(p-1), or p(V-1) for
// the vocabulary model.
func (in *Instance) Rows() int { return in.P * (in.Slots() - 1) }

// Slots is the number of competitor slots of every association, the columns of
// Scores and Margins: p, or V for the vocabulary model.
func (in *Instance) Slots() int {
	if in.voc != nil {
		return len(in.voc.words) / in.D
	}
	return in.P
}

// Own is the slot of association mu that holds its own target and is not a
// constraint: mu, or its answer a(mu) for the vocabulary model.
func (in *Instance) Own(mu int) int {
	if in.voc != nil {
		return in.voc.answers[mu]
	}
	return mu
}

// MemoryBytes estimates the memory an instance of size p needs, without building
// it: X and Y, and for the decoupled model p x p competitors. The count saturates
// at memlimit.Inf instead of overflowing.
func MemoryBytes(d, p int, m Model) int64 {
	b := memlimit.Mul(2, int64(p), int64(d), 8)
	if m.IsVocabulary() {
		b = memlimit.Add(b, memlimit.Add(memlimit.Mul(int64(m.Vocab()), int64(d), 8), memlimit.Mul(int64(p), 8)))
	}
	if m == Decoupled {
		b = memlimit.Add(b, memlimit.Mul(int64(p), int64(p), int64(d), 8))
	}
	return b
}
