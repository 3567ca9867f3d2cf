package experiment

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
	"github.com/lamcap/lamcap/stats"
	"github.com/lamcap/lamcap/theory"
)

// Family names the random instance families of a study: dimension, competitor
// model, embedding and seeds FirstSeed, ..., FirstSeed+Seeds-1.
type Family struct {
	D         int
	Model     model.Model
	Embedding model.Embedding
	FirstSeed int64
	Seeds     int
}

func (f Family) source(seed int64) model.Source {
	return model.Random{D: f.D, Seed: uint64(seed), Kind: f.Model, Embed: f.Embedding}
}

func (f Family) check() error {
	switch {
	case f.D < 2:
		return fmt.Errorf("d must be at least 2, got %d", f.D)
	case f.Seeds < 1 || f.FirstSeed < 0:
		return fmt.Errorf("want seeds >= 0 and a count >= 1, got %d from %d", f.Seeds, f.FirstSeed)
	case !f.Embedding.Seeded():
		return fmt.Errorf("embedding %v cannot be drawn from a seed", f.Embedding)
	}
	return nil
}

// RuleStudy is the score statistics and singular values of one memory rule over
// the storable instances of a study.
type RuleStudy struct {
	Recall      RecallStats `json:"scores"`
	Singular    Moments     `json:"singular_values"`
	TopSingular Moments     `json:"top_singular_value"`
	MeanByRank  []float64   `json:"mean_singular_value_by_rank"`
	// Sample holds every score and margin; SV every singular value.
	Sample ScoreSample `json:"-"`
	SV     []float64   `json:"-"`
	tops   []float64
	byRank [][]float64 // one instance's singular values each, in seed order
}

// ModelStudy is the four memories (Rules) of the storable instances of one
// family, at one p.
type ModelStudy struct {
	Model   string `json:"model"`
	Used    int    `json:"instances_used"`
	Skipped int    `json:"instances_not_storable"`
	// EVLevel is the extreme-value level sqrt(2 log n) of the largest of the
	// n - 1 competitor scores of an association: n = p, or V for a vocabulary
	// model (its competitors are the other V - 1 words, whatever p is).
	EVLevel float64             `json:"extreme_value_level_sqrt_2_log_p"`
	Rules   map[Rule]*RuleStudy `json:"rules"`
	// Kappas are the certified kappa* of every instance (0 when not storable).
	Kappas []float64 `json:"-"`
	// KappaSeeds are the seeds of Kappas, in order.
	KappaSeeds []int64 `json:"-"`
	// Tight is the structure of the max-margin memories (Tightness).
	Tight Tightness `json:"tightness"`
	// seeds are the seeds of the instances used, in order (as RuleStudy.byRank).
	seeds []int64
}

// ModelSettings are the settings of StudyModel: the family, the size P (0:
// DefaultStudyP) and the options of the max-margin solves (the zero
// lp.Options: the solver by size, lp.DefaultEps, no time limit).
type ModelSettings struct {
	Family
	P  int
	LP lp.Options
}

// StudyModel builds the memories of the prefix of s.P associations of every
// instance of the family (Memories) and gathers their statistics.
func StudyModel(ctx context.Context, s ModelSettings) (*ModelStudy, error) {
	f := s.Family
	if err := f.check(); err != nil {
		return nil, err
	}
	p := s.P
	if p == 0 {
		var err error
		if p, err = DefaultStudyP(f.D); err != nil {
			return nil, fmt.Errorf("model study: %w", err)
		}
	}
	res := &ModelStudy{Model: f.Model.String(), EVLevel: competitorsLevel(p, f.Model), Rules: map[Rule]*RuleStudy{}}
	for _, r := range Rules {
		res.Rules[r] = &RuleStudy{}
	}
	for seed := f.FirstSeed; seed < f.FirstSeed+int64(f.Seeds); seed++ {
		in, err := model.NewInstance(f.source(seed), p)
		if err != nil {
			return nil, err
		}
		ws, mm, ok, err := Memories(ctx, in, s.LP)
		if err != nil {
			return nil, fmt.Errorf("seed %d: %w", seed, err)
		}
		if mm.Certified {
			res.Kappas = append(res.Kappas, mm.Kappa)
			res.KappaSeeds = append(res.KappaSeeds, seed)
		}
		if !ok {
			res.Skipped++
			continue
		}
		res.Used++
		res.seeds = append(res.seeds, seed)
		res.Tight.Add(in, ws[Optimal], mm.Kappa)
		for r, w := range ws {
			rr := res.Rules[r]
			rr.Sample.AddScores(in, w)
			sv := SingularValues(w)
			rr.SV = append(rr.SV, sv...)
			rr.tops = append(rr.tops, sv[0])
			rr.byRank = append(rr.byRank, sv)
		}
	}
	for _, rr := range res.Rules {
		rr.Recall = rr.Sample.Stats()
		rr.Singular = Describe(rr.SV)
		rr.TopSingular = Describe(rr.tops)
		if len(rr.byRank) > 0 {
			rr.MeanByRank = make([]float64, len(rr.byRank[0]))
			for _, sv := range rr.byRank {
				for k, v := range sv {
					rr.MeanByRank[k] += v / float64(len(rr.byRank))
				}
			}
		}
	}
	return res, nil
}

