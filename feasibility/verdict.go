package feasibility

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/lp/highs"
	"github.com/lamcap/lamcap/model"
)

// Status is a certified answer, or the admission that there is none.
type Status string

const (
	Storable    Status = "storable"
	NotStorable Status = "not-storable"
	Undecided   Status = "undecided"
)

// DefaultEps is the relative tolerance of not-storable certificates: no W
// with |W_ij| <= 1 has every margin above eps times that margin's own largest
// value in the box (lp.NotStorableCheck).
const DefaultEps = lp.DefaultEps

// Verdict is the answer for one instance with the evidence behind it. Storable
// verdicts carry W and its recomputed margins; not-storable ones carry lambda and
// its recomputed residual. Both checks run outside the solver.
type Verdict struct {
	Status    Status
	Certified bool
	Margin    float64 // the LP's optimal margin t* (box normalisation)
	W         *mat.Dense
	Lambda    []lp.Weighted
	// WCheck and LambdaCheck are the checks of the certificates found: W's
	// recomputed margins, and lambda's residual against eps.
	WCheck      *lp.StorableCheck
	LambdaCheck *lp.NotStorableCheck
	Rows        int
	Rounds      int
	Iterations  int
	Attempts    int
	Solver      lp.Method // the solver whose answer was certified (or tried last)
	Seconds     float64
	Note        string // why a verdict is undecided, or which solvers a not-storable one in doubt could not ask (confirm)
	// Disagreement records solvers of the chain that certified different
	// answers (Decide, ConfirmEps): the storable one is kept.
	Disagreement string
}

// Certify turns a solution into a verdict by checking its certificates: W first
// (an exact statement: every margin positive), then lambda (no W in the box has
// every margin above eps times its own largest value, lp.NotStorableCheck). If neither holds the verdict is
// undecided. Both are normalised first (lp.NormaliseW, lp.NormaliseLambda), and
// the verdict carries the normalised forms, which are the ones checked.
func Certify(sol *lp.Solution, solver lp.Solver, eps float64) Verdict {
	in := solver.Instance()
	v := Verdict{Status: Undecided, Margin: sol.T + 0, Rows: sol.Rows, Rounds: sol.Rounds, Iterations: sol.Iterations, Solver: sol.Solver}
	var sc lp.StorableCheck
	if w := normalisedW(sol.W); w != nil {
		sc = lp.CheckStorable(in, w)
	} else {
		sc = lp.CheckStorable(in, sol.W)
	}
	if sc.OK {
		v.Status, v.Certified, v.W, v.WCheck = Storable, true, sc.W, &sc
		return v
	}
	nc := lp.CheckNotStorable(in, lp.NormaliseLambda(sol.Lambda), eps)
	if nc.OK {
		v.Status, v.Certified, v.Lambda, v.LambdaCheck = NotStorable, true, nc.Lambda, &nc
		return v
	}
	v.WCheck, v.LambdaCheck = &sc, &nc
	v.Note = "neither certificate holds: " + nc.Reason
	return v
}

// normalisedW is lp.NormaliseW of w, or nil.
func normalisedW(w *mat.Dense) *mat.Dense {
	if w == nil {
		return nil
	}
	return lp.NormaliseW(w)
}

// ConfirmEps is the relative residual below which a not-storable certificate
// is final: Residual <= ConfirmEps * Scale, Scale the mean largest value of
// the margins lambda weighs (lp.NotStorableCheck). A certificate with a
// residual r between it and eps proves only that no W in the box has every
// margin above r/Scale of its largest value, and degenerate data can have a
// positive t* that small (near-duplicate targets: t* of a few 1e-9 of the
// scale), which a solver that stops early (the interior-point method's
// not-storable stop) or loses t* in its own tolerances (inputs of very
// different norms, nearly parallel embeddings) would call not storable where
// another finds a W with every exact margin positive. Decide then asks every
// other solver for a W (confirm), and a storable certificate wins. Simplex and
// HiGHS certificates of generic data have residuals near 1e-13 of the scale,
// so they never pay for this.
const ConfirmEps = 1e-10

// Solvers is every solver Decide asks for a W before it certifies an
// unconfirmed not-storable answer (those registered and supporting the
// instance; HiGHS when package lp/highs is imported).
var Solvers = []lp.Method{lp.MethodIPM, lp.MethodSimplex, lp.MethodHiGHS}

