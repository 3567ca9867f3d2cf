package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progress reports units done on stderr: a redrawn bar when stderr is a terminal,
// a plain line every 30 seconds otherwise, nothing when quiet.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	quiet    bool
	t0       time.Time
	last     time.Time
	label    string
	finished bool
}

func newProgress(w io.Writer, label string, quiet bool) *progress {
	return &progress{w: w, tty: isTerminal(w), quiet: quiet, t0: time.Now(), label: label}
}

// isTerminal says whether w is a terminal.
func isTerminal(w io.Writer) bool {
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil {
			return st.Mode()&os.ModeCharDevice != 0
		}
	}
	return false
}

func (p *progress) update(done, total int, work float64) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	el := now.Sub(p.t0)
	eta := "?"
	if work > 0 && done < total {
		eta = time.Duration(float64(el) / work * (1 - work)).Round(time.Second).String()
	} else if done == total {
		eta = "0s"
	}
	if p.tty {
		width := 30
		fill := 0
		if total > 0 {
			fill = done * width / total
		}
		fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d  elapsed %s  eta %s ", p.label, strings.Repeat("#", fill),
			strings.Repeat(".", width-fill), done, total, el.Round(time.Second), eta)
		if done == total {
			fmt.Fprintln(p.w)
			p.finished = true
		}
		return
	}
	if now.Sub(p.last) >= 30*time.Second || done == total {
		p.last = now
		fmt.Fprintf(p.w, "%s: %d/%d units done, elapsed %s, eta %s\n", p.label, done, total, el.Round(time.Second), eta)
	}
}

// end finishes a bar left mid-line (after an interruption).
func (p *progress) end() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && !p.quiet && !p.finished {
		fmt.Fprintln(p.w)
	}
}
