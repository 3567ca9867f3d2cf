package main

import (
	"syscall"
	"testing"
	"time"
)

// TestSecondSignalKills: the first Ctrl-C cancels lamcap's context; a process
// stuck where it cannot notice (here a sweep paused after its first unit, as
// in a blocking open(2) of a named pipe) is then killed by the second one.
// Before, signal.NotifyContext swallowed every later SIGINT and SIGTERM, and
// only SIGKILL ended such a process. The deadline only catches a child that
// never ends.
func TestSecondSignalKills(t *testing.T) {
	cmd, lines := startChild(t, []string{"LAMCAP_PAUSE_AFTER=1"}, "sweep", "--d", "6", "--seeds", "1:2", "--model", "coupled", "--workers", "1", "--quiet", "--out", t.TempDir()+"/s")
	for _, want := range []string{"paused", "interrupted"} {
		select {
		case l := <-lines:
			if l != want {
				t.Fatalf("child: %q, want %q", l, want)
			}
		case <-time.After(time.Minute):
			t.Fatalf("child did not say %q within a minute", want)
		}
		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("still running a minute after a second SIGINT")
	}
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Errorf("child ended with %v, want killed by SIGINT", cmd.ProcessState)
	}
}