// Decide solves the instance the chain holds and certifies the answer. When the
// answer cannot be certified, or the step fails in any way, it runs the next
// step of the chain (lp.Chain.Steps: the interior-point method falls to the
// simplex, the simplex to HiGHS, HiGHS to its retries). A not-storable answer
// in doubt is checked by every other solver (Solvers) before it is certified:
// one whose residual exceeds ConfirmEps of its scale, or one a solver gave
// while its own optimal margin t* was positive (above ConfirmEps of the
// scale) and its W failed the exact check. Where a storable certificate
// exists, no verdict says not storable: the storable one is kept and the
// disagreement noted (Verdict.Disagreement). If a solver's t* was positive, no
// W verifies and no solver's lambda is confirmed at ConfirmEps, the verdict is
// undecided with that reason. Only context cancellation returns an error; a
// chain that cannot be made to answer gives an undecided verdict whose Note
// holds the last reason, never a guess. An instance with a margin row that
// is exactly zero (lp.ZeroMarginRow) is not storable without a solve.
func Decide(ctx context.Context, chain *lp.Chain, eps float64) (Verdict, error) {
	t0 := time.Now()
	if r, ok := lp.ZeroMarginRow(chain.Instance()); ok {
		// A margin that is 0 for every W: not storable, exactly, no solver
		// needed.
		l := []lp.Weighted{{Row: r, Weight: 1}}
		nc := lp.CheckNotStorable(chain.Instance(), l, eps)
		if nc.OK {
			return Verdict{Status: NotStorable, Certified: true, Lambda: nc.Lambda, LambdaCheck: &nc, Rows: chain.Instance().Rows(),
				Solver: chain.Steps()[0].Method, Seconds: time.Since(t0).Seconds()}, nil
		}
	}
	var total Verdict
	var tPos Verdict // the uncertified answer with the largest positive t*
	attempt := func(sol *lp.Solution, err error) (Verdict, bool, error) {
		total.Attempts++
		if err != nil {
			if ctx.Err() != nil {
				return Verdict{}, true, ctx.Err()
			}
			return Verdict{Status: Undecided, Note: err.Error()}, false, nil
		}
		v := Certify(sol, chain, eps)
		total.Rounds += v.Rounds
		total.Iterations += v.Iterations
		if v.Status != Storable && v.Margin > tPos.Margin {
			tPos = v
		}
		return v, v.Certified, nil
	}
	steps := chain.Steps()
	v, done, err := attempt(chain.Run(ctx, steps[0]))
	next := 1
	for ; next < len(steps) && !done && err == nil; next++ {
		v, done, err = attempt(chain.Run(ctx, steps[next]))
	}
	if err == nil && v.Status == NotStorable && (!confirmed(v) || positive(tPos, v)) {
		v, err = confirm(ctx, chain, v, tPos, attempt)
	}
	if err == nil && (v.Status == Undecided || (v.Status == NotStorable && !confirmed(v))) {
		if eq, k := equilibrated(chain.Instance()); eq != nil {
			var e Verdict
			if e, err = decideEquilibrated(ctx, chain, eq, k, eps); err == nil && e.Certified && e.Status != v.Status {
				total.Attempts += e.Attempts
				total.Rounds += e.Rounds
				total.Iterations += e.Iterations
				if v.Status == NotStorable {
					e.Disagreement = fmt.Sprintf("%s certified not storable with a residual of %.3g of its scale; %s on the inputs scaled to unit size found a W with every margin positive, kept",
						v.Solver, v.LambdaCheck.Residual/v.LambdaCheck.Scale, e.Solver)
				}
				v = e
			}
		}
	}
	if err != nil {
		return Verdict{}, err
	}
	v.Rounds, v.Iterations, v.Attempts = total.Rounds, total.Iterations, total.Attempts
	v.Seconds = time.Since(t0).Seconds()
	return v, nil
}

