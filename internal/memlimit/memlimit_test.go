package memlimit

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMulAddSaturate(t *testing.T) {
	for _, c := range []struct {
		f    []int64
		want int64
	}{
		{[]int64{2, 3, 4}, 24},
		{[]int64{3 * 8, 46341*46341 + 1, 46341*46341 + 1}, Inf}, // the simplex basis at d = 46341 wraps in int64
		{[]int64{3, 8, 3600000001, 3600000001}, Inf},
		{[]int64{math.MaxInt64, 1}, Inf},
		{[]int64{1 << 32, 1 << 31}, Inf}, // 2^63 does not fit
		{[]int64{1 << 40, 1 << 40, 0}, 0},
		{[]int64{5, -1}, Inf},
		{nil, 1},
	} {
		if got := Mul(c.f...); got != c.want {
			t.Errorf("Mul(%v) = %d, want %d", c.f, got, c.want)
		}
	}
	if Add(1, 2, 3) != 6 || Add(Inf, 1) != Inf || Add(Inf-1, 1) != Inf || Add(-5, 10) != Inf {
		t.Error("Add does not saturate")
	}
}

func TestParseSizeAndFormat(t *testing.T) {
	for s, want := range map[string]int64{"100": 100, "8GiB": 8 << 30, "512M": 512 << 20, "2 tb": 2 << 40, "1k": 1024} {
		if got, err := ParseSize(s); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "-3", "0", "lots", "9999999P", "1.5G"} {
		if _, err := ParseSize(s); err == nil {
			t.Errorf("ParseSize(%q) accepted", s)
		}
	}
	for b, want := range map[int64]string{512: "512 B", 1536: "1.5 KiB", 23 << 30: "23.0 GiB", 2309 << 30: "2.3 TiB", Inf: "8 EiB"} {
		if got := Format(b); got != want {
			t.Errorf("Format(%d) = %q, want %q", b, got, want)
		}
	}
}

func TestBudget(t *testing.T) {
	dir := t.TempDir()
	mi := filepath.Join(dir, "meminfo")
	os.WriteFile(mi, []byte("MemFree: 5 kB\nMemTotal:       24684084 kB\n"), 0o644)
	cg := filepath.Join(dir, "memory.max")
	env := ""
	defer func(a, b string, g func(string) string) { meminfoPath, cgroupPath, getenv = a, b, g }(meminfoPath, cgroupPath, getenv)
	meminfoPath, cgroupPath, getenv = mi, cg, func(string) string { return env }

	frac := func(x float64) int64 { return int64(Fraction * x) }
	b, err := Current()
	if err != nil || b.Bytes != frac(24684084*1024) || !strings.Contains(b.Source, "this machine has") {
		t.Errorf("budget %+v, %v", b, err)
	}
	os.WriteFile(cg, []byte("1073741824\n"), 0o644)
	if b, _ := Current(); b.Bytes != frac(1<<30) || !strings.Contains(b.Source, "cgroup") {
		t.Errorf("cgroup limit ignored: %+v", b)
	}
	os.WriteFile(cg, []byte("max\n"), 0o644)
	meminfoPath = filepath.Join(dir, "none")
	if b, _ := Current(); b.Bytes != frac(24<<30) || !strings.Contains(b.Source, "assumed") {
		t.Errorf("fallback: %+v", b)
	}
	env = "2GiB"
	if b, _ := Current(); b.Bytes != 2<<30 {
		t.Errorf("override: %+v", b)
	}
	err = Check("d=60000 p=16", Inf)
	var tl *TooLarge
	if !errors.As(err, &tl) || !strings.Contains(err.Error(), "d=60000 p=16: needs over 8 EiB of memory, more than the 2.0 GiB") ||
		!strings.Contains(err.Error(), "2.0 GiB lamcap may use") || strings.Contains(err.Error(), "\n") {
		t.Errorf("Check: %v", err)
	}
	if err := Check("wrapped", -2); err == nil || !strings.Contains(err.Error(), "over 8 EiB") {
		t.Errorf("a wrapped (negative) estimate passed: %v", err)
	}
	if err := Check("small", 1<<30); err != nil {
		t.Errorf("1 GiB refused under a 2 GiB budget: %v", err)
	}
	env = "plenty"
	if err := Check("x", 1); err == nil || !strings.Contains(err.Error(), EnvVar) {
		t.Errorf("malformed %s: %v", EnvVar, err)
	}
}
