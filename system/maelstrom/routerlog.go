package maelstrom

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sync/atomic"
	"time"
)

// Bounds of the router's message log (RouterConfig.LogSend, LogRecv).
const (
	// NetLogQueue bounds the lines waiting for the log's writer; lines
	// beyond it are dropped and counted (Router.NetLogDropped).
	NetLogQueue = 4096
	// NetLogBody bounds the body bytes a line quotes; the rest is cut.
	NetLogBody = 1024
	// netLogFlushWait bounds how long Close waits for the writer to
	// finish the queued lines.
	netLogFlushWait = 2 * time.Second
)

// netLog writes the router's message log: a line per message sent or
// delivered, written by its own goroutine, so that a slow writer never
// slows the router: the router hands lines over without blocking, and
// drops (and counts) those that find the queue full.
type netLog struct {
	send, recv bool
	lines      chan netLine
	dropped    atomic.Int64
	stop, done chan struct{}
}

// netLine is one line of the message log.
type netLine struct {
	at        time.Duration // since the router's start
	recv      bool
	src, dest string
	body      []byte // the head of the body, copied
	size      int    // the body's whole length
	fate      DropCause
	dup       bool
}

// newNetLog starts the message log of cfg onto w, or returns nil when cfg
// logs nothing.
func newNetLog(cfg RouterConfig, w io.Writer) *netLog {
	if !cfg.LogSend && !cfg.LogRecv {
		return nil
	}
	l := &netLog{send: cfg.LogSend, recv: cfg.LogRecv, lines: make(chan netLine, NetLogQueue),
		stop: make(chan struct{}), done: make(chan struct{})}
	go l.write(bufio.NewWriter(w))
	return l
}

// add queues a line for m, or counts it dropped when the queue is full.
func (l *netLog) add(at time.Duration, recv bool, m *Message, fate DropCause, dup bool) {
	n := min(len(m.Body), NetLogBody)
	line := netLine{at: at, recv: recv, src: m.Src, dest: m.Dest, body: append([]byte(nil), m.Body[:n]...),
		size: len(m.Body), fate: fate, dup: dup}
	select {
	case l.lines <- line:
	default:
		l.dropped.Add(1)
	}
}

// write is the log's goroutine: it writes lines as they come, flushing
// whenever the queue runs empty, until close.
func (l *netLog) write(w *bufio.Writer) {
	defer close(l.done)
	var buf []byte
	put := func(line netLine) {
		buf = line.append(buf[:0])
		_, _ = w.Write(buf) // a failing log writer must not stop the router
	}
	for {
		select {
		case line := <-l.lines:
			put(line)
			if len(l.lines) == 0 {
				_ = w.Flush()
			}
		case <-l.stop:
			for {
				select {
				case line := <-l.lines:
					put(line)
				default:
					if n := l.dropped.Load(); n > 0 {
						fmt.Fprintf(w, "net: %d message log lines dropped: the log's writer was too slow\n", n)
					}
					_ = w.Flush()
					return
				}
			}
		}
	}
}

// close writes what is queued and stops the log, waiting at most
// netLogFlushWait for a slow writer.
func (l *netLog) close() {
	close(l.stop)
	select {
	case <-l.done:
	case <-time.After(netLogFlushWait):
	}
}

// append formats the line: "net 1.234567s send" or "recv", the message as
// its JSON line (a body longer than NetLogBody cut, saying how long it
// was), and a send's fate when the router dropped or duplicated it.
func (line *netLine) append(b []byte) []byte {
	verb := "send"
	if line.recv {
		verb = "recv"
	}
	b = fmt.Appendf(b, "net %.6fs %s {\"src\":", line.at.Seconds(), verb)
	b = appendJSONString(b, line.src)
	b = append(b, `,"dest":`...)
	b = appendJSONString(b, line.dest)
	b = append(b, `,"body":`...)
	b = append(b, line.body...)
	if line.size > len(line.body) {
		b = fmt.Appendf(b, "... (cut: %d bytes)", line.size)
	} else {
		b = append(b, '}')
	}
	switch {
	case line.fate != "":
		b = append(b, " dropped: "...)
		b = append(b, line.fate...)
	case line.dup:
		b = append(b, " duplicated"...)
	}
	return append(b, '\n')
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	q, err := json.Marshal(s)
	if err != nil { // a string always marshals
		return append(b, `""`...)
	}
	return append(b, q...)
}
