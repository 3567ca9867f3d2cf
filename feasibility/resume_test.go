package feasibility

import (
	"context"
	"slices"
	"testing"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// knownAfter is what the first k verdicts of a search certified: the bracket
// they leave and their counts.
func knownAfter(ps []int, vs []Verdict, k int) Known {
	var kn Known
	for i := 0; i < k; i++ {
		v := vs[i]
		kn.Solves++
		kn.Iterations += v.Iterations
		switch v.Status {
		case Storable:
			if ps[i] > kn.Lower {
				kn.Lower, kn.AtLower = ps[i], &vs[i]
			}
		case NotStorable:
			if kn.Upper == 0 || ps[i] < kn.Upper {
				kn.Upper, kn.AtUpper = ps[i], &vs[i]
			}
		}
	}
	return kn
}

// A bracketing search resumed from the first k verdicts of a full search makes
// exactly the verdicts the full search had left, at the same p, and ends with
// the same p*, bracket and counts; resumed from a pinned bracket it solves
// nothing.
func TestResumeBracket(t *testing.T) {
	ctx := context.Background()
	opts := lp.Options{Method: lp.MethodIPM}
	var longest, resumed int
	for _, c := range []struct {
		d    int
		kind model.Model
		seed uint64
	}{{8, model.Coupled, 1}, {8, model.Decoupled, 2}, {10, model.Coupled, 3}, {12, model.Decoupled, 4}} {
		src := model.Random{D: c.d, Seed: c.seed, Kind: c.kind}
		var ps []int
		var vs []Verdict
		full, err := FindThreshold(ctx, src, ThresholdOptions{LP: opts, OnVerdict: func(p int, v Verdict) {
			ps, vs = append(ps, p), append(vs, v)
		}})
		if err != nil || !full.Certified {
			t.Fatalf("d=%d seed %d: %v %s", c.d, c.seed, err, full.Note)
		}
		if len(vs) != full.Solves {
			t.Fatalf("d=%d seed %d: %d verdicts seen, %d solves", c.d, c.seed, len(vs), full.Solves)
		}
		longest = max(longest, len(vs))
		for k := 0; k <= len(vs); k++ {
			var got []int
			th, err := FindThreshold(ctx, src, ThresholdOptions{LP: opts, Known: knownAfter(ps, vs, k), OnVerdict: func(p int, v Verdict) {
				got = append(got, p)
			}})
			if err != nil {
				t.Fatalf("d=%d seed %d, resumed after %d verdicts: %v", c.d, c.seed, k, err)
			}
			if !slices.Equal(got, ps[k:]) {
				t.Errorf("d=%d seed %d, resumed after %d verdicts: decided p = %v, the full search had %v left", c.d, c.seed, k, got, ps[k:])
			}
			if th.PStar != full.PStar || th.Lower != full.Lower || th.Upper != full.Upper || !th.Certified {
				t.Errorf("d=%d seed %d, resumed after %d verdicts: p* %d in [%d, %d], want %d in [%d, %d]",
					c.d, c.seed, k, th.PStar, th.Lower, th.Upper, full.PStar, full.Lower, full.Upper)
			}
			if th.Solves != full.Solves || th.Iterations != full.Iterations {
				t.Errorf("d=%d seed %d, resumed after %d verdicts: %d solves and %d iterations in all, the full search %d and %d",
					c.d, c.seed, k, th.Solves, th.Iterations, full.Solves, full.Iterations)
			}
			if k > 0 && k < len(vs) {
				resumed++
			}
		}
	}
	if longest < 3 {
		t.Fatalf("no search took more than %d verdicts: nothing was resumed in the middle", longest)
	}
	t.Logf("longest search %d verdicts; %d searches resumed part way", longest, resumed)
}

// A known bracket that pins p* runs no solve; one that contradicts itself is
// an error, not a guess.
func TestResumePinnedBracket(t *testing.T) {
	ctx := context.Background()
	src := model.Random{D: 8, Seed: 5, Kind: model.Coupled}
	opts := lp.Options{Method: lp.MethodIPM}
	full, err := FindThreshold(ctx, src, ThresholdOptions{LP: opts})
	if err != nil || !full.Certified {
		t.Fatal(err, full.Note)
	}
	kn := Known{Lower: full.Lower, AtLower: full.AtLower, Upper: full.Upper, AtUpper: full.AtUpper, Solves: 7, Iterations: 99, Seconds: 3}
	calls := 0
	th, err := FindThreshold(ctx, src, ThresholdOptions{LP: opts, Known: kn, OnVerdict: func(int, Verdict) { calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 0 || th.Solves != 7 || th.Iterations != 99 || th.Seconds < 3 {
		t.Errorf("pinned bracket: %d verdicts made, counts %d solves, %d iterations, %.3g s; want none and the known 7, 99, >= 3 s", calls, th.Solves, th.Iterations, th.Seconds)
	}
	if th.PStar != full.PStar || !th.Certified || th.AtLower != full.AtLower || th.AtUpper != full.AtUpper {
		t.Errorf("pinned bracket: p* = %d (certified %v), want %d with the known verdicts", th.PStar, th.Certified, full.PStar)
	}
	for _, bad := range []Known{
		{Lower: full.Upper, AtLower: full.AtLower, Upper: full.Lower, AtUpper: full.AtUpper},
		{Lower: full.Lower, AtLower: full.AtUpper},
		{Upper: full.Upper},
	} {
		if _, err := FindThreshold(ctx, src, ThresholdOptions{LP: opts, Known: bad}); err == nil {
			t.Errorf("known %d..%d with verdicts %v/%v: no error", bad.Lower, bad.Upper, bad.AtLower != nil, bad.AtUpper != nil)
		}
	}
}

// OnVerdictInstance gets, after OnVerdict, the instance of every verdict of a
// bracketing search: the one model.NewInstance builds at that p (same hash).
func TestOnVerdictInstance(t *testing.T) {
	ctx := context.Background()
	src := model.Random{D: 8, Seed: 2, Kind: model.Decoupled}
	var ps, got []int
	th, err := FindThreshold(ctx, src, ThresholdOptions{LP: lp.Options{Method: lp.MethodIPM},
		OnVerdict: func(p int, v Verdict) { ps = append(ps, p) },
		OnVerdictInstance: func(in *model.Instance, v Verdict) {
			if len(ps) != len(got)+1 || ps[len(ps)-1] != in.P {
				t.Errorf("instance of p = %d handed over after verdicts at %v", in.P, ps)
			}
			want, err := model.NewInstance(src, in.P)
			if err != nil || want.Hash() != in.Hash() {
				t.Errorf("p = %d: the instance handed over is not the source's (%v)", in.P, err)
			}
			got = append(got, in.P)
		}})
	if err != nil || !th.Certified {
		t.Fatal(err, th.Note)
	}
	if !slices.Equal(got, ps) || len(got) != th.Solves || th.Solves < 2 {
		t.Errorf("instances at %v, verdicts at %v, %d solves", got, ps, th.Solves)
	}
}

// A one-sided Known with Streak steps as if Streak verdicts had been made
// on its side, whatever its Solves (which still count in the Threshold).
func TestResumeStreak(t *testing.T) {
	ctx := context.Background()
	src := model.Random{D: 8, Seed: 1, Kind: model.Coupled}
	opts := lp.Options{Method: lp.MethodIPM}
	var ps []int
	var vs []Verdict
	if _, err := FindThreshold(ctx, src, ThresholdOptions{LP: opts, OnVerdict: func(p int, v Verdict) {
		ps, vs = append(ps, p), append(vs, v)
	}}); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(vs, func(v Verdict) bool { return v.Status == Storable })
	if i < 0 {
		t.Fatal("no storable verdict")
	}
	first := func(kn Known) (int, Threshold) {
		p := 0
		th, err := FindThreshold(ctx, src, ThresholdOptions{LP: opts, Known: kn, OnVerdict: func(q int, v Verdict) {
			if p == 0 {
				p = q
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		return p, th
	}
	one, _ := first(Known{Lower: ps[i], AtLower: &vs[i], Solves: 1})
	many, _ := first(Known{Lower: ps[i], AtLower: &vs[i], Solves: 5})
	streak, th := first(Known{Lower: ps[i], AtLower: &vs[i], Solves: 5, Streak: 1})
	if streak != one || many == one {
		t.Errorf("first p after storable at %d: %d with Streak 1 of 5 solves, want %d (1 solve), and %d with 5 solves", ps[i], streak, one, many)
	}
	if th.Solves < 6 {
		t.Errorf("%d solves in all, want the known 5 and more", th.Solves)
	}
	if _, err := FindThreshold(ctx, src, ThresholdOptions{LP: opts, Known: Known{Streak: -1}}); err == nil {
		t.Error("negative streak: no error")
	}
}
