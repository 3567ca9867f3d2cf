package experiment

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
	"github.com/lamcap/lamcap/stats"
)

// VerdictPoint fixes, in advance, the p at which a verdict sweep decides
// every seed of one (d, model): the single-verdict (probit) design, in which
// each instance costs one certified verdict near the threshold instead of a
// full p* search (docs/validation.md, "Where to spend the CPU").
type VerdictPoint struct {
	D     int         `json:"d"`
	Model model.Model `json:"model"`
	P     int         `json:"p"`
}

// String is the point as --at writes it: D:MODEL=P.
func (v VerdictPoint) String() string { return fmt.Sprintf("%d:%s=%d", v.D, v.Model, v.P) }

// canonicalAt sorts the points by d and model (a copy; none is nil, so
// that a p* grid compares equal however its empty list was made).
func canonicalAt(at []VerdictPoint) []VerdictPoint {
	if len(at) == 0 {
		return nil
	}
	at = slices.Clone(at)
	slices.SortFunc(at, func(a, b VerdictPoint) int {
		return cmp.Or(cmp.Compare(a.D, b.D), cmp.Compare(a.Model.String(), b.Model.String()))
	})
	return at
}

// checkAt refuses verdict points that are not exactly one per (d, model) of
// the grid, at a p the model can be decided at, or that come with kappa > 0
// or user data (a verdict sweep is of seeded instances at kappa = 0).
func (g Grid) checkAt() error {
	if len(g.At) == 0 {
		return nil
	}
	if g.Kappa != 0 || g.Inputs != nil {
		return fmt.Errorf("grid: verdict points are for seeded instances at kappa = 0")
	}
	seen := map[unitKey]bool{}
	for _, a := range g.At {
		k := unitKey{a.D, a.Model}
		switch {
		case !slices.Contains(g.Ds, a.D) || !slices.Contains(g.Models, a.Model):
			return fmt.Errorf("grid: verdict point d = %d, model %s is not in the grid", a.D, a.Model)
		case seen[k]:
			return fmt.Errorf("grid: two verdict points for d = %d, model %s", a.D, a.Model)
		case a.P < max(a.Model.SmallestP(), 2):
			return fmt.Errorf("grid: verdict point p = %d for d = %d, model %s: want p >= %d", a.P, a.D, a.Model, max(a.Model.SmallestP(), 2))
		}
		seen[k] = true
	}
	for _, d := range g.Ds {
		for _, m := range g.Models {
			if !seen[unitKey{d, m}] {
				return fmt.Errorf("grid: no verdict point for d = %d, model %s", d, m)
			}
		}
	}
	return nil
}

// IsVerdicts reports whether the grid is a verdict grid (Grid.At set).
func (g Grid) IsVerdicts() bool { return len(g.At) > 0 }

// VerdictP is the p at which a verdict grid decides the units of (d, m), or 0.
func (g Grid) VerdictP(d int, m model.Model) int {
	for _, a := range g.At {
		if a.D == d && a.Model == m {
			return a.P
		}
	}
	return 0
}

// checkVerdictRecord checks a record of a verdict grid: one verdict at the
// grid's p for its unit, certified storable (Lower = p), certified not
// storable (Upper = p) or undecided (neither, Undecided = 1), never a p*.
func checkVerdictRecord(r Record, g Grid) error {
	p := g.VerdictP(r.D, r.Model)
	switch {
	case r.Certified || r.PStar != -1:
		return fmt.Errorf("%s is a record of a verdict sweep with a p*", r.Unit.Name())
	case r.Solves != 1:
		return fmt.Errorf("%s is a record of a verdict sweep with %d verdicts, not 1", r.Unit.Name(), r.Solves)
	case r.Lower > 0 && r.Upper > 0 || r.Lower != 0 && r.Lower != p || r.Upper != 0 && r.Upper != p:
		return fmt.Errorf("%s: lower = %d, upper = %d for a verdict at p = %d", r.Unit.Name(), r.Lower, r.Upper, p)
	case (r.Lower == 0 && r.Upper == 0) != (r.Undecided == 1) || r.Undecided > 1:
		return fmt.Errorf("%s: undecided count %d with lower = %d, upper = %d", r.Unit.Name(), r.Undecided, r.Lower, r.Upper)
	}
	return nil
}

// Verdict is what a record of a verdict grid says about its unit.
type Verdict struct {
	Unit
	// P is the p the verdict is at (the grid's for the unit).
	P int
	// Status is feasibility.Storable, NotStorable or Undecided.
	Status feasibility.Status
	// Solver, Iterations and Seconds are the verdict's (wall seconds).
	Solver     string
	Iterations int
	Seconds    float64
	// Margin is a storable verdict's certified smallest margin (the
	// record's MinMargin, 0 where its certificate was not checked), Residual
	// a not-storable one's certificate residual |A^T lambda|_1 / sum(lambda).
	Margin, Residual float64
	// Certificates are the digests of the verdict's certificate.
	Certificates RecordCertificates
	// AsWritten says no certificate re-checked the verdict when it was read
	// (a digests-only directory): it is taken as written.
	AsWritten bool
}

// VerdictOf reads a record of verdict grid g as its verdict; ok is false for
// a record of another unit than g's verdict points decide.
func VerdictOf(r Record, g Grid) (v Verdict, ok bool) {
	p := g.VerdictP(r.D, r.Model)
	if p == 0 {
		return v, false
	}
	v = Verdict{Unit: r.Unit, P: p, Status: feasibility.Undecided, Solver: r.Solver, Iterations: r.Iterations,
		Seconds: r.Seconds, AsWritten: r.TakenAsWritten()}
	switch {
	case r.Lower == p:
		v.Status, v.Margin = feasibility.Storable, r.MinMargin
	case r.Upper == p:
		v.Status, v.Residual = feasibility.NotStorable, r.Residual
	}
	if r.Certificates != nil {
		v.Certificates = *r.Certificates
	}
	return v, true
}

