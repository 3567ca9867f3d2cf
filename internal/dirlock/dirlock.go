// Package dirlock gives a directory to one process at a time, with an exclusive
// flock(2) on a file inside it. The kernel releases the lock when the holder
// exits, however it exits (kill -9 included), so a stale lock never blocks a
// later run. The file holds the holder's pid and host, for the message that
// refuses a second process; it stays in the directory after release.
package dirlock

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

// Lock is a held directory lock.
type Lock struct{ f *os.File }

// BusyError refuses a directory that another process holds.
type BusyError struct {
	Dir  string
	PID  int    // 0 when the lock file does not say
	Host string // "" when the lock file does not say
	// Kind names what the directory is, for the message (the caller sets
	// it: "vocabulary study directory"); "" is a sweep directory.
	Kind string
}

func (e *BusyError) Error() string {
	pid, host := "unknown", e.Host
	if e.PID > 0 {
		pid = strconv.Itoa(e.PID)
	}
	if host == "" {
		host = "unknown host"
	}
	kind := e.Kind
	if kind == "" {
		kind = "sweep directory"
	}
	return fmt.Sprintf("%s %s is in use by another lamcap process (pid %s on %s)", kind, e.Dir, pid, host)
}

// Acquire takes the lock file path (created if missing) for directory dir
// without waiting: if another process holds it, the error is a *BusyError.
// The same process opening the lock twice is refused too.
func Acquire(dir, path string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	err = flock(f, syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		pid, host := holder(f)
		f.Close()
		return nil, &BusyError{Dir: dir, PID: pid, Host: host}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	host, _ := os.Hostname()
	// Write over the old holder first and cut the rest after, so that a reader
	// always finds a whole first line.
	line := []byte(fmt.Sprintf("%d %s\n", os.Getpid(), host))
	if _, err := f.WriteAt(line, 0); err == nil {
		err = f.Truncate(int64(len(line)))
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	return &Lock{f}, nil
}

// Release releases the lock. The lock file stays.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			return err
		}
	}
}

// holder reads "PID HOST" from the lock file, waiting briefly for a holder that
// has just taken the lock to write it.
func holder(f *os.File) (int, string) {
	buf := make([]byte, 512)
	for try := 0; try < 50; try++ {
		n, _ := f.ReadAt(buf, 0)
		line, _, _ := bytes.Cut(buf[:n], []byte("\n"))
		pid, host, ok := bytes.Cut(line, []byte(" "))
		if p, err := strconv.Atoi(string(pid)); ok && err == nil && p > 0 && len(host) > 0 {
			return p, string(host)
		}
		time.Sleep(2 * time.Millisecond)
	}
	return 0, ""
}
