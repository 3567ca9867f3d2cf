package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/internal/testblas"
)

// TestMain lets the test binary act as lamcap for child-process tests, with
// main's handling of SIGINT and SIGTERM. With LAMCAP_FSIZE=N it can write no
// file beyond N bytes, as on a full disk. With LAMCAP_READY_FD=3 it writes one
// line to that descriptor once its signal handling is in place ("ready"), and
// "computing" when an interruptible call has started, "interrupted" once a
// first signal has cancelled its context (the second then kills it), and
// with LAMCAP_PAUSE_AFTER=K "paused" once a sweep has finished K units,
// then waits there until it is killed: the parent acts at known points, never
// after a sleep.
func TestMain(m *testing.M) {
	if os.Getenv("LAMCAP_AS_MAIN") == "1" {
		if n, err := strconv.ParseUint(os.Getenv("LAMCAP_FSIZE"), 10, 64); err == nil {
			if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
				panic(err)
			}
		}
		var ready *os.File
		if os.Getenv("LAMCAP_READY_FD") == "3" {
			ready = os.NewFile(3, "ready")
			interruptHook = func() { ready.WriteString("interrupted\n") }
		}
		ctx, stop := signalContext() // main's handling of SIGINT and SIGTERM
		defer stop()
		if ready != nil {
			ready.WriteString("ready\n")
			computeHook = func() { ready.WriteString("computing\n") }
			if k, err := strconv.Atoi(os.Getenv("LAMCAP_PAUSE_AFTER")); err == nil {
				unitHook = func(done int) {
					if done >= k {
						ready.WriteString("paused\n")
						select {} // until killed
					}
				}
			}
		}
		os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
	}
	testblas.Setup() // one BLAS thread for the in-process commands
	code := m.Run()
	cliRef.cleanup()
	os.Exit(code)
}

var gridArgs = []string{"--d", "6,7", "--seeds", "1:9", "--model", "coupled,decoupled", "--quiet", "--workers", "2"}

type key struct {
	u         experiment.Unit
	p, lo, hi int
	certified bool
}

func recordKeys(t *testing.T, dir string) map[experiment.Unit]key {
	t.Helper()
	recs, _, _, err := experiment.ReadRecords(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[experiment.Unit]key{}
	for _, r := range recs {
		if _, dup := out[r.Unit]; dup {
			t.Fatalf("%s: unit %+v recorded twice", dir, r.Unit)
		}
		out[r.Unit] = key{r.Unit, r.PStar, r.Lower, r.Upper, r.Certified}
	}
	return out
}

func sameRecords(t *testing.T, a, b map[experiment.Unit]key, what string) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d records vs %d", what, len(a), len(b))
	}
	for u, ka := range a {
		if kb, ok := b[u]; !ok || ka != kb {
			t.Errorf("%s: unit %+v: %+v vs %+v", what, u, ka, kb)
		}
	}
}

func sweepInto(t *testing.T, dir string, extra ...string) {
	t.Helper()
	args := append([]string{"sweep", "--out", dir}, gridArgs...)
	code, _, errs := runCLI(append(args, extra...)...)
	if code != 0 {
		t.Fatalf("sweep exit %d: %s", code, errs)
	}
}

