package feasibility

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/lamcap/lamcap/internal/memlimit"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
	"github.com/lamcap/lamcap/theory"
)

// Threshold is the critical size of one nested instance family: p* is the largest
// storable prefix. It is certified when p* carries a certified storable verdict and
// p*+1 a certified not-storable one; nesting makes storability monotone in p, so
// the two certificates pin p* exactly.
type Threshold struct {
	PStar     int // -1 when undecided
	Certified bool
	// Lower is the largest p with a certified storable verdict (0: none), Upper the
	// smallest p with a certified not-storable verdict (0: none).
	Lower, Upper int
	// AtLower and AtUpper are the certified verdicts at Lower and Upper.
	AtLower, AtUpper *Verdict
	Solves           int
	// Draws is the number of associations whose vectors the search drew
	// (for the decoupled model each with its p competitors): the bracketing
	// search draws its first instance and then only what it grows by.
	// Diagnostics; the warm search leaves it 0.
	Draws      int
	Undecided  int // undecided verdicts met on the way
	Iterations int
	Seconds    float64
	Note       string
}

// ThresholdOptions tune FindThreshold.
type ThresholdOptions struct {
	// LP picks the solver and carries its options, the time limit among them.
	LP lp.Options
	// Eps is the relative tolerance of not-storable certificates (zero: LP.Eps,
	// and DefaultEps if that is zero too).
	Eps float64
	// Start is the first p tried. Zero means a start from theory: StartGuess(d)
	// for warm searches (a little below the capacity, so that the search mostly
	// grows a warm model upwards), the prediction itself for bracketing ones.
	Start int
	// OnVerdict, if set, is called after each verdict of the search with its p:
	// for progress reports on long searches, and for checkpoints (Known).
	OnVerdict func(p int, v Verdict)
	// OnVerdictInstance, if set, is called by the bracketing search (Brackets)
	// after OnVerdict with the instance the verdict was made on, which it
	// built anyway: a checkpoint makes the verdict's certificate on it instead
	// of building the instance again (some 4 GB and 100 s for a decoupled one
	// at d = 128). The instance must not be changed or kept. The warm search
	// never calls it.
	OnVerdictInstance func(in *model.Instance, v Verdict)
	// Known are verdicts certified on the same instance family before, by an
	// earlier run of the search that was cut short: the bracketing search
	// (Brackets) starts from them and never decides those p again; the warm
	// search ignores them. The zero value knows nothing.
	Known Known
}

// Known is what earlier runs of a threshold search certified about one nested
// instance family (the same source): the largest certified-storable p and the
// smallest certified-not-storable p, with their verdicts, and the work that
// found them. Nesting makes storability monotone in p, so both bounds stay
// valid for a later run; a verdict that is not there has p = 0 and a nil
// verdict. The zero value knows nothing.
//
// A search resumed from Known reports the earlier work in its Threshold:
// Solves, Iterations and Seconds include Known's, so that the record of a
// resumed search counts what the p* cost in all, as an uninterrupted one does.
type Known struct {
	// Lower is the largest p certified storable (0: none) and AtLower its
	// verdict (Status Storable, Certified, with W and WCheck).
	Lower   int
	AtLower *Verdict
	// Upper is the smallest p certified not storable (0: none) and AtUpper its
	// verdict (Status NotStorable, Certified, with Lambda and LambdaCheck).
	Upper   int
	AtUpper *Verdict
	// Solves, Iterations and Seconds are the verdicts, solver iterations and
	// wall-clock seconds the earlier runs spent. While only one side of the
	// bracket is known, every one of the Solves verdicts was on that side
	// (a verdict on the other would have given it): the resumed search steps
	// away from it as it would have after that many verdicts (at least one).
	Solves     int
	Iterations int
	Seconds    float64
	// Streak, if > 0, is the number of verdicts the resumed search steps as
	// if it had made on the one side known, instead of Solves: for a Known
	// that lost the other side's verdict (its certificate did not hold on
	// resume), so that the Solves on both sides do not inflate the step.
	Streak int
}