// KS is a two-sample Kolmogorov-Smirnov comparison.
type KS struct {
	Distance float64 `json:"ks_distance"`
	PValue   float64 `json:"p_value_approx"`
	// Permutation is the paired permutation p-value (stats.PairedKSPermutation).
	Permutation float64 `json:"p_value_permutation"`
}

// Mechanism is the mechanism study: the memories of the same families under
// several competitor models, and for the coupled and decoupled models the KS
// comparison of their spectra (optimal and Hebbian memories).
type Mechanism struct {
	D         int           `json:"d"`
	P         int           `json:"p"`
	Seeds     []int64       `json:"seeds"`
	Embedding string        `json:"embedding"`
	Models    []*ModelStudy `json:"models"`
	Spectra   map[Rule]KS   `json:"spectra_coupled_vs_decoupled,omitempty"`
}

// MechanismSettings are the settings of StudyMechanism: the family (its Model
// is ignored), the models (none: DefaultMechanismModels), the size P (0:
// DefaultMechanismP, 80% of the models' finite-size p_c, so most instances are
// storable) and the options of the max-margin solves.
type MechanismSettings struct {
	Family
	Models []model.Model
	P      int
	LP     lp.Options
}

// DefaultMechanismModels are the models of the mechanism study when none are
// given: coupled and decoupled, whose spectra it compares.
var DefaultMechanismModels = []model.Model{model.Coupled, model.Decoupled}

// StudyMechanism runs StudyModel for each model at s.P.
func StudyMechanism(ctx context.Context, s MechanismSettings) (*Mechanism, error) {
	f := s.Family
	if err := f.check(); err != nil {
		return nil, err
	}
	models := s.Models
	if len(models) == 0 {
		models = DefaultMechanismModels
	}
	p := s.P
	if p == 0 {
		var err error
		if p, err = DefaultMechanismP(f.D, models); err != nil {
			return nil, fmt.Errorf("mechanism: %w", err)
		}
	}
	out := &Mechanism{D: f.D, P: p, Seeds: []int64{f.FirstSeed, f.FirstSeed + int64(f.Seeds) - 1}, Embedding: f.Embedding.String()}
	for _, m := range models {
		f.Model = m
		r, err := StudyModel(ctx, ModelSettings{Family: f, P: p, LP: s.LP})
		if err != nil {
			return nil, err
		}
		out.Models = append(out.Models, r)
	}
	if comparesSpectra(out.Models) {
		out.Spectra = map[Rule]KS{}
		for _, r := range []Rule{Optimal, Hebbian} {
			d, pv := stats.KolmogorovSmirnov(out.Models[0].Rules[r].SV, out.Models[1].Rules[r].SV)
			_, perm := stats.PairedKSPermutation(pairSpectra(out.Models[0], out.Models[1], r), stats.PermutationRounds, uint64(f.D))
			out.Spectra[r] = KS{d, pv, perm}
		}
	}
	return out, nil
}