func TestSweepResumeShardsMerge(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	tmp := t.TempDir()
	ref := filepath.Join(tmp, "ref")
	sweepInto(t, ref)
	want := recordKeys(t, ref)
	if len(want) != 36 {
		t.Fatalf("reference sweep has %d records, want 36", len(want))
	}
	for _, f := range []string{"summary.csv", "summary.json", "storable.png", "storable.svg", "capacity.png", "capacity.svg"} {
		if st, err := os.Stat(filepath.Join(ref, f)); err != nil || st.Size() == 0 {
			t.Errorf("missing output %s", f)
		}
	}

	t.Run("cancelled", func(t *testing.T) {
		dir := filepath.Join(tmp, "cancel")
		ctx, cancel := context.WithCancel(context.Background())
		// Cancelled once 5 units are saved, from inside the run: at most the
		// units in flight finish after it, whatever the load of the machine.
		unitHook = func(done int) {
			if done >= 5 {
				cancel()
			}
		}
		defer func() { unitHook = nil }()
		var out, errb strings.Builder
		code := run(ctx, append([]string{"sweep", "--out", dir}, gridArgs...), &out, &errb)
		cancel()
		if code != 130 {
			t.Fatalf("cancelled sweep exit %d (%s)", code, errb.String())
		}
		if n := len(recordKeys(t, dir)); n == 0 || n == 36 {
			t.Fatalf("cancelled sweep kept %d records; the test wants a partial run", n)
		}
		sweepInto(t, dir)
		sameRecords(t, recordKeys(t, dir), want, "resumed after cancel")
	})

	t.Run("killed", func(t *testing.T) {
		dir := filepath.Join(tmp, "kill")
		// The child pauses, holding the lock, once 3 units are saved: the
		// second run below meets it there however busy the machine is (it
		// used to wait on a timer, and under load the child had finished).
		cmd, lines := startChild(t, []string{"LAMCAP_PAUSE_AFTER=3"}, append([]string{"sweep", "--out", dir}, gridArgs...)...)
		if l := <-lines; l != "paused" {
			t.Fatalf("child sweep: %q, want it paused after 3 units", l)
		}
		// Run twice at once: the second process is refused at once, naming the first.
		code, out, errs := runCLI(append([]string{"sweep", "--out", dir}, gridArgs...)...)
		host, _ := os.Hostname()
		busy := "lamcap sweep: error: sweep directory " + dir + " is in use by another lamcap process (pid " +
			strconv.Itoa(cmd.Process.Pid) + " on " + host + ")\n"
		if code != 1 || errs != busy || out != "" {
			t.Errorf("second sweep on %s: exit %d, stderr %q, want exit 1 and %q", dir, code, errs, busy)
		}
		cmd.Process.Kill() // SIGKILL: no chance to clean up
		cmd.Wait()
		// Simulate a write torn by the kill.
		f, err := os.OpenFile(filepath.Join(dir, "records.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(`{"d":7,"model":"coupled","seed":4,"p_st`)
		f.Close()
		sweepInto(t, dir)
		sameRecords(t, recordKeys(t, dir), want, "resumed after kill -9")
	})

	t.Run("shards", func(t *testing.T) {
		var dirs []string
		for k := 1; k <= 3; k++ {
			d := filepath.Join(tmp, "shard", string(rune('0'+k)))
			sweepInto(t, d, "--shard", string(rune('0'+k))+"/3")
			dirs = append(dirs, d)
		}
		merged := filepath.Join(tmp, "merged")
		code, _, errs := runCLI(append([]string{"merge", "--out", merged}, dirs...)...)
		if code != 0 {
			t.Fatalf("merge exit %d: %s", code, errs)
		}
		sameRecords(t, recordKeys(t, merged), want, "merged shards")
		a, _ := os.ReadFile(filepath.Join(ref, "summary.csv"))
		b, _ := os.ReadFile(filepath.Join(merged, "summary.csv"))
		if stripTiming(string(a)) != stripTiming(string(b)) {
			t.Errorf("merged summary differs:\n%s\nvs\n%s", a, b)
		}
	})

	t.Run("resumes with another solver", func(t *testing.T) {
		before, _ := os.ReadFile(filepath.Join(ref, "records.jsonl"))
		sweepInto(t, ref, "--rows", "dense")
		after, _ := os.ReadFile(filepath.Join(ref, "records.jsonl"))
		if string(before) != string(after) {
			t.Errorf("a finished sweep re-run with --rows dense changed its records")
		}
	})

	t.Run("refuses another grid", func(t *testing.T) {
		code, _, errs := runCLI("sweep", "--out", ref, "--d", "6", "--seeds", "3", "--quiet")
		if code != 2 || !strings.Contains(errs, "different sweep") {
			t.Errorf("exit %d, %q", code, errs)
		}
	})
}

// startChild starts the test binary as lamcap with args and extra environment,
// and returns it with the lines it writes to its ready descriptor after its
// first "ready" (which startChild waits for: its signal handling is then in
// place). The channel is closed when the child closes the descriptor (exits).
func startChild(t *testing.T, env []string, args ...string) (*exec.Cmd, <-chan string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "LAMCAP_AS_MAIN=1", "LAMCAP_READY_FD=3"), env...)
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); r.Close() })
	lines := make(chan string, 4)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	if l := <-lines; l != "ready" {
		t.Fatalf("child %v: %q, want ready", args, l)
	}
	return cmd, lines
}

// stripTiming drops the last CSV column (mean seconds), which varies by machine.
func stripTiming(csv string) string {
	var b strings.Builder
	for _, line := range strings.Split(csv, "\n") {
		if i := strings.LastIndex(line, ","); i >= 0 {
			line = line[:i]
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// lamcap capacity's defaults are experiment.MainJob: the same grid, seeds 1..40.
func TestCapacityRunsTheMainJob(t *testing.T) {
	var f sweepFlags
	fs := capacityFlags(&f)
	if err := fs.parse(nil, io.Discard); err != nil {
		t.Fatal(err)
	}
	sw, err := f.settings()
	if err != nil {
		t.Fatal(err)
	}
	got, err := sw.Grid()
	if err != nil {
		t.Fatal(err)
	}
	want, err := experiment.MainJob().Grid()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("capacity's default grid %+v, want experiment.MainJob's %+v", got, want)
	}
	if got.SeedFirst != 1 || got.SeedLast != 40 {
		t.Errorf("capacity runs seeds %d..%d, want 1..40", got.SeedFirst, got.SeedLast)
	}
}