// check refuses a Known whose bounds are not certified verdicts of their
// kind, or that contradict each other; minP is the model's SmallestP.
func (k Known) check(minP int) error {
	switch {
	case k.Lower < 0 || k.Upper < 0 || k.Solves < 0 || k.Iterations < 0 || k.Streak < 0 || !(k.Seconds >= 0):
		return fmt.Errorf("feasibility: known verdicts: negative p or counts (lower %d, upper %d, solves %d)", k.Lower, k.Upper, k.Solves)
	case k.Lower > 0 && (k.AtLower == nil || k.AtLower.Status != Storable || !k.AtLower.Certified):
		return fmt.Errorf("feasibility: known verdicts: lower = %d needs a certified storable verdict", k.Lower)
	case k.Upper > 0 && (k.AtUpper == nil || k.AtUpper.Status != NotStorable || !k.AtUpper.Certified):
		return fmt.Errorf("feasibility: known verdicts: upper = %d needs a certified not-storable verdict", k.Upper)
	case k.Upper > 0 && k.Upper <= k.Lower:
		return fmt.Errorf("feasibility: known verdicts: storable at p = %d but not at p = %d", k.Lower, k.Upper)
	case k.Upper == 1 && minP > 1:
		return fmt.Errorf("feasibility: known verdicts: p = 1 has no constraints and is always storable")
	}
	return nil
}

// Brackets reports whether FindThreshold decides the instances of src with
// the bracketing search (cold verdicts, which ThresholdOptions.Known resumes)
// under opts, rather than with the warm search (which ignores Known).
func Brackets(src model.Source, opts lp.Options) bool {
	return !growsWarm(searchMethod(src, opts))
}

// StartGuess is where a warm threshold search starts without better
// information: 97% of the finite-size prediction (Prior). The measured median
// critical size of Gaussian instances sits within about 3% of it for d = 6..20
// with a spread of a few percent (docs/validation.md), so the search usually
// starts storable and grows a warm model upwards a few steps; starting above p*
// costs a cold solve.
func StartGuess(d int) int {
	return max(2, int(0.97*PriorFor(d*d).PC))
}

// Prior is what theory says about the critical size before any solve, for n
// unknowns (d^2 for one layer).
type Prior struct {
	// PC is the finite-size prediction p_c (theory.CriticalP at kappa = 0).
	PC float64
	// Center is where the median p* is expected: PC shifted by the measured
	// excess of the model (PriorOf; PriorFor leaves it at PC).
	Center float64
	// Width is the spread of p* around Center that theory predicts
	// (theory.Width), at least 1; priorWidth of PC where theory cannot say.
	Width float64
	// Slope is dp_c/dkappa at kappa = 0 (negative of it, in associations per unit
	// kappa): how far above p an instance with margin kappa* at p is expected
	// to stay storable.
	Slope float64
}

// priorWidth is the relative spread of per-instance p* assumed where theory's
// width cannot be computed (the measured interquartile spread is 2-4% at
// d = 8..32).
const priorWidth = 0.03

// priorKappa is the kappa step of the finite difference giving Prior.Slope.
const priorKappa = 0.05

// coupledExcess is the measured excess of the coupled model's mean p* over
// the finite-size prediction, as c / ln d: docs/validation.md gives +2.84,
// +2.48, +2.66, +2.51, +2.18, +1.75, +1.80% at d = 16, 20, 24, 32, 40, 48, 64,
// so c = deviation * ln d = 7.9, 7.4, 8.5, 8.7, 8.0, 6.8, 7.5% (mean 7.8%).
// The decoupled model's deviation is within 0.4% of zero at d >= 16, and it
// has no shift.
const coupledExcess = 0.078