// CompareRow is one (d, model, load) of the compare-models study: kappa* at
// p = Load of p_c and the optimal memory's statistics.
type CompareRow struct {
	D     int    `json:"d"`
	P     int    `json:"p"`
	Model string `json:"model"`
	// Load says how p was chosen: LoadEqualP (both models at the fraction of
	// the finite-size theory's p_c) or LoadEqualRelative (each model at the
	// fraction of its own measured p_c, PC). Empty in files written before
	// loads were told apart: those are LoadEqualP.
	Load    string         `json:"load,omitempty"`
	PC      float64        `json:"p_c,omitempty"`
	Kappa   float64        `json:"kappa_star_median"`
	KappaCI stats.Interval `json:"kappa_star_ci95"`
	Correct float64        `json:"correct_score_mean"`
	MaxComp float64        `json:"max_competitor_score_mean"`
	TopSV   float64        `json:"top_singular_value_mean"`
	KS      float64        `json:"spectra_ks_distance"`
	KSp     float64        `json:"spectra_ks_p_value_approx"`
	// KSPerm is the paired permutation p-value of KS (stats.PairedKSPermutation):
	// exact in its assumptions, unlike KSp, whose singular values are not
	// independent draws.
	KSPerm      float64 `json:"spectra_ks_p_value_permutation"`
	Used        int     `json:"instances_used"`
	NotStorable int     `json:"instances_not_storable"`
	// Seeds and KappaStars are the certified kappa* per seed, so that the two
	// models can be compared seed by seed (absent from older files).
	Seeds      []int64   `json:"seeds,omitempty"`
	KappaStars []float64 `json:"kappa_stars,omitempty"`
	// Tight is the structure of the max-margin memories (absent from older files).
	Tight *Tightness `json:"tightness,omitempty"`
}

// The loads of CompareRow.Load.
const (
	LoadEqualP        = "equal-p"
	LoadEqualRelative = "equal-relative-load"
)

// DefaultLoad is the fraction of p_c at which the mechanism studies look at the
// memories: most instances are storable there.
const DefaultLoad = 0.8

// CompareLoad says where CompareModels compares the models.
type CompareLoad struct {
	// Fraction of p_c (0: DefaultLoad).
	Fraction float64
	// Measured, when set, gives a model's own measured p_c at d (false when
	// there is none): each d is then compared at equal p and, where both models
	// have a measured p_c, at equal relative load too.
	Measured func(d int, m model.Model) (float64, bool)
}

// CompareSettings are the settings of CompareModels: the dimensions Ds, the
// family at each of them (its D and Model are ignored), where the models are
// compared (Load) and the options of the max-margin solves.
type CompareSettings struct {
	Ds []int
	Family
	Load CompareLoad
	LP   lp.Options
}

// CompareModels tests the equivalence claim: for each d of s.Ds, coupled and
// decoupled families side by side, at equal p (s.Load.Fraction of the
// finite-size p_c) and, with s.Load.Measured, at equal relative load.
func CompareModels(ctx context.Context, s CompareSettings) ([]CompareRow, error) {
	f, load := s.Family, s.Load
	if load.Fraction == 0 {
		load.Fraction = DefaultLoad
	}
	if len(s.Ds) == 0 {
		return nil, errors.New("compare-models: no d")
	}
	var rows []CompareRow
	for _, d := range s.Ds {
		f.D = d
		if err := f.check(); err != nil {
			return nil, err
		}
		pc, err := TheoryPC(d, 0)
		if err != nil {
			return nil, fmt.Errorf("compare-models: %w", err)
		}
		p := studyP(load.Fraction, pc)
		r, err := compareAt(ctx, f, s.LP, [2]int{p, p}, [2]float64{pc, pc}, LoadEqualP)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r...)
		if load.Measured == nil {
			continue
		}
		pcC, okC := load.Measured(d, model.Coupled)
		pcD, okD := load.Measured(d, model.Decoupled)
		if !okC || !okD {
			continue
		}
		ps := [2]int{max(2, int(math.Round(load.Fraction*pcC))), max(2, int(math.Round(load.Fraction*pcD)))}
		if r, err = compareAt(ctx, f, s.LP, ps, [2]float64{pcC, pcD}, LoadEqualRelative); err != nil {
			return nil, err
		}
		rows = append(rows, r...)
	}
	return rows, nil
}

