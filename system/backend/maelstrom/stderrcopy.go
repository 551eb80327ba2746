package maelstrom

import (
	"bytes"
	"io"
	"os"
	"time"
)

// Bounds of the copy of the nodes' stderr (option log-stderr).
const (
	// stderrPoll is how often the copy looks for new lines in the logs.
	stderrPoll = 50 * time.Millisecond
	// stderrChunk bounds what one look reads of one log.
	stderrChunk = 1 << 20
	// stderrLine bounds a copied line; a longer one is copied in pieces.
	stderrLine = 64 << 10
)

// stderrCopy copies every line the nodes write to their stderr (their log
// files, which it follows as they grow, across restarts) to w, each
// prefixed by the node's id ("n1: ..."), as Maelstrom's --log-stderr shows
// them on its console. Its one goroutine polls the logs, so that a node's
// pipes never wait on w.
type stderrCopy struct {
	w     io.Writer
	logs  []*followedLog
	stop  chan struct{}
	done  chan struct{}
	chunk []byte
}

// followedLog is one node's log and how far the copy has read it.
type followedLog struct {
	id, path string
	f        *os.File // nil until the file exists
	partial  []byte   // a line not yet ended
}

// startStderrCopy starts copying the logs at paths of the nodes ids to w.
func startStderrCopy(w io.Writer, ids, paths []string) *stderrCopy {
	c := &stderrCopy{w: w, stop: make(chan struct{}), done: make(chan struct{}), chunk: make([]byte, stderrChunk)}
	for i, id := range ids {
		c.logs = append(c.logs, &followedLog{id: id, path: paths[i]})
	}
	go c.run()
	return c
}

func (c *stderrCopy) run() {
	defer close(c.done)
	t := time.NewTicker(stderrPoll)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			c.pass(false)
		case <-c.stop:
			c.pass(true)
			for _, l := range c.logs {
				if l.f != nil {
					l.f.Close()
				}
			}
			return
		}
	}
}

// pass copies what every log gained since the last pass; the last pass
// reads each to its end and copies unended lines too.
func (c *stderrCopy) pass(last bool) {
	for _, l := range c.logs {
		if l.f == nil {
			f, err := os.Open(l.path)
			if err != nil {
				continue
			}
			l.f = f
		}
		for {
			n, _ := l.f.Read(c.chunk)
			if n == 0 {
				break
			}
			c.lines(l, c.chunk[:n])
			if !last {
				break
			}
		}
		if last && len(l.partial) > 0 {
			c.emit(l, l.partial)
			l.partial = l.partial[:0]
		}
	}
}

// lines copies the ended lines of l's new bytes b and keeps the rest.
func (c *stderrCopy) lines(l *followedLog, b []byte) {
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			break
		}
		if len(l.partial) > 0 {
			c.emit(l, append(l.partial, b[:i]...))
			l.partial = l.partial[:0]
		} else {
			c.emit(l, b[:i])
		}
		b = b[i+1:]
	}
	l.partial = append(l.partial, b...)
	if n := len(l.partial) / stderrLine * stderrLine; n > 0 {
		c.emit(l, l.partial[:n])
		l.partial = append(l.partial[:0], l.partial[n:]...)
	}
}

// emit writes one line of l, prefixed by its node's id, in pieces of at
// most stderrLine bytes.
func (c *stderrCopy) emit(l *followedLog, line []byte) {
	for {
		piece := line[:min(len(line), stderrLine)]
		out := make([]byte, 0, len(l.id)+len(piece)+3)
		out = append(append(append(append(out, l.id...), ": "...), piece...), '\n')
		_, _ = c.w.Write(out) // the terminal's errors cannot stop the nodes
		if line = line[len(piece):]; len(line) == 0 {
			return
		}
	}
}

// close copies what is left and stops.
func (c *stderrCopy) close() {
	close(c.stop)
	<-c.done
}
