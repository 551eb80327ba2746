package maelstrom

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"faultline/system/backend/nodeproc"
	"faultline/system/maelstrom"
)

// drainGrace bounds how long a life that ended waits for the rest of its
// stdout: normally EOF comes as soon as its process group is gone, but a
// process that escaped the group may hold the pipe open.
const drainGrace = 2 * time.Second

// life is one process of a Node: the parent's ends of its pipes, the
// goroutines that serve them, and its init handshake. It ends once its
// process exited (or never started): the writer stops, the reader drains
// stdout to EOF, and the Node takes no more deliveries until the next
// life.
type life struct {
	n       *Node
	num     int64 // this life's init msg_id
	queue   chan maelstrom.Message
	in, out *os.File // the parent's ends: stdin's writer, stdout's reader

	proc    *nodeproc.Proc // set by bind, before any handshake
	waiting atomic.Bool    // replies to HarnessID answer init while true
	initRes chan error     // the answer to init (nil for init_ok), once

	stop         chan struct{} // closed when the life ends: the writer stops
	wdone, rdone chan struct{} // closed when the writer, the reader return
	once         sync.Once
}

// begin starts a new life: pipes for a process about to start, with init
// queued as the first message of its stdin. It returns the child's ends
// (nodeproc.SetConfig.Stdio). The previous life, whose process is gone,
// is ended first.
func (n *Node) begin() (stdin, stdout *os.File, err error) {
	n.down()
	childIn, in, err := os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("node %s: stdin pipe: %w", n.cfg.ID, err)
	}
	out, childOut, err := os.Pipe()
	if err != nil {
		childIn.Close()
		in.Close()
		return nil, nil, fmt.Errorf("node %s: stdout pipe: %w", n.cfg.ID, err)
	}
	l := &life{n: n, num: n.lives.Add(1), queue: make(chan maelstrom.Message, n.cfg.Queue), in: in, out: out,
		initRes: make(chan error, 1), stop: make(chan struct{}), wdone: make(chan struct{}), rdone: make(chan struct{})}
	l.queue <- n.initMessage(l.num)
	n.stats.delivered.Add(1)
	l.waiting.Store(true)
	n.mu.Lock()
	n.last = l
	n.mu.Unlock()
	n.wg.Add(1)
	go l.write()
	go l.read()
	n.cur.Store(l)
	return childIn, childOut, nil
}

// initMessage is the init the harness sends a new life.
func (n *Node) initMessage(num int64) maelstrom.Message {
	body, _ := json.Marshal(struct { // plain fields always marshal
		Type    string   `json:"type"`
		MsgID   int64    `json:"msg_id"`
		NodeID  string   `json:"node_id"`
		NodeIDs []string `json:"node_ids"`
	}{"init", num, n.cfg.ID, n.cfg.IDs})
	return maelstrom.Message{Src: HarnessID, Dest: n.cfg.ID, Body: body}
}

// bind tells the latest life which process it serves
// (nodeproc.SetConfig.Started): the life ends when that process exits.
func (n *Node) bind(p *nodeproc.Proc) {
	n.mu.Lock()
	l := n.last
	n.mu.Unlock()
	l.proc = p
	n.stats.starts.Add(1)
	go func() {
		<-p.Done()
		l.end()
	}()
}

// down ends the latest life, whose process is gone or never started, and
// returns once its pipes are closed and its goroutines returned.
func (n *Node) down() {
	n.mu.Lock()
	l := n.last
	n.mu.Unlock()
	if l != nil {
		l.end()
	}
}

// wait returns once every life of the node ended.
func (n *Node) wait() { n.wg.Wait() }

// end ends the life (once; concurrent callers wait for the first).
func (l *life) end() {
	l.once.Do(func() {
		defer l.n.wg.Done()
		l.n.cur.CompareAndSwap(l, nil)
		close(l.stop)
		l.in.Close() // unblocks a writer stuck on a full pipe
		<-l.wdone
		t := time.NewTimer(drainGrace)
		defer t.Stop()
		select {
		case <-l.rdone:
		case <-t.C:
			l.n.problem(fmt.Errorf("node %s: stdout still open %v after its process exited (a process outside its group holds it); closed", l.n.cfg.ID, drainGrace))
		}
		l.out.Close()
		<-l.rdone
	})
}

