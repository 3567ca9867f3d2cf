package main

import (
	"syscall"
	"testing"
	"time"
)

// TestLongCommandsStopOnSignal: commands whose library calls take no context
// (the rules study within a seed, theory's saddle-point Monte Carlo) stop on
// SIGTERM and SIGINT with exit status 130. Before, they ignored both and ran
// on for hours. Each child is signalled once its long call has started; the
// deadline only catches a child that never stops.
func TestLongCommandsStopOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	for _, c := range []struct {
		sig  syscall.Signal
		args []string
	}{
		{syscall.SIGTERM, []string{"rules", "--d", "8", "--pmax", "3000", "--seeds", "1:1"}},
		{syscall.SIGINT, []string{"theory", "--saddle", "30", "--samples", "1000000"}},
	} {
		cmd, lines := startChild(t, nil, c.args...)
		select {
		case l := <-lines:
			if l != "computing" {
				t.Fatalf("%v: %q, want computing", c.args, l)
			}
		case <-time.After(time.Minute):
			t.Fatalf("%v: did not start its long call within a minute", c.args)
		}
		if err := cmd.Process.Signal(c.sig); err != nil {
			t.Fatal(err)
		}
		done := make(chan int, 1)
		go func() {
			ps, err := cmd.Process.Wait()
			if err != nil {
				done <- -1
				return
			}
			done <- ps.ExitCode()
		}()
		var code int
		select {
		case code = <-done:
		case <-time.After(time.Minute):
			t.Fatalf("%v: still running a minute after %v", c.args, c.sig)
		}
		if code != 130 {
			t.Errorf("%v: exit %d after %v, want 130", c.args, code, c.sig)
		}
	}
}
