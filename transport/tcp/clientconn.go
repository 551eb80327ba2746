package tcp

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"

	"faultline/transport"
	"faultline/transport/wire"
)

// clientConn is one connection of a Client's pool: a writer goroutine
// sending requests and a reader goroutine matching replies to pending calls
// by request id.
type clientConn struct {
	c      *Client
	nc     net.Conn
	w      *connWriter
	nextID atomic.Uint64
	done   chan struct{} // closed by fail
	dead   atomic.Bool   // fail has run

	pending pendingTable
	sweeper sweeper // times out the Call-form calls

	mu      sync.Mutex
	err     error // why the connection failed; set once, under mu
	closing bool  // a slow close is under way (see fail); under mu
}

func newClientConn(c *Client, nc net.Conn) *clientConn {
	done := make(chan struct{})
	cc := &clientConn{
		c:    c,
		nc:   nc,
		w:    newConnWriter(nc, done),
		done: done,
	}
	cc.sweeper.init(cc, c.cfg.CallTimeout)
	return cc
}

// start runs the connection's reader and writer goroutines, counted in the
// client's WaitGroup.
func (cc *clientConn) start() {
	cc.c.wg.Add(2)
	go func() {
		defer cc.c.wg.Done()
		// After a failed write the writer drops the frames sent to it:
		// during a slow close the connection still takes calls.
		if err := cc.w.run(); err != nil {
			cc.fail(fmt.Errorf("%w: write to %s: %w", transport.ErrUnreachable, cc.c.name, err))
		}
	}()
	go func() {
		defer cc.c.wg.Done()
		cc.fail(cc.read())
	}()
}

// register adds cl as pending under id, unless the connection has failed.
func (cc *clientConn) register(id uint64, cl *call) error {
	return cc.pending.add(id, cl)
}

// claim removes and returns the call pending under id, or nil when someone
// else claimed it first.
func (cc *clientConn) claim(id uint64) *call {
	return cc.pending.take(id)
}

// fail shuts the connection down with err (already classified: it wraps
// transport.ErrUnreachable or is transport.ErrClosed) and fails every pending
// call with it. Only the first call has an effect.
//
// Under a slow-close fault on either direction of the link (and unless err
// is transport.ErrClosed, the client closing) the failure is put off by the
// fault's SlowClose: the socket is closed at once, so nothing moves, but
// the connection stays the pool's, takes new calls and fails them all, with
// err, only when SlowClose has passed, as a peer would see a close that a
// middlebox holds back.
func (cc *clientConn) fail(err error) {
	cc.mu.Lock()
	if cc.err != nil {
		cc.mu.Unlock()
		return
	}
	if !errors.Is(err, transport.ErrClosed) {
		if cc.closing {
			cc.mu.Unlock()
			return
		}
		if fl := cc.c.faults; fl != nil {
			if hold := fl.closeHold(); hold > 0 {
				cc.closing = true
				cc.mu.Unlock()
				fl.slowClose(cc, hold, err)
				return
			}
		}
	}
	cc.failLocked(err)
}

// failNow is fail without a slow close.
func (cc *clientConn) failNow(err error) {
	cc.mu.Lock()
	if cc.err != nil {
		cc.mu.Unlock()
		return
	}
	cc.failLocked(err)
}

// failLocked does the work of fail; cc.mu is held and is released.
func (cc *clientConn) failLocked(err error) {
	cc.err = err
	pending := cc.pending.close(err)
	cc.dead.Store(true)
	close(cc.done)
	cc.mu.Unlock()
	cc.sweeper.timer.Stop()

	_ = cc.nc.Close()
	if !errors.Is(err, transport.ErrClosed) {
		cc.c.log.Debug("tcp: connection closed", "peer", cc.c.name, "addr", cc.c.addr, "reason", err)
	}
	for _, cl := range pending {
		cl.done <- err
	}
}

// read delivers replies until the connection breaks, and returns why.
func (cc *clientConn) read() error {
	fr := newFrameReader(bufio.NewReaderSize(cc.nc, bufSize), cc.c.cfg.MaxFrameSize)
	for {
		f, err := fr.next()
		if err != nil {
			if errors.Is(err, errFrameTooLarge) || errors.Is(err, errMalformed) {
				cc.c.log.Warn("tcp: dropping connection", "peer", cc.c.name, "addr", cc.c.addr, "reason", err)
			}
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF // the server hung up on us
			}
			return fmt.Errorf("%w: read from %s: %w", transport.ErrUnreachable, cc.c.name, err)
		}
		if f.typ == frameRequest {
			err := fmt.Errorf("%w: %v frame from a server", errMalformed, f.typ)
			cc.c.log.Warn("tcp: dropping connection", "peer", cc.c.name, "addr", cc.c.addr, "reason", err)
			return fmt.Errorf("%w: %s: %w", transport.ErrUnreachable, cc.c.name, err)
		}
		if fl := cc.c.faults; fl == nil || !fl.receive(cc, f) {
			cc.complete(f)
		}
	}
}

// replySize is the encoded size of a reply frame, what it occupies on a
// link.
func replySize(f frame) int { return lenSize + headerSize + len(f.body) }

// complete hands reply f to its call, if the call still waits for it: a
// reply to a call that timed out, or to a duplicated request, finds none.
func (cc *clientConn) complete(f frame) {
	if cl := cc.claim(f.id); cl != nil {
		cc.c.cfg.Meter.received(cl.meth, replySize(f))
		cl.done <- decodeReply(f, cl.reply)
	}
}

// reset closes the connection abruptly (an RST, not a FIN) and fails it
// with err.
func (cc *clientConn) reset(err error) {
	nc := cc.nc
	if tc, ok := nc.(*tls.Conn); ok {
		nc = tc.NetConn()
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	cc.fail(err)
}

// failCall fails the pending call id with err, if it still waits.
func (cc *clientConn) failCall(id uint64, err error) {
	if cl := cc.claim(id); cl != nil {
		cl.done <- err
	}
}

// decodeReply turns a reply or error frame into the call's result.
func decodeReply(f frame, reply any) error {
	if f.typ == frameError {
		return &transport.RemoteError{Msg: string(f.body)}
	}
	if err := wire.Unmarshal(f.body, reply); err != nil {
		return &transport.RemoteError{Msg: "reply does not decode: " + err.Error()}
	}
	return nil
}