// PriorFor returns the prior for n unknowns, centred on theory's prediction.
// If the theory cannot be evaluated it falls back to the root of p log p = n.
// It is cheap after the first call for n: theory memoises what it uses
// (theory.CriticalP, theory.Width).
func PriorFor(n int) Prior {
	pr := Prior{}
	pc, err := theory.CriticalP(float64(n), 0)
	if err != nil || !(pc >= 2) {
		pc = math.Max(2, theory.AsymptoticP(2*float64(n))) // the root of p log p = n
	}
	pr.PC, pr.Center = pc, pc
	pr.Width = math.Max(1, priorWidth*pc)
	if w, err := theory.Width(pc); err == nil && w > 0 {
		pr.Width = math.Max(1, w)
	}
	pr.Slope = pc / 2 // a rough fallback: kappa = 1 halves the capacity
	if pk, err := theory.CriticalP(float64(n), priorKappa); err == nil && pk < pc {
		pr.Slope = (pc - pk) / priorKappa
	}
	return pr
}

// PriorOf returns the prior for the instances of src: PriorFor its unknowns,
// centred where the model's p* is measured to sit (coupledExcess for the
// coupled one-layer model).
func PriorOf(src model.Source) Prior {
	n := unknowns(src)
	if m := src.Model(); m.IsVocabulary() && n == src.Dim()*src.Dim() {
		if pr, ok := vocabPrior(src.Dim(), m.Vocab()); ok {
			return pr
		}
	}
	pr := PriorFor(n)
	if src.Model() == model.Coupled && n == src.Dim()*src.Dim() && src.Dim() > 1 {
		pr.Center = pr.PC * (1 + coupledExcess/math.Log(float64(src.Dim())))
	}
	return pr
}

// vocabPrior is the prior of the vocabulary model with V words at d: centred on
// the surrogate's p_c(d, V) = N / D_0(V) (theory.VocabCriticalP; the paper's p_c
// is far off: 2d for V = 2, not about d^2 / log d), spread by the surrogate's
// width: V_p = |S_1| + ... + |S_p| with the law of |S| at V words crosses N at
// p* with standard deviation sqrt(p_c Var|S|) / D_0(V). ok is false where
// theory cannot say (the caller falls back to the paper's prior).
func vocabPrior(d, v int) (pr Prior, ok bool) {
	pc, dv, err := theory.VocabCriticalP(d, v)
	if err != nil || !(pc >= 2) {
		return Prior{}, false
	}
	f, err := theory.ComputeFaces(float64(v), 0)
	if err != nil {
		return Prior{}, false
	}
	var m1, m2 float64
	for k, q := range f.Exactly() {
		m1 += float64(k) * q
		m2 += float64(k*k) * q
	}
	pr = Prior{PC: pc, Center: pc, Width: math.Max(1, priorWidth*pc), Slope: pc / 2}
	if m2 > m1*m1 {
		pr.Width = math.Max(1, math.Sqrt(pc*(m2-m1*m1))/dv)
	}
	return pr, true
}

// unknowns is the number of trainable weights of a source's memory: d^2, or
// what the source says (two-layer networks).
func unknowns(src model.Source) int {
	if u, ok := src.(interface{ Unknowns() int }); ok {
		return u.Unknowns()
	}
	return src.Dim() * src.Dim()
}

// EpsOrDefault is the tolerance a search with o decides with: Eps, else LP.Eps,
// else DefaultEps.
func (o ThresholdOptions) EpsOrDefault() float64 {
	switch {
	case o.Eps != 0:
		return o.Eps
	case o.LP.Eps != 0:
		return o.LP.Eps
	}
	return DefaultEps
}

// FindThreshold finds p* for the instances of src, by the search that suits the
// solver opt.LP.Method resolves to: a warm search that grows one instance for
// a solver that re-solves from the previous basis (lp.Capabilities.WarmGrowth:
// the simplex and HiGHS), or, for one that solves cold (the interior-point
// method), a bracketing search that needs few verdicts (searchBracket).
func FindThreshold(ctx context.Context, src model.Source, opt ThresholdOptions) (Threshold, error) {
	if !growsWarm(searchMethod(src, opt.LP)) {
		return searchBracket(ctx, src, opt)
	}
	return searchGrowing(ctx, src, opt)
}

