package dirlock

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A child process that holds a lock until killed.
func TestMain(m *testing.M) {
	if path := os.Getenv("DIRLOCK_HOLD"); path != "" {
		if _, err := Acquire(filepath.Dir(path), path); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		fmt.Println("held")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestSecondAcquireIsRefusedWithHolder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lock")
	l, err := Acquire(dir, path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(dir, path)
	var busy *BusyError
	if !errors.As(err, &busy) {
		t.Fatalf("second Acquire: %v, want a BusyError", err)
	}
	host, _ := os.Hostname()
	if busy.PID != os.Getpid() || busy.Host != host {
		t.Errorf("holder pid %d on %q, want %d on %q", busy.PID, busy.Host, os.Getpid(), host)
	}
	want := fmt.Sprintf("sweep directory %s is in use by another lamcap process (pid %d on %s)", dir, os.Getpid(), host)
	if err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	l2, err := Acquire(dir, path)
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	l2.Release()
}

// The kernel releases the lock of a process killed with SIGKILL.
func TestKilledHolderReleases(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lock")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DIRLOCK_HOLD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if n, _ := out.Read(buf); !strings.HasPrefix(string(buf[:n]), "held") {
		t.Fatalf("child says %q", buf[:n])
	}
	_, err = Acquire(dir, path)
	var busy *BusyError
	if !errors.As(err, &busy) || busy.PID != cmd.Process.Pid {
		t.Fatalf("while the child holds the lock: %v, want busy with pid %d", err, cmd.Process.Pid)
	}
	cmd.Process.Kill()
	cmd.Wait()
	l, err := Acquire(dir, path)
	if err != nil {
		t.Fatalf("after kill -9 of the holder: %v", err)
	}
	l.Release()
	b, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(b), fmt.Sprint(os.Getpid())+" ") {
		t.Errorf("lock file says %q, want this process", b)
	}
}
