package main

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/lamcap/lamcap/internal/outdir"
	"github.com/lamcap/lamcap/internal/ranges"
	"github.com/lamcap/lamcap/model"
)

// This file holds the flags of the vocabulary model (--model vocabulary --vocab V
// --answers uniform|balanced|zipf:S, or --answers A.npy with --inputs/--targets)
// and its instance files.

// registerVocab adds --vocab and --answers.
func (f *instanceFlags) registerVocab(fs *flagSet) {
	fs.IntVar(&f.vocab, "vocab", 0, "with --model vocabulary: the number V >= 2 of answers (words) the inputs share")
	fs.StringVar(&f.answers, "answers", "uniform", "with --model vocabulary: how answers are drawn, uniform, balanced or zipf:S")
}

// parseModel reads --model; "vocabulary" takes --vocab and --answers, and a
// vocabulary model's full name (vocabulary-V-ANSWERS) is read as it is.
func (f *instanceFlags) parseModel() (model.Model, error) {
	if f.modelName != "vocabulary" {
		if f.given("vocab") || f.given("answers") {
			return model.Model{}, usagef("--vocab and --answers apply to --model vocabulary only")
		}
		m, err := model.ParseModel(f.modelName)
		if err != nil {
			return m, usagef("--model: %v (or vocabulary with --vocab V)", err)
		}
		return m, nil
	}
	if strings.HasSuffix(f.answers, ".npy") {
		if f.inputs == "" {
			return model.Model{}, usagef("--answers %s: a file of answers goes with --inputs and --targets", f.answers)
		}
		return model.Model{}, nil // readUserVocab sets the model from the files
	}
	a, err := model.ParseAnswers(f.answers)
	if err != nil {
		return model.Model{}, usagef("--answers: %v", err)
	}
	m, err := model.Vocabulary(f.vocab, a)
	if err != nil {
		return m, usagef("--vocab: %v", err)
	}
	return m, nil
}

// vocabUser says whether the flags name user data with a vocabulary.
func (f *instanceFlags) vocabUser() bool {
	return f.modelName == "vocabulary" && f.inputs != ""
}

// readUserVocab reads --inputs (p x d), --targets (the V x d words) and
// --answers (p integers) into a vocabulary source.
func (f *instanceFlags) readUserVocab(ctx context.Context) error {
	if !strings.HasSuffix(f.answers, ".npy") {
		return usagef("--model vocabulary with --inputs/--targets needs --answers A.npy (p answer indices)")
	}
	if f.given("vocab") {
		return usagef("--vocab does not apply to user files: V is the number of rows of --targets")
	}
	x, err := model.ReadNPYContext(ctx, f.inputs, f.layout == "columns")
	if err != nil {
		return fileError("--inputs", err)
	}
	w, err := model.ReadNPYContext(ctx, f.targets, f.layout == "columns")
	if err != nil {
		return fileError("--targets", err)
	}
	a, err := model.ReadNPYInts(f.answers)
	if err != nil {
		return usagef("--answers: %v", err)
	}
	src, err := model.NewVocabMatrices(x, w, a)
	if err != nil {
		return usagef("%s, %s and %s: %v (layout %s)", f.inputs, f.targets, f.answers, err, f.layout)
	}
	f.user, f.model = src, src.Model()
	return f.adoptUser()
}

// vocabInstanceFiles are the files of a vocabulary instance: X.npy (p x d),
// Y.npy (the V x d words) and answers.npy (p integers).
func vocabInstanceFiles(in *model.Instance) []outdir.File {
	return []outdir.File{
		{Name: "X.npy", Fill: func(w io.Writer) error { return model.EncodeNPY(w, in.X) }},
		{Name: "Y.npy", Fill: func(w io.Writer) error { return model.EncodeNPY(w, in.Words()) }},
		{Name: "answers.npy", Fill: func(w io.Writer) error { return model.EncodeNPYInts(w, in.Answers()) }},
	}
}

// parseSweepModels reads sweep's --model list, in which "vocabulary" stands
// for one vocabulary model per V of the --vocab list and answer law of the
// --answers list (vocabulary-V-ANSWERS, the form the list also takes as it
// is). vocabGiven and answersGiven say whether those flags were given: they
// apply only beside "vocabulary". A model named twice is refused.
func parseSweepModels(list, vocabs, answers string, vocabGiven, answersGiven bool) ([]model.Model, error) {
	var ms []model.Model
	seen := map[model.Model]bool{}
	add := func(m model.Model) error {
		if seen[m] {
			return usagef("--model: %v is named twice", m)
		}
		seen[m] = true
		ms = append(ms, m)
		return nil
	}
	vocabulary := false
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name != "vocabulary" {
			m, err := model.ParseModel(name)
			if err != nil {
				return nil, usagef("--model: %v", err)
			}
			if err := add(m); err != nil {
				return nil, err
			}
			continue
		}
		vocabulary = true
		if !vocabGiven {
			return nil, usagef("--model vocabulary needs --vocab V (a list such as 4,16 or 2:10:2)")
		}
		vs, err := parseVocabs(vocabs)
		if err != nil {
			return nil, usagef("--vocab: %v", err)
		}
		for _, v := range vs {
			for _, s := range strings.Split(answers, ",") {
				s = strings.TrimSpace(s)
				if strings.HasSuffix(s, ".npy") {
					return nil, usagef("--answers %s: sweep draws its answers from the seeds (uniform, balanced, zipf:S); a file of answers goes with solve, threshold or margin", s)
				}
				a, err := model.ParseAnswers(s)
				if err != nil {
					return nil, usagef("--answers: %v", err)
				}
				m, err := model.Vocabulary(v, a)
				if err != nil {
					return nil, usagef("--vocab: %v", err)
				}
				if err := add(m); err != nil {
					return nil, err
				}
			}
		}
	}
	if !vocabulary && (vocabGiven || answersGiven) {
		return nil, usagef("--vocab and --answers apply beside vocabulary in --model only")
	}
	return ms, nil
}

// parseVocabs reads a list of vocabulary sizes V the way --d reads dimensions
// (ranges.Dims), with messages about V: "--vocab 1" said "--d: every d must be
// at least 2".
func parseVocabs(s string) ([]int, error) {
	vs, err := ranges.Dims(s)
	if err != nil {
		r := strings.NewReplacer("--d: ", "", "every d ", "every V ", " dimensions", " values")
		return nil, errors.New(r.Replace(err.Error()))
	}
	return vs, nil
}