// VerdictGroup counts the verdicts of one (d, model) of a verdict sweep.
type VerdictGroup struct {
	D     int         `json:"d"`
	Model model.Model `json:"model"`
	P     int         `json:"p"`
	// Storable, NotStorable and Undecided count the verdicts; the storable
	// fraction is Storable / (Storable + NotStorable), undecided ones left out
	// (shown, never folded into either side).
	Storable    int `json:"storable"`
	NotStorable int `json:"not_storable"`
	Undecided   int `json:"undecided"`
	// Fraction is the storable fraction with its exact 95% Clopper-Pearson
	// interval (zero with no decided verdict).
	Fraction float64        `json:"storable_fraction"`
	CI       stats.Interval `json:"storable_fraction_ci95"`
	// MeanIterations and MeanSeconds are per verdict.
	MeanIterations float64 `json:"mean_iterations"`
	MeanSeconds    float64 `json:"mean_seconds"`
}

// SummariseVerdicts counts the verdicts of the records of verdict grid g per
// (d, model), in the order of the grid's points.
func SummariseVerdicts(recs []Record, g Grid) []VerdictGroup {
	var out []VerdictGroup
	for _, a := range canonicalAt(g.At) {
		vg := VerdictGroup{D: a.D, Model: a.Model, P: a.P}
		var n int
		for _, r := range recs {
			v, ok := VerdictOf(r, g)
			if !ok || r.D != a.D || r.Model != a.Model {
				continue
			}
			switch v.Status {
			case feasibility.Storable:
				vg.Storable++
			case feasibility.NotStorable:
				vg.NotStorable++
			default:
				vg.Undecided++
			}
			n++
			vg.MeanIterations += float64(v.Iterations)
			vg.MeanSeconds += v.Seconds
		}
		if n > 0 {
			vg.MeanIterations /= float64(n)
			vg.MeanSeconds /= float64(n)
		}
		if k := vg.Storable + vg.NotStorable; k > 0 {
			vg.Fraction = float64(vg.Storable) / float64(k)
			vg.CI = stats.ClopperPearson(vg.Storable, k, 0.95)
		}
		out = append(out, vg)
	}
	return out
}

// VerdictTable is the plain-text table of verdict groups that 'lamcap sweep
// --at' prints.
func VerdictTable(gs []VerdictGroup) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%5s  %-10s %6s %9s %13s %10s  %-22s %11s %9s\n", "d", "model", "p", "storable", "not storable", "undecided", "fraction [95% exact]", "iterations", "seconds")
	for _, g := range gs {
		frac := "-"
		if g.Storable+g.NotStorable > 0 {
			frac = fmt.Sprintf("%.3f [%.3f, %.3f]", g.Fraction, g.CI.Lo, g.CI.Hi)
		}
		fmt.Fprintf(&b, "%5d  %-10s %6d %9d %13d %10d  %-22s %11.1f %9.1f\n", g.D, g.Model, g.P, g.Storable, g.NotStorable, g.Undecided, frac, g.MeanIterations, g.MeanSeconds)
	}
	return b.String()
}

// computeVerdict decides one unit of a verdict grid at its p: the instance of
// the unit's seed at p, one verdict with the solver the threshold search
// would use (sign only where the solver can stop at the sign), and the
// certificate of a certified verdict made on the same instance (not drawn
// again), named in the record as a p* search's are.
func computeVerdict(ctx context.Context, cfg runConfig, u Unit, p int) (Record, error) {
	t0 := time.Now()
	rec := Record{Unit: u, Revision: engineRevision()}
	src := model.Random{D: u.D, Seed: uint64(u.Seed), Kind: u.Model, Embed: cfg.embed}
	in, err := model.NewInstanceContext(ctx, src, p)
	if err != nil {
		return rec, err
	}
	lpo := cfg.lp
	lpo.Eps = cfg.eps
	if c, ok := lp.Resolve(in, lpo).Capabilities(); ok && c.SignOnly && lpo.Stop == lp.StopOptimal {
		lpo.Stop = lp.StopVerdict
	}
	v, err := feasibility.Decide(ctx, lp.NewSolver(in, lpo), cfg.eps)
	if err != nil {
		return rec, err
	}
	th := feasibility.Threshold{PStar: -1, Solves: 1, Iterations: v.Iterations}
	switch v.Status {
	case feasibility.Storable:
		th.Lower, th.AtLower = p, &v
	case feasibility.NotStorable:
		th.Upper, th.AtUpper = p, &v
	default:
		th.Undecided = 1
		th.Note = fmt.Sprintf("undecided at p=%d: %s", p, v.Note)
	}
	saved := map[int]savedCert{}
	if v.Status != feasibility.Undecided {
		line, chk, err := makeCertificate(certInstance(u, cfg.embed, nil), in, cfg.eps, v)
		if err != nil {
			return rec, fmt.Errorf("certificate at p=%d: %w", p, err)
		}
		saved[p] = savedCert{line, chk}
	}
	th.Seconds = time.Since(t0).Seconds()
	rec = NewRecord(u, cfg.embed, th)
	rec.ForKappa, rec.Eps = 0, cfg.eps
	if v.Disagreement != "" {
		rec.Disagreements = []string{fmt.Sprintf("p = %d: %s", p, v.Disagreement)}
	}
	if err := rec.attachCertificates(ctx, src, cfg.embed, nil, cfg.eps, th, saved); err != nil {
		return rec, err
	}
	return rec, nil
}