// searchMethod is the solver the search's verdicts use (lp.Resolve on the
// smallest instance of src, which tells Auto whether the solver it prefers
// supports the model), or, if src has no such instance, the one Auto prefers
// by size.
func searchMethod(src model.Source, opts lp.Options) lp.Method {
	if in, err := model.NewInstance(src, 2); err == nil {
		return lp.Resolve(in, opts)
	}
	return opts.Method.For(src.Dim(), opts.Rows)
}

// growsWarm says whether threshold searches with m grow one instance warm
// (lp.Capabilities.WarmGrowth); a method no solver is registered under is
// the simplex to lp.NewSolver, which does.
func growsWarm(m lp.Method) bool {
	c, ok := m.Capabilities()
	return !ok || c.WarmGrowth
}

// searchGrowing finds p* for the instances of src. From Start it steps down, with
// fresh solvers and doubling steps, until a prefix is certified storable; then it
// grows that instance and its HiGHS model upwards one association at a time:
// growing p only adds rows (and, with lifted rows, the new association's
// variables), so each re-solve starts from the previous basis. It stops at the
// first certified not-storable prefix. An undecided verdict on the way stops the
// search and is reported, never guessed past. It ignores opt.Known: growing
// needs the warm instance below each p it decides, which earlier runs do not
// leave, and its verdicts cost seconds, not the bracketing search's minutes.
func searchGrowing(ctx context.Context, src model.Source, opt ThresholdOptions) (Threshold, error) {
	t0 := time.Now()
	opt.Eps = opt.EpsOrDefault()
	p := opt.Start
	if p < 2 {
		p = max(2, int(0.97*PriorFor(unknowns(src)).PC))
	}
	if max := src.MaxP(); max > 0 && p > max {
		p = max
	}
	if p < 2 {
		p = 2
	}
	th := Threshold{PStar: -1}
	done := func(note string) (Threshold, error) {
		th.Note = note
		th.Seconds = time.Since(t0).Seconds()
		return th, nil
	}
	decideAt := func(s *lp.Chain) (Verdict, error) {
		v, err := Decide(ctx, s, opt.Eps)
		if err == nil && opt.OnVerdict != nil {
			opt.OnVerdict(s.Instance().P, v)
		}
		th.Solves++
		th.Iterations += v.Iterations
		if v.Status == Undecided {
			th.Undecided++
		}
		return v, err
	}
	var in *model.Instance
	var solver *lp.Chain
	// test decides the prefix of p associations: cold (a fresh instance and
	// solver) on the way down, warm (the instance grown by one) on the way up.
	test := func(p int, up bool) (Status, string, error) {
		// Every p is checked against the memory budget before its instance is
		// built or grown, as in the bracketing search: the caller checked
		// Start, but a storable Start grows p one association at a time
		// with no bound but p*.
		if err := checkVerdictMemory(src, p, opt.LP); err != nil {
			return Undecided, "", err
		}
		var err error
		if up {
			err = in.GrowContext(ctx, p)
		} else if in, err = model.NewInstanceContext(ctx, src, p); err == nil {
			solver = lp.NewSolver(in, opt.LP)
		}
		if err != nil {
			return Undecided, "", err
		}
		v, err := decideAt(solver)
		if err != nil {
			return Undecided, "", err
		}
		switch v.Status {
		case Storable:
			th.AtLower = ptr(v)
		case NotStorable:
			th.AtUpper = ptr(v)
		}
		return v.Status, fmt.Sprintf("undecided at p=%d: %s", p, v.Note), nil
	}
	note, err := stepSearch(src, p, &th, test, "is storable")
	if err != nil {
		return th, err
	}
	return done(note)
}

