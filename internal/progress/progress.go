// Package progress reports the progress of long work on a terminal or a log.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Bar reports units done on stderr: a redrawn bar when stderr is a terminal,
// a plain line every 30 seconds otherwise, nothing when quiet.
type Bar struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	quiet    bool
	t0       time.Time
	last     time.Time
	label    string
	finished bool
}

// New makes a Bar writing to w under label; quiet silences it.
func New(w io.Writer, label string, quiet bool) *Bar {
	return &Bar{w: w, tty: IsTerminal(w), quiet: quiet, t0: time.Now(), label: label}
}

// IsTerminal says whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil {
			return st.Mode()&os.ModeCharDevice != 0
		}
	}
	return false
}

// Update reports done of total units and the fraction work of the expected work.
func (p *Bar) Update(done, total int, work float64) {
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

// End finishes a bar left mid-line (after an interruption).
func (p *Bar) End() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && !p.quiet && !p.finished {
		fmt.Fprintln(p.w)
	}
}
