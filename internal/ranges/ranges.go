// Package ranges reads the lists and ranges of lamcap's command line: "8:28:4"
// or "6,8,12" for dimensions, "N" or "A:B" for seeds, "K/N" for shards. Its
// errors name the flag and say what is wanted, in one line.
package ranges

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MaxSeed is the largest seed: one below the int64 maximum, so that a loop
// over a range, for s := a; s <= b; s++, always ends and b-a+1 never overflows
// (seeds up to 2^63-1 looped forever, growing without bound).
const MaxSeed = math.MaxInt64 - 1

// MaxDims bounds the d list of one sweep.
const MaxDims = 1000

// FormatDims writes ds in the form Dims reads: "A:B:STEP" when they are evenly
// spaced upwards (at least three of them), else a comma list. Dims(FormatDims(ds))
// gives ds back.
func FormatDims(ds []int) string {
	if n := len(ds); n >= 3 && ds[1] > ds[0] {
		step, even := ds[1]-ds[0], true
		for i := 2; i < n && even; i++ {
			even = ds[i]-ds[i-1] == step
		}
		if even {
			return fmt.Sprintf("%d:%d:%d", ds[0], ds[n-1], step)
		}
	}
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = strconv.Itoa(d)
	}
	return strings.Join(parts, ",")
}

// Dims reads "6:24:2", "6:10" or "6,8,12".
func Dims(s string) ([]int, error) {
	var out []int
	if strings.Contains(s, ":") {
		parts := strings.Split(s, ":")
		if len(parts) > 3 {
			return nil, fmt.Errorf("--d: want A:B:STEP, got %q", s)
		}
		n := make([]int, len(parts))
		for i, p := range parts {
			v, err := strconv.Atoi(p)
			if err != nil {
				return nil, fmt.Errorf("--d: %q is not a whole number", p)
			}
			n[i] = v
		}
		step := 1
		if len(n) == 3 {
			step = n[2]
		}
		if step < 1 || n[1] < n[0] {
			return nil, fmt.Errorf("--d: empty range %q", s)
		}
		if n[0] < 2 {
			return nil, fmt.Errorf("--d: every d must be at least 2, got %d", n[0])
		}
		count := (n[1]-n[0])/step + 1 // no overflow: 2 <= n[0] <= n[1]
		if count > MaxDims {
			return nil, fmt.Errorf("--d: %q has more than %d dimensions", s, MaxDims)
		}
		for i := 0; i < count; i++ {
			out = append(out, n[0]+i*step)
		}
	} else {
		parts := strings.Split(s, ",")
		if len(parts) > MaxDims {
			return nil, fmt.Errorf("--d: more than %d dimensions", MaxDims)
		}
		for _, p := range parts {
			v, err := strconv.Atoi(strings.TrimSpace(p))
			if err != nil {
				return nil, fmt.Errorf("--d: %q is not a whole number", p)
			}
			out = append(out, v)
		}
	}
	for _, d := range out {
		if d < 2 {
			return nil, fmt.Errorf("--d: every d must be at least 2, got %d", d)
		}
	}
	return out, nil
}

// Seeds reads "N" (meaning 1:N) or "A:B".
func Seeds(s string) (int64, int64, error) {
	if strings.Contains(s, ":") {
		return Range(s, "--seeds")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 || n > MaxSeed {
		return 0, 0, fmt.Errorf("--seeds: want N >= 1 or A:B, got %q", s)
	}
	return 1, n, nil
}

// Shard reads "K/N" with 1 <= K <= N.
func Shard(s string) (k, n int, err error) {
	ks, ns, ok := strings.Cut(s, "/")
	k, kerr := strconv.Atoi(ks)
	n, nerr := strconv.Atoi(ns)
	if !ok || kerr != nil || nerr != nil || n < 1 || k < 1 || k > n {
		return 0, 0, fmt.Errorf("--shard: want K/N with 1 <= K <= N, got %q", s)
	}
	return k, n, nil
}

// Range reads "A:B" (or a single number) as an inclusive range with
// 0 <= A <= B <= MaxSeed.
func Range(s, flag string) (int64, int64, error) {
	parts := strings.Split(s, ":")
	if len(parts) > 2 {
		return 0, 0, fmt.Errorf("%s: want A:B, got %q", flag, s)
	}
	a, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %q is not a whole number", flag, parts[0])
	}
	b := a
	if len(parts) == 2 {
		if b, err = strconv.ParseInt(parts[1], 10, 64); err != nil {
			return 0, 0, fmt.Errorf("%s: %q is not a whole number", flag, parts[1])
		}
	}
	if a < 0 || b < a {
		return 0, 0, fmt.Errorf("%s: want 0 <= A <= B, got %q", flag, s)
	}
	if b > MaxSeed {
		return 0, 0, fmt.Errorf("%s: %d is beyond the largest seed, %d", flag, b, int64(MaxSeed))
	}
	return a, b, nil
}
