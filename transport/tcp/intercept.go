package tcp

import (
	"fmt"
	"sync"
	"time"

	"faultline/transport"
)

// interceptor applies link faults to the messages of one Client. A Client
// has one only when its Config names a fault table (Config.Faults); without
// it the client's path is a plain RPC client and a nil check, and with it
// a healthy table costs one atomic load per message (Faults.active).
type interceptor interface {
	// refuse returns the error that fails a call before it is sent (its
	// link's connections are reset), or nil.
	refuse() error
	// send takes request id, registered on cc, and sends it as its link's
	// faults say (later, twice, once a stall lifts, or never); it reports
	// false, having done nothing, when the link is healthy.
	send(cc *clientConn, id uint64, req *buffer) bool
	// receive takes reply frame f, read from cc, and delivers it as the
	// reverse link's faults say; it reports false, having done nothing,
	// when the link is healthy. It must copy what it keeps of f.
	receive(cc *clientConn, f frame) bool
	// closeHold returns how long a failing connection of the link looks
	// open first (a slow-close fault), or zero.
	closeHold() time.Duration
	// slowClose closes cc's socket now and fails cc with err once hold has
	// passed (at once if the client is closing).
	slowClose(cc *clientConn, hold time.Duration, err error)
	// close unregisters from the table, cancels pending delays and drops
	// held messages. The delayed functions already running are counted in
	// the client's WaitGroup.
	close()
}

// faultLink is the interceptor of a Client with a fault table: the
// Client's link is node -> peer (requests) and peer -> node (replies).
type faultLink struct {
	f          *Faults
	c          *Client
	node, peer string

	mu     sync.Mutex // guards the fields below
	timers map[uint64]*time.Timer
	seq    uint64
	held   map[<-chan struct{}][]func() // messages held by a stall, in order, by the stall's lifted channel
	closed bool
	stop   chan struct{} // closed by close: held messages are dropped
}

var _ interceptor = (*faultLink)(nil)

// newFaultLink returns c's interceptor over f, registered so that resets
// reach c's connections.
func newFaultLink(f *Faults, c *Client, node, peer string) *faultLink {
	fl := &faultLink{f: f, c: c, node: node, peer: peer,
		timers: map[uint64]*time.Timer{}, held: map[<-chan struct{}][]func(){}, stop: make(chan struct{})}
	f.register(fl)
	return fl
}

// resetError is the error of a call on a link whose connections are
// reset.
func (fl *faultLink) resetError(from, to string) error {
	return fmt.Errorf("%w: %s: connection reset on link %s -> %s", transport.ErrUnreachable, fl.peer, from, to)
}

func (fl *faultLink) refuse() error {
	if fl.f.resetting(fl.node, fl.peer) {
		return fl.resetError(fl.node, fl.peer)
	}
	return nil
}

func (fl *faultLink) send(cc *clientConn, id uint64, req *buffer) bool {
	v, faulty := fl.f.judge(fl.node, fl.peer, true, len(req.b))
	if faulty {
		fl.sendFaulty(cc, id, req, v)
	}
	return faulty
}

// sendFaulty sends request id through a faulty link: late, twice, once a
// stall lifts, or not at all (blocked or dropped: the call then fails as
// lost, unless its deadline comes first; reset: it fails at once).
func (fl *faultLink) sendFaulty(cc *clientConn, id uint64, req *buffer, v verdict) {
	switch {
	case v.reset:
		putBuffer(req)
		cc.failCall(id, fl.resetError(fl.node, fl.peer))
		return
	case v.stalled != nil:
		// Judged again, and sent on, once the stall lifts.
		if !fl.hold(v.stalled, func() {
			if !fl.send(cc, id, req) {
				cc.w.send(req)
			}
		}) {
			putBuffer(req)
		}
		return
	case v.blocked || v.drop:
		putBuffer(req)
		fl.loseLater(cc, id, v, fl.node, fl.peer)
		return
	}
	if v.dup {
		dup := getBuffer()
		dup.b = append(dup.b[:0], req.b...)
		fl.sendAfter(cc, dup, v.dupWait)
	}
	fl.sendAfter(cc, req, v.delay)
}

func (fl *faultLink) sendAfter(cc *clientConn, req *buffer, d time.Duration) {
	if d <= 0 {
		cc.w.send(req)
		return
	}
	if !fl.after(d, func() { cc.w.send(req) }) {
		putBuffer(req)
	}
}