// compareAt studies the coupled family at ps[0] and the decoupled one at ps[1].
func compareAt(ctx context.Context, f Family, opts lp.Options, ps [2]int, pcs [2]float64, load string) ([]CompareRow, error) {
	var res [2]*ModelStudy
	for k, m := range []model.Model{model.Coupled, model.Decoupled} {
		f.Model = m
		var err error
		if res[k], err = StudyModel(ctx, ModelSettings{Family: f, P: ps[k], LP: opts}); err != nil {
			return nil, err
		}
	}
	ks, ksp := stats.KolmogorovSmirnov(res[0].Rules[Optimal].SV, res[1].Rules[Optimal].SV)
	_, perm := stats.PairedKSPermutation(pairSpectra(res[0], res[1], Optimal), stats.PermutationRounds, uint64(f.D))
	var rows []CompareRow
	for k, r := range res {
		opt := r.Rules[Optimal]
		tight := r.Tight
		rows = append(rows, CompareRow{D: f.D, P: ps[k], Model: r.Model, Load: load, PC: pcs[k],
			Kappa: stats.Median(r.Kappas), KappaCI: stats.MedianCI(r.Kappas, 0.95),
			Correct: opt.Recall.Correct.Mean, MaxComp: opt.Recall.MaxCompetitor.Mean, TopSV: opt.TopSingular.Mean, KS: ks, KSp: ksp,
			KSPerm: perm, Used: r.Used, NotStorable: r.Skipped, Seeds: r.KappaSeeds, KappaStars: r.Kappas, Tight: &tight})
	}
	return rows, nil
}

// RulePoint is the recall of the Hebbian and pseudo-inverse rules at one p,
// averaged over the instances.
type RulePoint struct {
	P                     int     `json:"p"`
	HebbianRecalled       float64 `json:"hebbian_recalled"`
	HebbianOrdered        float64 `json:"hebbian_pairs_ordered"`
	PseudoInverseRecalled float64 `json:"pseudo_inverse_recalled"`
	PseudoInverseOrdered  float64 `json:"pseudo_inverse_pairs_ordered"`
}

// RuleCapacity is, for one rule, the largest p up to which every prefix
// recalls all p(p-1) pairs (LargestP, one per instance in seed order): its
// median over the instances with 95% order-statistic interval, and its mean
// + HalfAssociation with 95% Student t interval (EstimateThreshold), the
// estimate set against the rule's theory (Versus).
//
// The half association applies here as it does to p*: the largest p is an
// integer, floor(X) of a real threshold X with P(X >= p) = P(every prefix up
// to p recalls all pairs), while the Hebbian theory's p_c
// (theory.HebbianCriticalP) is the real p at which P(all pairs recalled) = 1/2
// (docs/theory.md, section 4). The median, an integer, sits about half an
// association below that crossing (docs/validation.md, "Theory is compared
// with mean p* + 1/2"). Mean + 1/2 estimates E X, the crossing is X's median:
// they agree for a symmetric spread, and the Hebbian spread is only mildly
// skewed (lamcap rules --d 16 --seeds 1:400 --json: mean + 1/2 6.65, the
// linearly interpolated crossing of the largest_p values 6.54, 0.8 standard
// errors apart).
type RuleCapacity struct {
	Rule   Rule           `json:"rule"`
	Median float64        `json:"median"`
	CI     stats.Interval `json:"ci95"`
	// Mean is the mean largest p and MeanSE its standard error (0 with fewer
	// than two instances or no spread); Threshold is Mean + HalfAssociation
	// with its 95% interval ThresholdCI.
	Mean        float64        `json:"mean"`
	MeanSE      float64        `json:"mean_se"`
	Threshold   float64        `json:"mean_plus_half"`
	ThresholdCI stats.Interval `json:"mean_plus_half_ci95"`
	// Versus is Threshold against the rule's predicted p_c: the finite-d
	// Hebbian p_c for the Hebbian rule on the coupled and decoupled models;
	// nil where lamcap has no prediction (the pseudo-inverse rule, a
	// vocabulary model).
	Versus   *Comparison `json:"theory,omitempty"`
	LargestP []int       `json:"largest_p"`
}

