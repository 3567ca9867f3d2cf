package feasibility

import (
	"context"
	"fmt"
	"time"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// FindKappaThreshold finds the largest p whose prefix can be stored with margin
// kappa > 0 in unit-variance normalisation: kappa*(p) >= kappa, with kappa*(p) the
// certified max-margin value (SolveMaxMargin), which cannot increase with p on
// nested instances. A step is decided only when kappa lies outside the certified
// interval of kappa*(p); otherwise it is undecided and the search stops there.
// The search is the one of the warm kappa = 0 search (stepSearch) with this
// test: it steps down from start with doubling steps until a prefix stores
// kappa, then up one association at a time.
func FindKappaThreshold(ctx context.Context, src model.Source, kappa float64, start int, opts lp.Options) (Threshold, error) {
	t0 := time.Now()
	th := Threshold{PStar: -1}
	if !(kappa > 0) {
		return th, fmt.Errorf("kappa threshold: need kappa > 0, got %v", kappa)
	}
	p := max(start, 2)
	if max := src.MaxP(); max > 0 && p > max {
		p = max
	}
	// test says whether kappa*(p) >= kappa: Storable (with margin kappa) or
	// NotStorable, Undecided when kappa is inside kappa*(p)'s certified interval.
	test := func(p int, _ bool) (Status, string, error) {
		// Every p is checked against the memory budget before its instance is
		// built, as in the kappa = 0 searches: the steps double on the way down
		// and a storable start climbs with no bound but the threshold.
		if err := checkVerdictMemory(src, p, opts); err != nil {
			return Undecided, "", err
		}
		in, err := model.NewInstanceContext(ctx, src, p)
		if err != nil {
			return Undecided, "", err
		}
		mm, err := SolveMaxMargin(ctx, in, opts)
		th.Solves++
		if err != nil {
			return Undecided, "", err
		}
		switch {
		case mm.Certified && !mm.Storable:
			return NotStorable, "", nil
		case mm.Storable && mm.Lower > kappa:
			return Storable, "", nil
		case mm.Storable && mm.Upper < kappa:
			return NotStorable, "", nil
		}
		th.Undecided++
		return Undecided, fmt.Sprintf("kappa*(%d) not separated from kappa = %g", p, kappa), nil
	}
	note, err := stepSearch(src, p, &th, test, fmt.Sprintf("has margin >= %g", kappa))
	if err != nil {
		return th, err
	}
	th.Note, th.Seconds = note, time.Since(t0).Seconds()
	return th, nil
}
