package feasibility_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lamcap/lamcap/certificate"
	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// TestVerdictMemoryTrace prints where the memory of one verdict goes, for
// diagnostics: LAMCAP_MEMORY_TRACE="d:seed:p" decides the Gaussian coupled
// instance of p associations as the bracketing search does (the
// interior-point method, stopping at the first certified sign), then makes
// the certificate line a sweep's checkpoint saves (certificate.New, Checked,
// json.Marshal). At each iteration (lp.Options.Progress) and after each phase
// it prints the Go heap's objects and its goal (runtime/metrics), the
// collections so far, and the process's resident set now and at its peak
// (VmRSS, VmHWM of /proc/self/status). Skipped without the variable.
// LAMCAP_BLAS_THREADS sets the BLAS threads (one otherwise: TestMain). The
// figures of docs/benchmarks.md, "Where the d = 160 peak comes from", are its
// output.
func TestVerdictMemoryTrace(t *testing.T) {
	spec := os.Getenv("LAMCAP_MEMORY_TRACE")
	if spec == "" {
		t.Skip("set LAMCAP_MEMORY_TRACE=d:seed:p")
	}
	f := strings.Split(spec, ":")
	if len(f) != 3 {
		t.Fatalf("LAMCAP_MEMORY_TRACE=%q: want d:seed:p", spec)
	}
	d, err1 := strconv.Atoi(f[0])
	seed, err2 := strconv.ParseUint(f[1], 10, 64)
	p, err3 := strconv.Atoi(f[2])
	if err1 != nil || err2 != nil || err3 != nil {
		t.Fatalf("LAMCAP_MEMORY_TRACE=%q: want d:seed:p", spec)
	}
	t0 := time.Now()
	show := func(what string) {
		h, goal, gcs := heapNow()
		rss, hwm := residentKiB()
		t.Logf("%7.1fs %-24s heap %7.0f MiB  goal %7.0f MiB  gc %4d  rss %7.0f MiB  peak rss %7.0f MiB",
			time.Since(t0).Seconds(), what, mib(h), mib(goal), gcs, float64(rss)/1024, float64(hwm)/1024)
	}
	src := model.Random{D: d, Seed: seed, Kind: model.Coupled}
	in, err := model.NewInstance(src, p)
	if err != nil {
		t.Fatal(err)
	}
	show("instance")
	opts := lp.Options{Method: lp.MethodIPM, Stop: lp.StopVerdict, Eps: feasibility.DefaultEps,
		Progress: func(it int, tt, gap float64) { show("iteration " + strconv.Itoa(it)) }}
	v, err := feasibility.Decide(context.Background(), lp.NewSolver(in, opts), feasibility.DefaultEps)
	if err != nil {
		t.Fatal(err)
	}
	show("verdict " + string(v.Status))
	if !v.Certified {
		t.Fatalf("d=%d seed=%d p=%d: %s (%s)", d, seed, p, v.Status, v.Note)
	}
	c, err := certificate.New(certificate.Instance{Model: model.Coupled.String(), Embedding: model.Gaussian.String(), Seed: new(int64(seed))}, in, feasibility.DefaultEps, v)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Checked(in, feasibility.DefaultEps); err != nil {
		t.Fatal(err)
	}
	line, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	show("certificate line")
	t.Logf("d=%d seed=%d p=%d: %s in %d iterations; certificate line %.0f MiB", d, seed, p, v.Status, v.Iterations, mib(uint64(len(line))))
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// heapNow returns the bytes of the Go heap's objects, the heap goal and the
// collections so far.
func heapNow() (objects, goal, cycles uint64) {
	m := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/goal:bytes"}, {Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(m)
	return m[0].Value.Uint64(), m[1].Value.Uint64(), m[2].Value.Uint64()
}

// residentKiB returns the process's resident set and its peak (VmRSS, VmHWM)
// in KiB, or zeros where /proc/self/status cannot be read.
func residentKiB() (rss, hwm int64) {
	fh, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			hwm = n
		}
	}
	return rss, hwm
}
