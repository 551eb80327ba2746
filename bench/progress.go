package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"faultline/workloads/runner"
)

// progress prints the live progress of a run: one line rewritten in place
// on a terminal, plain lines every few seconds otherwise.
type progress struct {
	w     io.Writer
	tty   bool
	mu    sync.Mutex
	last  time.Time
	wrote bool
}

// plainEvery is the interval of plain progress lines.
const plainEvery = 5 * time.Second

func newProgress(w io.Writer) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) update(pr runner.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	line := fmt.Sprintf("[%s] %6.1fs", pr.Phase, pr.Elapsed.Seconds())
	if pr.Remaining > 0 {
		line += fmt.Sprintf(" (%.0fs left)", pr.Remaining.Seconds())
	}
	line += fmt.Sprintf("  %8.0f ops/s  %d ops  %d errors", pr.OpsPerSec, pr.Ops, pr.Errors)
	if len(pr.Faults) > 0 {
		line += "  faults: " + strings.Join(pr.Faults, ", ")
	}
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		p.wrote = true
		return
	}
	if now := time.Now(); now.Sub(p.last) >= plainEvery {
		p.last = now
		fmt.Fprintln(p.w, line)
	}
}

// done ends the in-place line.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.wrote {
		fmt.Fprintln(p.w)
	}
}