// confirm asks every other solver (Solvers) for a W when the not-storable
// verdict v is in doubt (Decide). A W that verifies wins, with the
// disagreement noted. Otherwise v stands, unless a solver's t* was positive
// (tPos) and neither v nor any other solver's lambda is confirmed at
// ConfirmEps: then the verdict is undecided with the reason. A solver not
// meant for the instance's d (lp.Capabilities.MaxD) is not asked, and the
// verdict's Note says which were not (the simplex's cold solve at d = 96
// would take hours).
func confirm(ctx context.Context, chain *lp.Chain, v, tPos Verdict, attempt func(*lp.Solution, error) (Verdict, bool, error)) (Verdict, error) {
	in := chain.Instance()
	why := fmt.Sprintf("%s certified not storable with a residual of %.3g of its scale", v.Solver, v.LambdaCheck.Residual/v.LambdaCheck.Scale)
	if positive(tPos, v) {
		why += fmt.Sprintf(" while %s's optimal margin t* = %.3g was positive (%.3g of the scale) and its W failed the exact check", tPos.Solver, tPos.Margin, tPos.Margin/v.LambdaCheck.Scale)
	}
	best := v // the not-storable verdict kept: a confirmed one if any
	var asked, skipped []string
	for _, m := range Solvers {
		if m == v.Solver {
			continue
		}
		caps, ok := m.Capabilities()
		if !ok || (caps.Supports != nil && caps.Supports(in) != nil) {
			continue
		}
		if err := caps.MeantFor(in.D); err != nil {
			skipped = append(skipped, fmt.Sprintf("%s (%v)", m, err))
			continue
		}
		w, _, err := attempt(chain.Run(ctx, lp.Step{Method: m}))
		if err != nil {
			return Verdict{}, err
		}
		asked = append(asked, string(m))
		switch {
		case w.Status == Storable:
			w.Disagreement = why + fmt.Sprintf("; %s found a W with every margin positive, kept", w.Solver)
			return w, nil
		case w.Status == NotStorable && confirmed(w) && !confirmed(best):
			best = w
		}
	}
	// Another solver's confirmed lambda replaces v's (the same verdict, on
	// firmer ground: no disagreement).
	notAsked := ""
	if len(skipped) > 0 {
		notAsked = "not asked for a W: " + strings.Join(skipped, ", ")
	}
	if positive(tPos, v) && !confirmed(best) {
		u := Verdict{Status: Undecided, Margin: tPos.Margin, Solver: v.Solver, WCheck: tPos.WCheck, LambdaCheck: v.LambdaCheck}
		u.Note = why + fmt.Sprintf("; no W verifies (asked %v) and no lambda is confirmed at ConfirmEps %g: undecided", asked, ConfirmEps)
		if notAsked != "" {
			u.Note += "; " + notAsked
		}
		return u, nil
	}
	if notAsked != "" && !confirmed(best) {
		best.Note = why + "; " + notAsked
	}
	return best, nil
}

// equilibrated is the user-data instance in with each input x_mu multiplied
// by the power of two 2^k[mu] that brings its largest entry into [1/2, 1),
// when the inputs' largest entries span more than equilibrateSpread; nil
// otherwise (lamcap's own embeddings, and user data of even scale). Scaling an
// input by a positive number scales its margins alike and changes no verdict,
// and by a power of two it is exact; the solvers, whose tolerances are
// absolute, then see every association at unit scale (F1: one input x 1e9
// made every solver lose the others' margins in its tolerances).
func equilibrated(in *model.Instance) (*model.Instance, []int) {
	m, ok := in.Src.(*model.Matrices)
	if !ok {
		return nil, nil
	}
	k := make([]int, in.P)
	lo, hi := math.Inf(1), 0.0
	x := mat.NewDense(in.P, in.D, nil)
	for mu := 0; mu < in.P; mu++ {
		row := in.X.RawRowView(mu)
		var big float64
		for _, v := range row {
			big = math.Max(big, math.Abs(v))
		}
		if big == 0 {
			return nil, nil
		}
		lo, hi = math.Min(lo, big), math.Max(hi, big)
		_, e := math.Frexp(big)
		k[mu] = -e
		dst := x.RawRowView(mu)
		for j, v := range row {
			dst[j] = math.Ldexp(v, k[mu])
			if math.Ldexp(dst[j], -k[mu]) != v {
				return nil, nil // a scaling that rounds: not exact, not used
			}
		}
	}
	if hi <= equilibrateSpread*lo {
		return nil, nil
	}
	eq, err := model.NewInstance(&model.Matrices{X: x, Y: m.Y}, in.P)
	if err != nil {
		return nil, nil
	}
	return eq, k
}

// equilibrateSpread is the ratio of the largest inputs' largest entry to the
// smallest's above which Decide also solves the equilibrated instance when the
// data as given leave the verdict in doubt.
const equilibrateSpread = 16