// Comparison is a measured threshold set against a theory's p_c: the
// relative deviation (ThresholdEstimate.Deviation, mean + HalfAssociation
// against the theory) with its 95% interval.
type Comparison struct {
	Theory      float64        `json:"p_c_theory"`
	Deviation   float64        `json:"deviation"`
	DeviationCI stats.Interval `json:"deviation_ci95"`
}

// compareWith sets the estimate e against the theory's p_c.
func compareWith(e ThresholdEstimate, theory float64) Comparison {
	dev, ci := e.Deviation(theory)
	return Comparison{Theory: theory, Deviation: dev, DeviationCI: ci}
}

// RulesStudy is the learning-rules study of one family against p.
type RulesStudy struct {
	D         int            `json:"d"`
	Model     string         `json:"model"`
	Instances int            `json:"instances"`
	Curve     []RulePoint    `json:"curve"`
	Capacity  []RuleCapacity `json:"all_pairs_recalled"`
	// Theory: the finite-d Hebbian p_c, its asymptote p log p = d^2/8, and the
	// optimal memory's finite-size p_c (ModelPC). The Hebbian theory is the
	// paper's, for a target per input: it is left out (zero) for a vocabulary
	// model, whose inputs share their answers.
	HebbianTheoryPC  float64 `json:"hebbian_p_c_theory,omitempty"`
	HebbianAsymptote float64 `json:"hebbian_p_c_asymptote,omitempty"`
	OptimalTheoryPC  float64 `json:"optimal_p_c_theory"`
}

// RulesSettings are the settings of StudyRules: the family and the largest p,
// PMax (0: DefaultRulesPMax). The rules solve no LP, so there are no
// lp.Options.
type RulesSettings struct {
	Family
	PMax int
}

// DefaultRulesPMax is the largest p of the rules study of model m when none
// is given: 1.2 times its finite-size p_c at d (ModelPC), past the optimal
// memory's capacity.
func DefaultRulesPMax(d int, m model.Model) (int, error) {
	pc, err := ModelPC(d, m)
	if err != nil {
		return 0, err
	}
	return int(1.2 * pc), nil
}

// StudyRules measures the Hebbian and pseudo-inverse rules on the nested
// instances of the family for p = 2..s.PMax.
func StudyRules(ctx context.Context, s RulesSettings) (*RulesStudy, error) {
	f, pmax := s.Family, s.PMax
	if err := f.check(); err != nil {
		return nil, err
	}
	pc, err := ModelPC(f.D, f.Model)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	if pmax == 0 {
		if pmax, err = DefaultRulesPMax(f.D, f.Model); err != nil {
			return nil, fmt.Errorf("rules: %w", err)
		}
	}
	if pmax < 2 {
		return nil, fmt.Errorf("rules: pmax must be at least 2, got %d", pmax)
	}
	rules := []Rule{Hebbian, PseudoInverse}
	type acc struct{ recalled, ordered float64 }
	curve := make([]map[Rule]*acc, pmax+1)
	allUpTo := map[Rule][]float64{}
	n := 0
	for s := f.FirstSeed; s < f.FirstSeed+int64(f.Seeds); s++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n++
		last := map[Rule]int{}
		stopped := map[Rule]bool{}
		for p := 2; p <= pmax; p++ {
			pre, err := model.NewInstance(f.source(s), p)
			if err != nil {
				return nil, err
			}
			if curve[p] == nil {
				curve[p] = map[Rule]*acc{Hebbian: {}, PseudoInverse: {}}
			}
			for _, r := range rules {
				w := pre.Hebbian()
				if r == PseudoInverse {
					if w, err = pre.PseudoInverse(); err != nil {
						return nil, err
					}
				}
				var smp ScoreSample
				smp.AddScores(pre, w)
				st := smp.Stats()
				curve[p][r].recalled += st.FractionRecalled
				curve[p][r].ordered += st.FractionOrdered
				if !stopped[r] {
					if st.FractionOrdered == 1 {
						last[r] = p
					} else {
						stopped[r] = true
					}
				}
			}
		}
		for _, r := range rules {
			allUpTo[r] = append(allUpTo[r], float64(max(last[r], 1)))
		}
	}
	out := &RulesStudy{D: f.D, Model: f.Model.String(), Instances: n, OptimalTheoryPC: pc}
	if !f.Model.IsVocabulary() {
		out.HebbianTheoryPC, out.HebbianAsymptote = theory.HebbianCriticalP(float64(f.D)), theory.AsymptoticP(float64(f.D*f.D)/4)
	}
	nf := float64(n)
	for p := 2; p <= pmax; p++ {
		h, q := curve[p][Hebbian], curve[p][PseudoInverse]
		out.Curve = append(out.Curve, RulePoint{P: p, HebbianRecalled: h.recalled / nf, HebbianOrdered: h.ordered / nf,
			PseudoInverseRecalled: q.recalled / nf, PseudoInverseOrdered: q.ordered / nf})
	}
	for _, r := range rules {
		// No prediction but the Hebbian rule's. At d = 2 theory.HebbianCriticalP
		// is its floor 2 (P(all pairs recalled) < 1/2 already at p = 2), a bound
		// rather than a root; the comparison is printed all the same.
		var pc float64
		if r == Hebbian {
			pc = out.HebbianTheoryPC
		}
		out.Capacity = append(out.Capacity, ruleCapacity(r, allUpTo[r], pc))
	}
	return out, nil
}