func (fl *faultLink) receive(cc *clientConn, f frame) bool {
	v, faulty := fl.f.judge(fl.peer, fl.node, false, replySize(f))
	if !faulty {
		return false
	}
	if v.reset {
		cc.reset(fl.resetError(fl.peer, fl.node)) // the read fails next
		return true
	}
	body := getBuffer()
	body.b = append(body.b[:0], f.body...)
	fl.deliver(cc, f.typ, f.id, body, v)
	return true
}

// deliver applies a faulty reverse link's verdict to one reply, whose body
// it owns: a reset fails the connection; a dropped or blocked reply is
// discarded and its call fails as lost; a stalled one waits for the stall
// to lift and is judged again; a delayed one is delivered later.
func (fl *faultLink) deliver(cc *clientConn, typ frameType, id uint64, body *buffer, v verdict) {
	complete := func() {
		cc.complete(frame{typ: typ, id: id, body: body.b})
		putBuffer(body)
	}
	switch {
	case v.reset:
		putBuffer(body)
		cc.reset(fl.resetError(fl.peer, fl.node))
	case v.stalled != nil:
		redeliver := func() {
			size := replySize(frame{body: body.b})
			if v, faulty := fl.f.judge(fl.peer, fl.node, false, size); faulty {
				fl.deliver(cc, typ, id, body, v)
				return
			}
			complete()
		}
		if !fl.hold(v.stalled, redeliver) {
			putBuffer(body)
		}
	case v.blocked || v.drop:
		putBuffer(body)
		fl.loseLater(cc, id, v, fl.peer, fl.node)
	default:
		if !fl.after(v.delay, complete) {
			putBuffer(body)
		}
	}
}

// loseLater fails call id with transport.ErrUnreachable after v.delay, the
// fate of a call whose request or reply was lost on the link from -> to.
func (fl *faultLink) loseLater(cc *clientConn, id uint64, v verdict, from, to string) {
	how := "dropped"
	if v.blocked {
		how = "blocked"
	}
	fl.after(v.delay, func() {
		cc.failCall(id, fmt.Errorf("%w: %s: message %s on link %s -> %s", transport.ErrUnreachable, fl.peer, how, from, to))
	})
}

func (fl *faultLink) closeHold() time.Duration { return fl.f.slowClose(fl.node, fl.peer) }

func (fl *faultLink) slowClose(cc *clientConn, hold time.Duration, err error) {
	_ = cc.nc.Close()
	fl.c.log.Debug("tcp: connection closing slowly", "peer", fl.peer, "addr", fl.c.addr, "hold", hold, "reason", err)
	if !fl.after(hold, func() { cc.failNow(err) }) {
		cc.failNow(err) // the client is closing
	}
}

// after runs fn in its own goroutine after d, unless the client closes
// first. It reports false (and never runs fn) if the client has closed.
func (fl *faultLink) after(d time.Duration, fn func()) bool {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	if fl.closed {
		return false
	}
	fl.seq++
	key := fl.seq
	fl.c.wg.Add(1)
	fl.timers[key] = time.AfterFunc(d, func() {
		defer fl.c.wg.Done()
		fl.mu.Lock()
		delete(fl.timers, key)
		fl.mu.Unlock()
		fn()
	})
	return true
}

// hold runs fn once lifted is closed, after the functions held on it
// before, unless the client closes first. It reports false (and never runs
// fn) if the client has closed.
func (fl *faultLink) hold(lifted <-chan struct{}, fn func()) bool {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	if fl.closed {
		return false
	}
	q, waiting := fl.held[lifted]
	fl.held[lifted] = append(q, fn)
	if !waiting {
		fl.c.wg.Add(1)
		go fl.release(lifted)
	}
	return true
}

// release waits for a stall to lift and runs what it held, in order.
func (fl *faultLink) release(lifted <-chan struct{}) {
	defer fl.c.wg.Done()
	select {
	case <-lifted:
	case <-fl.stop:
		return
	}
	fl.mu.Lock()
	fns := fl.held[lifted]
	delete(fl.held, lifted)
	fl.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

func (fl *faultLink) close() {
	fl.f.unregister(fl)
	fl.mu.Lock()
	fl.closed = true
	close(fl.stop)
	for key, t := range fl.timers {
		if t.Stop() {
			fl.c.wg.Done()
		}
		delete(fl.timers, key)
	}
	fl.mu.Unlock()
}