// decideEquilibrated decides the equilibrated instance eq (inputs scaled by
// 2^k) with a fresh chain of the same first solver, and checks its
// certificate on the instance as given, in: W as it is (the margins of in
// are those of eq times 2^-k[mu]), lambda_r times 2^k[mu] (then
// A^T lambda is the same). A certificate that does not hold on in gives an
// undecided verdict.
func decideEquilibrated(ctx context.Context, chain *lp.Chain, eq *model.Instance, k []int, eps float64) (Verdict, error) {
	in := chain.Instance()
	e, err := Decide(ctx, lp.NewSolver(eq, lp.Options{Method: chain.Steps()[0].Method, Eps: eps}), eps)
	if err != nil || !e.Certified {
		return e, err
	}
	out := e
	out.Certified, out.Status, out.W, out.Lambda, out.WCheck, out.LambdaCheck = false, Undecided, nil, nil, nil, nil
	switch e.Status {
	case Storable:
		sc := lp.CheckStorable(in, e.W)
		out.WCheck = &sc
		if sc.OK {
			// t* of the data as given is at least W's smallest margin.
			out.Status, out.Certified, out.W, out.Margin = Storable, true, sc.W, sc.MinSlack
			return out, nil
		}
		out.Note = "the equilibrated instance's W does not hold on the data as given: " + sc.Reason
	case NotStorable:
		l := make([]lp.Weighted, len(e.Lambda))
		for i, w := range e.Lambda {
			l[i] = w
			l[i].Weight = math.Ldexp(w.Weight, k[w.Mu])
		}
		nc := lp.CheckNotStorable(in, lp.NormaliseLambda(l), eps)
		out.LambdaCheck = &nc
		if nc.OK {
			// t* of the data as given is at most the residual.
			out.Status, out.Certified, out.Lambda, out.Margin = NotStorable, true, nc.Lambda, math.Min(e.Margin, nc.Residual)
			return out, nil
		}
		out.Note = "the equilibrated instance's lambda does not hold on the data as given: " + nc.Reason
	}
	return out, nil
}

// confirmed says whether a not-storable verdict's residual is at most
// ConfirmEps of its scale.
func confirmed(v Verdict) bool {
	c := v.LambdaCheck
	return c != nil && c.Residual <= ConfirmEps*c.Scale
}

// positive says whether the uncertified answer tPos had an optimal margin t*
// above ConfirmEps of the scale of the not-storable verdict v: the solver
// itself found the instance storable, though its W failed the exact check.
// The scale is that of the rows lambda weighs, not the data's largest row: a
// t* that is rounding noise against the largest row can still be large
// against the rows in question (near-duplicate targets), and judging it
// against the largest row let two solvers certify p* = 9 and 10 for one
// instance (TestVerdictsIndependentOfScaleAndSolver).
func positive(tPos, v Verdict) bool {
	return v.LambdaCheck != nil && tPos.Margin > ConfirmEps*v.LambdaCheck.Scale
}

// DecideFull answers with the plain feasibility LP (every row, a_r.W >= 1, W free).
// A feasible answer is certified by its W; an infeasible one by the duals of the
// bounded-margin LP with every row in it (the binding exposes no dual ray); any
// other status is undecided.
func DecideFull(ctx context.Context, in *model.Instance, opts lp.Options, eps float64) (Verdict, error) {
	t0 := time.Now()
	res, err := highs.SolveFeasibility(ctx, in, opts, highs.Settings{})
	if err != nil {
		return Verdict{}, err
	}
	v := Verdict{Status: Undecided, Iterations: res.Iterations, Rows: in.Rows(), Rounds: 1, Attempts: 1, Solver: lp.MethodHiGHS}
	switch {
	case res.Feasible:
		sc := lp.CheckStorable(in, normalisedW(res.W))
		v.WCheck = &sc
		if sc.OK {
			v.Status, v.Certified, v.W = Storable, true, sc.W
		} else {
			v.Note = "feasibility LP returned a W whose margins are not all certified positive"
		}
	case res.Infeasible:
		opts.InitialPerMu, opts.Method = -1, lp.MethodHiGHS
		mv, err := Decide(ctx, lp.NewSolver(in, opts), eps)
		if err != nil {
			return Verdict{}, err
		}
		if mv.Status == NotStorable {
			mv.Iterations += v.Iterations
			mv.Attempts++
			v = mv
		} else {
			v.Note = fmt.Sprintf("feasibility LP says infeasible but the margin LP's certificate gave %s", mv.Status)
		}
	default:
		v.Note = "feasibility LP ended with status " + res.Status
	}
	v.Seconds = time.Since(t0).Seconds()
	return v, nil
}