// stepSearch is the search of the warm threshold searches (and of the
// kappa > 0 one): from start it steps down with doubling steps until test says
// a prefix is storable, then up one association at a time until the first
// prefix that is not, filling th.Lower, th.Upper and, when both are found,
// th.PStar. test(p, up) decides the prefix of p associations; up says it
// follows p-1 (so it may grow a warm solver). An undecided test stops the
// search with test's note, never guessed past; so does a source that runs out,
// with a note saying every prefix up to its size passes ("is storable", say).
func stepSearch(src model.Source, start int, th *Threshold, test func(p int, up bool) (Status, string, error), passes string) (string, error) {
	p, step := start, 1
	for {
		st, note, err := test(p, false)
		if err != nil {
			return "", err
		}
		if st == Undecided {
			return note, nil
		}
		if st == Storable {
			th.Lower = p
			break
		}
		th.Upper = p
		if minP := src.Model().SmallestP(); p == minP {
			// p = 1 has no constraints (always storable, p* = 1), or it was
			// decided not storable (a vocabulary: p* = 0).
			th.PStar, th.Lower, th.Certified = minP-1, minP-1, true
			return "", nil
		}
		p = max(src.Model().SmallestP(), p-step)
		step *= 2
	}
	for th.Upper != th.Lower+1 {
		if max := src.MaxP(); max > 0 && p == max {
			return fmt.Sprintf("every prefix up to the %d associations the source holds %s", max, passes), nil
		}
		p++
		st, note, err := test(p, true)
		if err != nil {
			return "", err
		}
		switch st {
		case Storable:
			th.Lower = p
		case NotStorable:
			th.Upper = p
		default:
			return note, nil
		}
	}
	th.PStar, th.Certified = th.Lower, true
	return "", nil
}

func ptr(v Verdict) *Verdict { return &v }

// MarginBound is what the threshold knows of the optimal margin t* at Lower
// (box normalisation): the smallest recomputed margin of the storable
// certificate W there, a certified lower bound on t*. It is t* itself only
// when that verdict solved to optimality, which the interior-point search's
// sign-only verdicts do not; 0 without a storable verdict.
func (th Threshold) MarginBound() float64 {
	if th.AtLower == nil || th.AtLower.WCheck == nil {
		return 0
	}
	return math.Max(0, th.AtLower.WCheck.MinMargin)
}

// Solvers names the solvers whose certificates pin the threshold: the one of
// the storable verdict at Lower and the one of the not-storable verdict at
// Upper, joined by "+" when they differ ("" when neither is there).
func (th Threshold) Solvers() string {
	var a, b lp.Method
	if th.AtLower != nil {
		a = th.AtLower.Solver
	}
	if th.AtUpper != nil {
		b = th.AtUpper.Solver
	}
	switch {
	case a == "" || a == b:
		return string(b)
	case b == "":
		return string(a)
	}
	return string(a) + "+" + string(b)
}

// checkVerdictMemory refuses, before anything is allocated, a search's next
// verdict at p whose LP would not fit the memory budget (memlimit).
func checkVerdictMemory(src model.Source, p int, opts lp.Options) error {
	return checkHeldVerdictMemory(src, p, 0, opts)
}

// checkHeldVerdictMemory is checkVerdictMemory for a search that holds an
// instance of held associations (0: none) while it decides p: when held > p
// the verdict's instance is a prefix of the held one, which counts at its
// own size (model.MemoryBytes), not the prefix's.
func checkHeldVerdictMemory(src model.Source, p, held int, opts lp.Options) error {
	d, m := src.Dim(), src.Model()
	need := lp.MemoryEstimate(d, p, m, false, opts)
	if held > p {
		need = memlimit.Add(need, model.MemoryBytes(d, held, m)-model.MemoryBytes(d, p, m))
	}
	return memlimit.Check(fmt.Sprintf("d=%d p=%d (the search's next verdict)", d, p), need)
}