// ruleCapacity summarises the largest p of each instance of rule r, set
// against the rule's predicted p_c when there is one (theory > 0).
func ruleCapacity(r Rule, largest []float64, theory float64) RuleCapacity {
	e := EstimateThreshold(largest)
	c := RuleCapacity{Rule: r, Median: stats.Median(largest), CI: stats.MedianCI(largest, 0.95),
		Mean: e.Mean, MeanSE: e.MeanSE, Threshold: e.Value, ThresholdCI: e.CI, LargestP: make([]int, len(largest))}
	for i, p := range largest {
		c.LargestP[i] = int(p)
	}
	if theory > 0 && e.N > 0 {
		v := compareWith(e, theory)
		c.Versus = &v
	}
	return c
}

// TwoLayer are the settings of the two-layer study: the family (its seeds
// give the random fixed layers too), the hidden widths (default d/4, d/2,
// 3d/4, d), and which layer is trained: Layer, or both when Both is set (by
// alternating LPs from Starts random starts of Rounds half-steps each,
// defaults 3 and 6), with the options LP of the threshold searches (one
// layer trained).
type TwoLayer struct {
	Family
	Hidden []int
	Layer  model.Layer
	Both   bool
	Starts int
	Rounds int
	LP     lp.Options
}

// TwoLayerRow is p* (exact with one layer trained, a lower bound with both) at
// one hidden width, PStars one per instance in seed order (undecided ones
// left out): its median with 95% order-statistic interval, and its mean +
// HalfAssociation with 95% Student t interval (EstimateThreshold), beside the
// theory for N = d min(h, d) and the conjecture N_eff = h (2d - h), each
// compared with mean + HalfAssociation (VsMin, VsEff).
//
// Both theories are the real root of p D_0(p) = N (docs/theory.md, section
// 5), and p* is an integer, so the half association of docs/validation.md
// ("Theory is compared with mean p* + 1/2") applies as in one layer. With
// LowerBound each value is at most the instance's p*, so Threshold and the
// deviations are lower bounds on what the exact p* would give.
type TwoLayerRow struct {
	H          int            `json:"h"`
	Instances  int            `json:"instances"`
	Median     float64        `json:"p_star_median"`
	CI         stats.Interval `json:"p_star_ci95"`
	LowerBound bool           `json:"lower_bound"`
	Undecided  int            `json:"undecided"`
	TheoryMin  float64        `json:"p_c_theory_n_d_min_h_d"`
	TheoryEff  float64        `json:"p_c_theory_n_h_2d_minus_h"`
	// Mean is the mean p* and MeanSE its standard error (0 with fewer than
	// two instances or no spread); Threshold is Mean + HalfAssociation with
	// its 95% interval ThresholdCI.
	Mean        float64        `json:"p_star_mean"`
	MeanSE      float64        `json:"p_star_mean_se"`
	Threshold   float64        `json:"p_star_mean_plus_half"`
	ThresholdCI stats.Interval `json:"p_star_mean_plus_half_ci95"`
	// VsMin and VsEff set Threshold against TheoryMin and TheoryEff.
	VsMin  Comparison `json:"vs_theory_n_d_min_h_d"`
	VsEff  Comparison `json:"vs_theory_n_h_2d_minus_h"`
	PStars []int      `json:"p_stars"`
}