// write feeds the node's stdin from the queue until the life ends,
// flushing whenever the queue is empty. After a failed write (the process
// closed stdin or died) it goes on taking messages off the queue without
// writing them, so that deliveries are not mistaken for a slow node.
func (l *life) write() {
	defer close(l.wdone)
	w := bufio.NewWriterSize(l.in, 64<<10)
	var buf []byte
	var broken error
	for {
		var m maelstrom.Message
		select {
		case m = <-l.queue:
		case <-l.stop:
			return
		}
		if broken != nil {
			continue
		}
		buf = appendLine(buf[:0], m)
		_, err := w.Write(buf)
		if err == nil && len(l.queue) == 0 {
			err = w.Flush()
		}
		if err != nil {
			broken = err
			select {
			case <-l.stop: // the process is gone: nothing to report
			default:
				l.n.problem(fmt.Errorf("node %s: stdin: %w", l.n.cfg.ID, err))
			}
			continue
		}
		l.n.stats.written.Add(1)
	}
}

// read passes the node's stdout on, line by line, until EOF (or until
// end closes the pipe).
func (l *life) read() {
	defer close(l.rdone)
	lr := maelstrom.NewLineReader(l.out, l.n.cfg.MaxLine)
	for {
		line, err := lr.Next()
		if errors.Is(err, maelstrom.ErrLineTooLong) {
			l.n.problem(fmt.Errorf("node %s: stdout: %w", l.n.cfg.ID, err))
			continue
		}
		if err != nil {
			return
		}
		l.handle(line)
	}
}

// handle passes on one line of stdout, or records why it cannot.
func (l *life) handle(line []byte) {
	n := l.n
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return
	}
	m, h, err := maelstrom.DecodeMessage(line)
	if err != nil {
		n.problem(fmt.Errorf("node %s wrote a line that is not a Maelstrom message (%w): %q", n.cfg.ID, err, head(line)))
		return
	}
	if m.Src != n.cfg.ID {
		n.problem(fmt.Errorf("node %s wrote a message with src %q, not its own id: %q", n.cfg.ID, m.Src, head(line)))
		return
	}
	if m.Dest == HarnessID && l.waiting.Load() {
		l.waiting.Store(false)
		l.initRes <- l.initAnswer(h, m.Body, line)
		return
	}
	n.stats.received.Add(1)
	n.cfg.Net.Send(m)
}

// initAnswer judges the node's first message to the harness while it
// waits for init_ok.
func (l *life) initAnswer(h maelstrom.Header, body json.RawMessage, line []byte) error {
	id := l.n.cfg.ID
	switch {
	case h.InReplyTo == nil || *h.InReplyTo != l.num:
		return fmt.Errorf("node %s answered init (msg_id %d) with a message that is no reply to it: %q", id, l.num, head(line))
	case h.Type == "init_ok":
		return nil
	case h.Type == "error":
		var e maelstrom.ErrorBody
		_ = json.Unmarshal(body, &e) // a body that is an object; a bad code reads as 0
		return fmt.Errorf("node %s refused init: %w", id, &maelstrom.RPCError{Code: e.Code, Text: e.Text})
	default:
		return fmt.Errorf("node %s answered init with %q, not init_ok: %q", id, h.Type, head(line))
	}
}

// handshake waits for the latest life's answer to init: nil for init_ok,
// else an error naming the node and what it did (answered something
// else, exited, stayed silent past timeout), with the end of its stderr.
func (n *Node) handshake(ctx context.Context, timeout time.Duration) error {
	n.mu.Lock()
	l := n.last
	n.mu.Unlock()
	t := time.NewTimer(timeout)
	defer t.Stop()
	var err error
	select {
	case err = <-l.initRes:
	case <-l.proc.Done():
		// It may have answered before it exited: read stdout to its end.
		select {
		case <-l.rdone:
		case <-t.C:
		}
		select {
		case err = <-l.initRes:
		default:
			err = fmt.Errorf("node %s exited before it answered init (%v)", n.cfg.ID, describeExit(l.proc.Err()))
		}
	case <-t.C:
		err = fmt.Errorf("node %s did not answer init within %v", n.cfg.ID, timeout)
	case <-ctx.Done():
		err = fmt.Errorf("node %s: waiting for init_ok: %w", n.cfg.ID, ctx.Err())
	}
	if err != nil {
		return fmt.Errorf("%w%s", err, n.explain())
	}
	n.stats.inits.Add(1)
	return nil
}

// describeExit says how a process ended (nodeproc.Proc.Err).
func describeExit(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}
