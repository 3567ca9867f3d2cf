package model

import (
	"fmt"
	"math"
	"math/bits"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// This file is the finite answer vocabulary (docs/theory.md, "A finite answer
// vocabulary"): p inputs, V answer embeddings ("words") y_0..y_(V-1), and an
// answer a(mu) for every input. The target of mu is y_(a(mu)) and its competitors
// are the V - 1 other words, so the LP has p(V - 1) margin rows.

// Stream kinds of the vocabulary (after those of rng.go).
const (
	kindWord   = 5 // word v: stream (seed, 5, v, 0)
	kindAnswer = 6 // answers: stream (seed, 6, mu, 0), or (seed, 6, block, 1) for balanced
)

// AnswerKind is how answers are drawn.
type AnswerKind int

const (
	// Uniform draws every answer uniformly from the V words.
	Uniform AnswerKind = iota
	// Balanced gives the words counts as equal as possible in every prefix: the
	// answers of inputs kV..kV+V-1 are a random permutation of the V words.
	Balanced
	// Zipf draws word v with probability proportional to (v+1)^(-S).
	Zipf
	// UserAnswers marks answers read from the user's file.
	UserAnswers
)

// Answers is the answer distribution of a vocabulary model; S is Zipf's exponent.
type Answers struct {
	Kind AnswerKind
	S    float64
}

func (a Answers) String() string {
	switch a.Kind {
	case Uniform:
		return "uniform"
	case Balanced:
		return "balanced"
	case Zipf:
		return "zipf" + strconv.FormatFloat(a.S, 'g', -1, 64)
	case UserAnswers:
		return "user"
	}
	return fmt.Sprintf("Answers(%d)", int(a.Kind))
}

// ParseAnswers reads uniform, balanced or zipf:S (S > 0 finite; "zipfS" is
// accepted too, as the model's String form writes it).
func ParseAnswers(s string) (Answers, error) {
	switch s {
	case "uniform":
		return Answers{Kind: Uniform}, nil
	case "balanced":
		return Answers{Kind: Balanced}, nil
	}
	if rest, ok := strings.CutPrefix(s, "zipf"); ok {
		rest = strings.TrimPrefix(rest, ":")
		v, err := strconv.ParseFloat(rest, 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) {
			return Answers{}, fmt.Errorf("zipf exponent %q: want a finite number > 0", rest)
		}
		return Answers{Kind: Zipf, S: v}, nil
	}
	return Answers{}, fmt.Errorf("unknown answers %q (want uniform, balanced or zipf:S)", s)
}

// maxVocab bounds V so that the words of a vocabulary stay addressable.
const maxVocab = 1 << 24

// Vocabulary is the model with V >= 2 words and answers drawn from a.
func Vocabulary(v int, a Answers) (Model, error) {
	if v < 2 || v > maxVocab {
		return Model{}, fmt.Errorf("vocabulary size V = %d: want 2 <= V <= %d", v, maxVocab)
	}
	if a.Kind < Uniform || a.Kind > UserAnswers || (a.Kind == Zipf && !(a.S > 0 && !math.IsInf(a.S, 0))) {
		return Model{}, fmt.Errorf("invalid answer distribution %v", a)
	}
	if a.Kind != Zipf {
		a.S = 0
	}
	return Model{kind: kindVocabulary, vocab: v, answers: a}, nil
}

// IsVocabulary reports whether the model has a finite answer vocabulary.
func (m Model) IsVocabulary() bool { return m.kind == kindVocabulary }

// SmallestP is the smallest number of associations whose instance has margin
// rows: 2 for the coupled and decoupled models (one association has no
// competitors: p = 1 is always storable, so p* >= 1), 1 for the vocabulary
// models, where one input already has the V - 1 other words as competitors.
// There p = 1 is an LP of its own, not storable when the input's answer lies
// inside the convex hull of the other words (no linear readout ranks such a
// word first), and p* may be 0.
func (m Model) SmallestP() int {
	if m.IsVocabulary() {
		return 1
	}
	return 2
}

// Vocab is the vocabulary size V (0 for the coupled and decoupled models).
func (m Model) Vocab() int { return m.vocab }

// Answers is the answer distribution of a vocabulary model.
func (m Model) Answers() Answers { return m.answers }

func vocabularyName(m Model) string {
	return "vocabulary-" + strconv.Itoa(m.vocab) + "-" + m.answers.String()
}

func parseVocabularyName(s string) (Model, error) {
	parts := strings.SplitN(strings.TrimPrefix(s, "vocabulary-"), "-", 2)
	if len(parts) != 2 {
		return Model{}, fmt.Errorf("model %q: want vocabulary-V-ANSWERS", s)
	}
	v, err := strconv.Atoi(parts[0])
	if err != nil {
		return Model{}, fmt.Errorf("model %q: vocabulary size: %w", s, err)
	}
	var a Answers
	if parts[1] == "user" {
		a = Answers{Kind: UserAnswers}
	} else if a, err = ParseAnswers(parts[1]); err != nil {
		return Model{}, fmt.Errorf("model %q: %w", s, err)
	}
	return Vocabulary(v, a)
}

// VocabSource is a source with a finite answer vocabulary: Target(mu) is
// Word(Answer(mu)), and Competitor(mu, v) is Word(v).
type VocabSource interface {
	Source
	// Word fills dst with the embedding of answer v, 0 <= v < Model().Vocab().
	Word(v int, dst []float64)
	// Answer is a(mu), the answer of input mu.
	Answer(mu int) int
}

// Word fills dst with word v of a vocabulary model: stream (seed, 5, v, 0).
func (r Random) Word(v int, dst []float64) { r.fill(kindWord, v, 0, dst[:r.D]) }

// Answer is a(mu) for a vocabulary model (see AnswerKind); it depends only on the
// seed, V, the distribution and mu, so instances nest in p.
func (r Random) Answer(mu int) int {
	v := r.Kind.vocab
	switch r.Kind.answers.Kind {
	case Balanced:
		return balancedAnswer(r.Seed, v, mu)
	case Zipf:
		u := float64(newStream(streamKey(r.Seed, kindAnswer, mu, 0)).next()>>11) * (1.0 / (1 << 53))
		return zipfPick(zipfCumulative(v, r.Kind.answers.S), u)
	}
	return uniformInt(newStream(streamKey(r.Seed, kindAnswer, mu, 0)).next(), v)
}

// uniformInt maps a 64-bit word to [0, n) by the high half of the product
// (Lemire): bias below n / 2^64, and exact integer arithmetic.
func uniformInt(x uint64, n int) int {
	hi, _ := bits.Mul64(x, uint64(n))
	return int(hi)
}

// balancedAnswer permutes the V words afresh in every block of V inputs
// (Fisher-Yates from stream (seed, 6, block, 1)).
func balancedAnswer(seed uint64, v, mu int) int {
	block, off := mu/v, mu%v
	perm := make([]int, v)
	for i := range perm {
		perm[i] = i
	}
	s := newStream(streamKey(seed, kindAnswer, block, 1))
	for i := v - 1; i > 0; i-- {
		j := uniformInt(s.next(), i+1)
		perm[i], perm[j] = perm[j], perm[i]
	}
	return perm[off]
}

// zipfCumulative returns the cumulative Zipf weights c_v = sum_(k<=v) (k+1)^(-s),
// computed with portableExp and portableLog only, so they are the same bits
// everywhere.
func zipfCumulative(v int, s float64) []float64 {
	c := make([]float64, v)
	sum := 0.0
	for k := range c {
		// (k+1)^(-s) = exp(s log(1/(k+1))); 1/(k+1) is in (0, 1].
		sum += portableExp(float64(s * portableLog(1/float64(k+1))))
		c[k] = sum
	}
	return c
}

// zipfPick returns the first v with c_v > u c_(V-1).
func zipfPick(c []float64, u float64) int {
	t := float64(u * c[len(c)-1])
	return sort.Search(len(c)-1, func(i int) bool { return c[i] > t })
}

// portableExp is e^x for x <= 0 by range reduction x = k ln2 + r, |r| <= ln2/2,
// and a Taylor polynomial of degree 20 in Horner form, every operation rounded
// explicitly (see portableLog); relative error a few ulp. Below -745 it is 0.
func portableExp(x float64) float64 {
	const (
		ln2Hi = 6.93147180369123816490e-01
		ln2Lo = 1.90821492927058770002e-10
	)
	if x < -745 {
		return 0
	}
	k := math.Floor(float64(x*(1/math.Ln2)) + 0.5)
	r := float64(x-float64(k*ln2Hi)) - float64(k*ln2Lo)
	e := 1.0
	for n := 20; n >= 1; n-- {
		e = float64(1 + float64(float64(r*e)/float64(n)))
	}
	return math.Ldexp(e, int(k))
}

// vocabData is the vocabulary of an instance: the V words (row-major, V x d)
// and the answers of its p inputs.
type vocabData struct {
	src     VocabSource
	words   []float64
	wordsM  *mat.Dense
	answers []int
}

func newVocabData(src Source) (*vocabData, error) {
	vs, ok := src.(VocabSource)
	if !ok {
		return nil, fmt.Errorf("the %v model needs a source with a vocabulary (a %T has none)", src.Model(), src)
	}
	v, d := src.Model().Vocab(), src.Dim()
	voc := &vocabData{src: vs, words: make([]float64, v*d)}
	for k := 0; k < v; k++ {
		vs.Word(k, voc.words[k*d:(k+1)*d])
	}
	voc.wordsM = mat.NewDense(v, d, voc.words)
	return voc, nil
}

// Words returns the V x d matrix of answer embeddings of a vocabulary instance
// (a view; do not modify), or nil.
func (in *Instance) Words() *mat.Dense {
	if in.voc == nil {
		return nil
	}
	return in.voc.wordsM
}

// Answers returns a(0..p-1) of a vocabulary instance (a view), or nil.
func (in *Instance) Answers() []int {
	if in.voc == nil {
		return nil
	}
	return in.voc.answers[:in.P:in.P]
}

// VocabMatrices is a vocabulary source of user data: inputs X (p x d), words W
// (V x d) and answers A (p integers in [0, V)).
type VocabMatrices struct {
	X, W *mat.Dense
	A    []int
}

// NewVocabMatrices checks the shapes (X p x d, W V x d, len(A) = p, p >= 2,
// d >= 2, V >= 2) and that every answer names a word.
func NewVocabMatrices(x, w *mat.Dense, a []int) (*VocabMatrices, error) {
	p, d := x.Dims()
	v, dw := w.Dims()
	if dw != d {
		return nil, fmt.Errorf("inputs are %d x %d but the words %d x %d: dimensions must match", p, d, v, dw)
	}
	if len(a) != p {
		return nil, fmt.Errorf("%d answers for %d inputs", len(a), p)
	}
	if p < 2 || d < 2 || v < 2 {
		return nil, fmt.Errorf("need p >= 2 inputs, V >= 2 words and d >= 2, got p=%d V=%d d=%d", p, v, d)
	}
	if v > maxVocab {
		return nil, fmt.Errorf("V = %d words exceed %d", v, maxVocab)
	}
	for mu, k := range a {
		if k < 0 || k >= v {
			return nil, fmt.Errorf("answer %d of input %d is not a word index in [0, %d)", k, mu, v)
		}
	}
	return &VocabMatrices{X: x, W: w, A: a}, nil
}

func (m *VocabMatrices) Dim() int { _, d := m.X.Dims(); return d }
func (m *VocabMatrices) Model() Model {
	v, _ := m.W.Dims()
	return Model{kind: kindVocabulary, vocab: v, answers: Answers{Kind: UserAnswers}}
}
func (m *VocabMatrices) Embedding() Embedding               { return User }
func (m *VocabMatrices) MaxP() int                          { p, _ := m.X.Dims(); return p }
func (m *VocabMatrices) Input(mu int, dst []float64)        { copy(dst, m.X.RawRowView(mu)) }
func (m *VocabMatrices) Target(mu int, dst []float64)       { copy(dst, m.W.RawRowView(m.A[mu])) }
func (m *VocabMatrices) Competitor(_, v int, dst []float64) { copy(dst, m.W.RawRowView(v)) }
func (m *VocabMatrices) Word(v int, dst []float64)          { copy(dst, m.W.RawRowView(v)) }
func (m *VocabMatrices) Answer(mu int) int                  { return m.A[mu] }