// theoryPCN is the finite-size p_c for n unknowns. Below n = 3, where
// theory.CriticalP is not defined, it is 2, the smallest instance lamcap
// builds; otherwise an error is returned, wrapped, as TheoryPC does.
func theoryPCN(n float64) (float64, error) {
	if n <= 2 {
		return 2, nil
	}
	pc, err := theory.CriticalP(n, 0)
	if err != nil {
		return 0, fmt.Errorf("finite-size p_c for %g unknowns: %w", n, err)
	}
	return pc, nil
}

// StudyTwoLayer finds, per hidden width, the critical sizes of W = A B with a
// fixed random layer (feasibility.FindThreshold on model.TwoLayer), or lower
// bounds on them with both layers trained (feasibility.AlternatingLowerBound).
func StudyTwoLayer(ctx context.Context, s TwoLayer) ([]TwoLayerRow, error) {
	if err := s.Family.check(); err != nil {
		return nil, err
	}
	d := s.D
	hs := s.Hidden
	if len(hs) == 0 {
		for _, f := range []int{1, 2, 3, 4} {
			hs = append(hs, max(1, f*d/4))
		}
	}
	if s.Starts == 0 {
		s.Starts = 3
	}
	if s.Rounds == 0 {
		s.Rounds = 6
	}
	if s.Starts < 0 || s.Rounds < 0 {
		return nil, errors.New("two-layer: starts and rounds must be >= 1")
	}
	var rows []TwoLayerRow
	for _, h := range hs {
		if h < 1 {
			return nil, fmt.Errorf("two-layer: hidden width %d", h)
		}
		var ps []float64
		row := TwoLayerRow{H: h, LowerBound: s.Both}
		var err error
		if row.TheoryMin, err = theoryPCN(float64(d * min(h, d))); err != nil {
			return nil, fmt.Errorf("two-layer: %w", err)
		}
		// The rank-h manifold has h (2d - h) dimensions up to h = d, d^2 from
		// there (at h = 2d the formula gave 0 unknowns and p_c 2).
		hm := min(h, d)
		if row.TheoryEff, err = theoryPCN(float64(hm * (2*d - hm))); err != nil {
			return nil, fmt.Errorf("two-layer: %w", err)
		}
		for seed := s.FirstSeed; seed < s.FirstSeed+int64(s.Seeds); seed++ {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			base := s.source(seed)
			if s.Both {
				start := max(2, int(0.6*row.TheoryMin))
				lb, _, err := feasibility.AlternatingLowerBound(ctx, base, h, start, s.Starts, s.Rounds, uint64(seed))
				if err != nil {
					row.Undecided++
					continue
				}
				ps = append(ps, float64(lb))
				continue
			}
			src, err := model.NewTwoLayer(base, h, s.Layer, uint64(seed))
			if err != nil {
				return nil, err
			}
			pcN, err := theoryPCN(float64(src.Unknowns()))
			if err != nil {
				return nil, fmt.Errorf("two-layer: %w", err)
			}
			th, err := feasibility.FindThreshold(ctx, src, feasibility.ThresholdOptions{LP: s.LP, Start: max(2, int(0.95*pcN))})
			if err != nil {
				return nil, err
			}
			if !th.Certified {
				row.Undecided++
				continue
			}
			ps = append(ps, float64(th.PStar))
		}
		row.Instances, row.Median, row.CI = len(ps), stats.Median(ps), stats.MedianCI(ps, 0.95)
		e := EstimateThreshold(ps)
		row.Mean, row.MeanSE, row.Threshold, row.ThresholdCI = e.Mean, e.MeanSE, e.Value, e.CI
		row.VsMin, row.VsEff = compareWith(e, row.TheoryMin), compareWith(e, row.TheoryEff)
		row.PStars = make([]int, len(ps))
		for i, p := range ps {
			row.PStars[i] = int(p)
		}
		rows = append(rows, row)
	}
	return rows, nil
}
