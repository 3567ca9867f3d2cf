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
// The search steps down from start with doubling steps until a prefix stores
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
	// above reports whether kappa*(p) >= kappa: 1 yes, 0 no, -1 undecided.
	above := func(p int) (int, error) {
		in, err := model.NewInstance(src, p)
		if err != nil {
			return -1, err
		}
		mm, err := SolveMaxMargin(ctx, in, opts)
		th.Solves++
		if err != nil {
			return -1, err
		}
		switch {
		case mm.Certified && !mm.Storable:
			return 0, nil
		case mm.Storable && mm.Lower > kappa:
			return 1, nil
		case mm.Storable && mm.Upper < kappa:
			return 0, nil
		}
		th.Undecided++
		return -1, nil
	}
	done := func(note string) (Threshold, error) {
		th.Note, th.Seconds = note, time.Since(t0).Seconds()
		return th, nil
	}
	step := 1
	for {
		r, err := above(p)
		if err != nil {
			return th, err
		}
		if r < 0 {
			return done(fmt.Sprintf("kappa*(%d) not separated from kappa = %g", p, kappa))
		}
		if r == 1 {
			th.Lower = p
			break
		}
		th.Upper = p
		if p == 2 {
			th.PStar, th.Lower, th.Certified = 1, 1, true
			return done("")
		}
		p = max(2, p-step)
		step *= 2
	}
	for th.Upper != th.Lower+1 {
		if max := src.MaxP(); max > 0 && p == max {
			return done(fmt.Sprintf("every prefix up to the %d associations the source holds has margin >= %g", max, kappa))
		}
		p++
		r, err := above(p)
		if err != nil {
			return th, err
		}
		switch r {
		case 1:
			th.Lower = p
		case 0:
			th.Upper = p
		default:
			return done(fmt.Sprintf("kappa*(%d) not separated from kappa = %g", p, kappa))
		}
	}
	th.PStar, th.Certified = th.Lower, true
	return done("")
}
