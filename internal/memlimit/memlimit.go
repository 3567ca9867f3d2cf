// Package memlimit is lamcap's one memory model: overflow-proof byte counts and
// the budget every command checks them against before it allocates.
//
// Sizes are int64 byte counts computed with Mul and Add, which saturate at Inf
// instead of wrapping, so an estimate for an absurd size is "too much", never a
// small or negative number. The budget is a fraction of the machine's physical
// memory (or of its cgroup limit), or LAMCAP_MEMORY_LIMIT when set.
package memlimit

import (
	"bufio"
	"fmt"
	"math"
	"math/bits"
	"os"
	"strconv"
	"strings"
)

// Inf is the saturated size: more than any machine has.
const Inf = int64(math.MaxInt64)

// Mul multiplies sizes, saturating at Inf. A negative factor can only come from
// an overflow upstream, so it also gives Inf.
func Mul(factors ...int64) int64 {
	r := uint64(1)
	for _, f := range factors {
		if f < 0 {
			return Inf
		}
		hi, lo := bits.Mul64(r, uint64(f))
		if hi != 0 || lo > uint64(Inf) {
			r = uint64(Inf) // keep going: a later zero factor makes the product 0
			continue
		}
		r = lo
	}
	return int64(r)
}

// Add adds sizes, saturating at Inf; a negative term gives Inf.
func Add(terms ...int64) int64 {
	var s int64
	for _, t := range terms {
		if t < 0 || s > Inf-t {
			return Inf
		}
		s += t
	}
	return s
}

// EnvVar names the environment variable that overrides the budget: a byte count
// such as 8000000000 or one with a binary suffix such as 8GiB, 512M.
const EnvVar = "LAMCAP_MEMORY_LIMIT"

// Fraction of the physical memory lamcap allows itself: estimates count live data,
// and the Go heap, HiGHS and the rest of the machine need room beside them.
const Fraction = 0.9

// fallbackTotal is assumed when the physical memory cannot be read.
const fallbackTotal = 24 << 30

// Budget is the memory a command may plan to use, and where the figure comes from.
type Budget struct {
	Bytes int64
	// Source explains the figure, e.g. "90% of the 23.5 GiB this machine has".
	Source string
}

// Sources of the budget, replaceable in tests.
var (
	meminfoPath = "/proc/meminfo"
	cgroupPath  = "/sys/fs/cgroup/memory.max"
	getenv      = os.Getenv
)

// Current returns the budget: LAMCAP_MEMORY_LIMIT if set, else Fraction of the
// smaller of MemTotal and the cgroup (v2) limit, else Fraction of 24 GiB.
func Current() (Budget, error) {
	if s := strings.TrimSpace(getenv(EnvVar)); s != "" {
		b, err := ParseSize(s)
		if err != nil {
			return Budget{}, fmt.Errorf("%s=%q: %v", EnvVar, s, err)
		}
		return Budget{b, fmt.Sprintf("set by %s", EnvVar)}, nil
	}
	total, what := physical()
	return Budget{int64(Fraction * float64(total)), fmt.Sprintf("%.0f%% of the %s %s", 100*Fraction, Format(total), what)}, nil
}

// physical is the memory of this machine (or cgroup) and a phrase naming it.
func physical() (int64, string) {
	total, what := int64(fallbackTotal), "assumed (the physical memory could not be read)"
	if kb := meminfoTotalKiB(); kb > 0 {
		total, what = Mul(kb, 1024), "this machine has"
	}
	if b, err := os.ReadFile(cgroupPath); err == nil {
		if v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && v > 0 && v < total {
			total, what = v, "this process's cgroup allows"
		}
	}
	return total, what
}

func meminfoTotalKiB() int64 {
	fh, err := os.Open(meminfoPath)
	if err != nil {
		return 0
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemTotal:" {
			if v, err := strconv.ParseInt(f[1], 10, 64); err == nil && v > 0 {
				return v
			}
		}
	}
	return 0
}

// TooLarge is the error of a size beyond the budget.
type TooLarge struct {
	What   string // what needs the memory, e.g. "d=60000 p=16"
	Need   int64
	Budget Budget
}

func (e *TooLarge) Error() string {
	need := "about " + Format(e.Need)
	if e.Need == Inf {
		need = "over " + Format(Inf) // the size overflows 64-bit arithmetic
	}
	src := e.Budget.Source
	if !strings.Contains(src, EnvVar) {
		src += "; " + EnvVar + " overrides"
	}
	return fmt.Sprintf("%s: needs %s of memory, more than the %s lamcap may use (%s)", e.What, need, Format(e.Budget.Bytes), src)
}

// Check returns a *TooLarge error when need exceeds the current budget, and an
// error when the budget itself cannot be read (a malformed LAMCAP_MEMORY_LIMIT).
// A negative need can only come from a product that wrapped around (an estimate
// multiplied without Mul), so it counts as Inf.
func Check(what string, need int64) error {
	b, err := Current()
	if err != nil {
		return err
	}
	if need < 0 {
		need = Inf
	}
	if need > b.Bytes {
		return &TooLarge{What: what, Need: need, Budget: b}
	}
	return nil
}

// ParseSize reads a byte count: digits with an optional binary suffix K, M, G, T,
// P (also written KiB, KB, ...), all powers of 1024.
func ParseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "B"), "I")
	mult := int64(1)
	if n := len(t); n > 0 {
		if k := strings.IndexByte("KMGTP", t[n-1]); k >= 0 {
			mult = int64(1) << (10 * (k + 1))
			t = strings.TrimSpace(t[:n-1])
		}
	}
	v, err := strconv.ParseInt(t, 10, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("want a positive size in bytes such as 8000000000 or 8GiB")
	}
	if r := Mul(v, mult); r < Inf {
		return r, nil
	}
	return 0, fmt.Errorf("size overflows 64 bits")
}

// Format writes a byte count for people: 1.5 GiB, 2.1 TiB.
func Format(b int64) string {
	if b == Inf {
		return "8 EiB"
	}
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	if b < 1<<10 {
		return fmt.Sprintf("%d B", b)
	}
	v, u := float64(b)/1024, 0
	for v >= 1024 && u < len(units)-1 {
		v, u = v/1024, u+1
	}
	if v >= 100 {
		return fmt.Sprintf("%.0f %s", v, units[u])
	}
	return fmt.Sprintf("%.1f %s", v, units[u])
}
