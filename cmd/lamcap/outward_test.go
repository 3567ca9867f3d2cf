package main

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/certificate"
	"github.com/lamcap/lamcap/feasibility"
)

// A printed certified bound is still a bound: a lower one never above the
// value, an upper one never below, and each within one unit of its last digit.
func TestFormatBoundRoundsOutward(t *testing.T) {
	for _, c := range []struct {
		x      float64
		digits int
		up     bool
		want   string
	}{
		{0.0036799429898323535, 4, false, "0.003679"}, // %.4g says 0.00368
		{0.0036799429898323535, 4, true, "0.00368"},
		{0.23248409158240413, 9, false, "0.232484091"}, // %.9g says 0.232484092
		{0.23248409158319722, 9, true, "0.232484092"},
		{0.0019305859138669113, 4, false, "0.00193"},
		{0.00100004, 4, false, "0.001"},
		{0.000999996, 4, false, "0.0009999"},
		{-0.0036799, 4, false, "-0.00368"},
		{0, 4, false, "0"},
		{0.5, 9, false, "0.5"},
		{9.99996, 4, false, "9.999"}, // %.4g says 10
		{-9.99996, 4, true, "-9.999"},
		{math.Inf(1), 9, true, "+Inf"},
	} {
		if got := formatBound(c.x, c.digits, c.up); got != c.want {
			t.Errorf("formatBound(%v, %d, up %v) = %q, want %q", c.x, c.digits, c.up, got, c.want)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		x := (rng.Float64() - 0.2) * math.Pow(10, float64(rng.IntN(12)-8))
		digits := 1 + rng.IntN(12)
		unit := math.Pow(10, math.Floor(math.Log10(math.Abs(x)))-float64(digits-1))
		for _, up := range []bool{false, true} {
			s := formatBound(x, digits, up)
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || (up && v < x) || (!up && v > x) || math.Abs(v-x) > 1.01*unit {
				t.Fatalf("formatBound(%v, %d, up %v) = %q: not an outward rounding within one unit %g", x, digits, up, s, unit)
			}
		}
	}
}

// lamcap margin's certified interval contains kappa*'s interval as computed:
// seed 2 of the docs/commands.md example, whose lower end %.9g printed as
// 0.232484092, above the lower end 0.2324840915824.
func TestMarginIntervalPrintedOutward(t *testing.T) {
	mm := feasibility.MaxMargin{Storable: true, Certified: true, Kappa: 0.2324840915824947,
		Lower: 0.23248409158240413, Upper: 0.23248409158319722}
	var out bytes.Buffer
	if err := printMargin(&out, certificate.MarginRecord{Seed: 2}, mm, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "[0.232484091, 0.232484092]") {
		t.Errorf("margin row %q: want the interval [0.232484091, 0.232484092]", out.String())
	}
}
