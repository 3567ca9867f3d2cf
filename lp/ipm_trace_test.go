package lp

import (
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/model"
)

// TestIPMTrace prints the iterations of one interior-point solve, for
// diagnostics: LAMCAP_IPM_TRACE="d:seed:p[:stop[:model[:precision]]]" with stop
// one of optimal, sized, verdict (default verdict), model coupled or decoupled,
// precision auto, double or mixed. Skipped without the variable.
func TestIPMTrace(t *testing.T) {
	spec := os.Getenv("LAMCAP_IPM_TRACE")
	if spec == "" {
		t.Skip("set LAMCAP_IPM_TRACE=d:seed:p[:stop[:model[:precision]]]")
	}
	f := strings.Split(spec, ":")
	for len(f) < 6 {
		f = append(f, "")
	}
	d, _ := strconv.Atoi(f[0])
	seed, _ := strconv.ParseUint(f[1], 10, 64)
	p, _ := strconv.Atoi(f[2])
	opts := Options{Stop: StopVerdict, Eps: DefaultEps}
	switch f[3] {
	case "optimal":
		opts.Stop = StopOptimal
	case "sized":
		opts.Stop = StopSized
	}
	kind := model.Coupled
	if f[4] == "decoupled" {
		kind = model.Decoupled
	}
	switch f[5] {
	case "double":
		opts.Precision = PrecisionDouble
	case "mixed":
		opts.Precision = PrecisionMixed
	}
	in, err := model.NewInstance(model.Random{D: d, Seed: seed, Kind: kind}, p)
	if err != nil {
		t.Fatal(err)
	}
	s := NewIPM(in, opts)
	knobs(t, s)
	s.trace = func(r ipmTrace) {
		fmt.Printf("%3d t=%+.3e gap=%.2e pinf=%.1e dinf=%.1e cert=%.1e pol=%.1e sig=%.1e ap=%.3f ad=%.3f single=%v pcg=%d proj=%d box=%.2e cen=[%.1e,%.1e] cenbox=%.1e ray=%+.2e %s\n",
			r.it, r.t, r.gap, r.pinf, r.dinf, r.certRes, r.polish, r.sigma, r.ap, r.ad, r.single, r.pcg, r.proj, r.boxDual, r.cenLo, r.cenHi, r.cenHiBox, r.ray, r.block)
	}
	sol, err := s.Solve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	res := math.NaN()
	if c := CheckNotStorable(in, sol.Lambda, DefaultEps); c.OK {
		res = c.Residual
	}
	fmt.Printf("d=%d seed=%d p=%d: %s, t=%.6e, residual %.2g, %d iterations (single %d of them shifted %d, double %d, pcg %d, projections %d, ray checks %d)\n",
		d, seed, p, sol.Status, sol.T, res, sol.Iterations, s.last.single, s.last.shifted, s.last.double, s.last.pcgSteps, s.last.polishSteps, s.last.rayChecks)
}

// TestIPMScan runs one sign-only verdict per item of LAMCAP_IPM_SCAN, a
// space-separated list of d:model:seed:p (model coupled or decoupled), and
// prints one line per verdict: its status, iterations, projections, the
// certificate's residual, the ray probe's checks (IPM.rayStorable), the
// shortest step and how many iterations stepped less than 0.5 (diagnostics
// for issue 18). LAMCAP_IPM_KNOBS sets diagnostic settings (see knobs);
// LAMCAP_IPM_TSTAR=1 also solves each item to the optimum and prints t*.
// Skipped without the variable.
func TestIPMScan(t *testing.T) {
	spec := os.Getenv("LAMCAP_IPM_SCAN")
	if spec == "" {
		t.Skip("set LAMCAP_IPM_SCAN='d:model:seed:p ...'")
	}
	for _, item := range strings.Fields(spec) {
		in := scanInstance(t, item)
		s := NewIPM(in, Options{Stop: StopVerdict, Eps: DefaultEps})
		knobs(t, s)
		minStep, short := 1.0, 0
		s.trace = func(r ipmTrace) {
			m := math.Min(r.ap, r.ad)
			minStep = math.Min(minStep, m)
			if m < 0.5 {
				short++
			}
		}
		sol, err := s.Solve(context.Background())
		if err != nil {
			fmt.Printf("scan %s: error %v\n", item, err)
			continue
		}
		res := math.NaN()
		if c := CheckNotStorable(in, sol.Lambda, DefaultEps); c.OK {
			res = c.Residual
		}
		tstar := math.NaN()
		if os.Getenv("LAMCAP_IPM_TSTAR") != "" {
			opt, err := NewIPM(in, Options{Eps: DefaultEps}).Solve(context.Background())
			if err != nil {
				fmt.Printf("scan %s: optimum: error %v\n", item, err)
			} else {
				tstar = opt.T
			}
		}
		fmt.Printf("scan %s %s it=%d single=%d double=%d shifted=%d pcg=%d proj=%d res=%.2g t=%.3e ray=%d/%d missed=%d minstep=%.3f short=%d tstar=%.3e\n",
			item, strings.ReplaceAll(sol.Status, " ", "_"), sol.Iterations, s.last.single, s.last.double, s.last.shifted, s.last.pcgSteps, s.last.polishSteps, res, sol.T,
			s.last.rayCertified, s.last.rayChecks, s.last.nbhdMissed, minStep, short, tstar)
	}
}

// scanInstance builds the instance of one d:model:seed:p item of the
// diagnostic scans (LAMCAP_IPM_SCAN, LAMCAP_IPM_CPU); model is coupled or
// decoupled.
func scanInstance(t *testing.T, item string) *model.Instance {
	t.Helper()
	f := strings.Split(item, ":")
	if len(f) != 4 {
		t.Fatalf("bad item %q, want d:model:seed:p", item)
	}
	d, _ := strconv.Atoi(f[0])
	seed, _ := strconv.ParseUint(f[2], 10, 64)
	p, _ := strconv.Atoi(f[3])
	kind := model.Coupled
	if f[1] == "decoupled" {
		kind = model.Decoupled
	}
	in, err := model.NewInstance(model.Random{D: d, Seed: seed, Kind: kind}, p)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// knobs sets the diagnostic settings of s from LAMCAP_IPM_KNOBS, a
// comma-separated list of name=value: noray=1 (IPM.noRay), fixedpcg=1
// (IPM.fixedPCG), unequal=1 (IPM.unequalSteps), nbhd (IPM.nbhd, the safeguard's gamma),
// glow and ghigh (IPM.gLow, gHigh), corr (IPM.correctors), start
// (IPM.startSlack).
func knobs(t *testing.T, s *IPM) {
	t.Helper()
	spec := os.Getenv("LAMCAP_IPM_KNOBS")
	if spec == "" {
		return
	}
	for _, kv := range strings.Split(spec, ",") {
		k, v, _ := strings.Cut(kv, "=")
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("LAMCAP_IPM_KNOBS: %q: %v", kv, err)
		}
		switch k {
		case "fixedpcg":
			s.fixedPCG = x != 0
		case "unequal":
			s.unequalSteps = x != 0
		case "noray":
			s.noRay = x != 0
		case "nbhd":
			s.nbhd = x
		case "glow":
			s.gLow = x
		case "ghigh":
			s.gHigh = x
		case "corr":
			s.correctors = int(x)
		case "start":
			s.startSlack = x
		default:
			t.Fatalf("LAMCAP_IPM_KNOBS: unknown %q", k)
		}
	}
}
