package main

import (
	"math"
	"strconv"
	"strings"
)

// formatBound prints a certified bound x with digits significant digits,
// rounded outward so that the printed number is still a bound: down for a
// lower bound (up false), up for an upper bound. Round-to-nearest (%g) could
// print a lower bound above the value it bounds: t* = 0.0036799 as
// "t* >= 0.00368". Infinities and NaN print as %g does.
func formatBound(x float64, digits int, up bool) string {
	s := strconv.FormatFloat(x, 'g', digits, 64)
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return s
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || (up && v >= x) || (!up && v <= x) {
		return s
	}
	// Step the last printed digit outward: x = m x 10^e with m of digits
	// digits, written exactly in decimal and rounded to the nearest double,
	// which prints back as the same digits.
	e := strconv.FormatFloat(x, 'e', digits-1, 64) // "-2.32484092e-01"
	i := strings.IndexByte(e, 'e')
	m, err := strconv.ParseInt(strings.Replace(e[:i], ".", "", 1), 10, 64)
	if err != nil {
		return s
	}
	exp, err := strconv.Atoi(e[i+1:])
	if err != nil {
		return s
	}
	step := int64(-1)
	if up {
		step = 1
	}
	if least := int64(math.Pow10(digits - 1)); (m == least && !up) || (m == -least && up) {
		// 1.000e+01 down is 9.999e+00, not 9.99e+00: one more digit.
		m, exp = 10*m, exp-1
	}
	m += step
	w, err := strconv.ParseFloat(strconv.FormatInt(m, 10)+"e"+strconv.Itoa(exp-(digits-1)), 64)
	if err != nil {
		return s
	}
	return strconv.FormatFloat(w, 'g', digits, 64)
}
