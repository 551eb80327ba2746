package tcp

import (
	"bufio"
	"container/list"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"faultline/transport"
)

// Listener serves a transport.Server on a TCP address. Every request runs
// in its own goroutine.
type Listener struct {
	srv *transport.Server
	cfg Config
	log *slog.Logger
	ln  net.Listener

	auth   *authenticator // nil without a Secret
	counts listenerCounts

	mu          sync.Mutex
	conns       map[*serverConn]struct{} // every connection, to close them
	handshaking list.List                // of *serverConn authenticating, oldest first
	open        int                      // authenticated connections
	closed      bool
	done        chan struct{} // closed by Close

	wg sync.WaitGroup // accept loop and connection goroutines

	// Requests run on handler goroutines that, when done, wait for the
	// next request (so that their grown stacks are reused), up to maxIdle
	// of them at a time; a request that finds no idle handler starts a new
	// one, so a blocked handler never holds up another request.
	work     chan request   // unbuffered: a send succeeds only to an idle handler
	idle     atomic.Int32   // handlers waiting on work
	handlers sync.WaitGroup // handler goroutines; not waited for by Close
}

// maxIdle bounds the handler goroutines kept waiting for requests.
const maxIdle = 128

// request is one call read off a connection, on its way to a handler.
type request struct {
	sc      *serverConn
	id      uint64
	svcMeth string
	body    *buffer // the encoded args; reused for the reply
}

// Listen starts serving srv on addr ("127.0.0.1:0" picks a free port).
func Listen(addr string, srv *transport.Server, cfg Config) (*Listener, error) {
	if srv == nil {
		return nil, errors.New("tcp: listen with a nil server")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	auth, err := newAuthenticator(cfg, true)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("tcp: listen: %w", err)
	}
	l := &Listener{
		srv:   srv,
		cfg:   cfg,
		log:   cfg.logger().With("node", cfg.Node, "addr", ln.Addr().String()),
		ln:    ln,
		auth:  auth,
		conns: map[*serverConn]struct{}{},
		done:  make(chan struct{}),
		work:  make(chan request),
	}
	l.wg.Add(1)
	go l.accept()
	return l, nil
}

// Addr returns the address the listener is bound to, as "host:port".
func (l *Listener) Addr() string { return l.ln.Addr().String() }

// Close stops accepting, closes every connection (calls in flight on them
// fail with transport.ErrUnreachable) and waits for the listener's own
// goroutines to exit. Handlers still running in the Server are not waited
// for, since they may block on the system under test: each one finishes in
// its own time and its reply is discarded. Close is idempotent.
func (l *Listener) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	close(l.done)
	err := l.ln.Close()
	for sc := range l.conns {
		sc.shutdown()
	}
	l.mu.Unlock()
	l.wg.Wait()
	// Every connection's reader has exited, so nothing sends on work any
	// more: closing it tells the idle handlers to exit.
	close(l.work)
	return err
}

// accept accepts connections until Close.
func (l *Listener) accept() {
	defer l.wg.Done()
	var wait time.Duration // backoff after temporary errors (out of fds, say)
	for {
		nc, err := l.ln.Accept()
		if err != nil {
			select {
			case <-l.done:
				return
			default:
			}
			wait = min(max(2*wait, 5*time.Millisecond), time.Second)
			l.log.Warn("tcp: accept failed", "err", err, "retry_in", wait)
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-l.done:
				t.Stop()
				return
			}
			continue
		}
		wait = 0
		l.counts.accepted.Add(1)
		if tc, ok := nc.(*net.TCPConn); ok {
			_ = tc.SetNoDelay(true)
		}
		sc := &serverConn{
			l:        l,
			nc:       nc,
			done:     make(chan struct{}),
			inflight: newInflight(l.cfg.MaxInFlight),
		}
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			_ = nc.Close()
			return
		}
		l.conns[sc] = struct{}{}
		l.admit(sc)
		l.wg.Add(1)
		l.mu.Unlock()
		go sc.run()
	}
}

// serverConn is one accepted connection.
type serverConn struct {
	l    *Listener
	nc   net.Conn
	w    *connWriter
	done chan struct{} // closed by shutdown
	once sync.Once

	names    map[string]string // interned method names; reader goroutine only
	inflight *inflight         // requests being handled

	// Under l.mu: the connection's place among those authenticating
	// (nil once it is done), whether another one pushed it out, whether
	// it is counted open.
	hs      *list.Element
	evicted bool
	open    bool
}

// maxNames bounds a connection's interned method names, so that a client
// sending endless distinct names costs allocations, not memory.
const maxNames = 256

// shutdown closes the connection; the reader and writer then exit.
func (sc *serverConn) shutdown() {
	sc.once.Do(func() {
		close(sc.done)
		_ = sc.nc.Close()
	})
}

func (sc *serverConn) write() {
	defer sc.l.wg.Done()
	if err := sc.w.run(); err != nil {
		sc.l.log.Debug("tcp: write failed", "remote", sc.nc.RemoteAddr().String(), "err", err)
	}
	sc.shutdown()
}

// run authenticates the connection, then reads requests and starts a
// handler for each until the connection ends.
func (sc *serverConn) run() {
	defer func() {
		sc.shutdown()
		l := sc.l
		l.mu.Lock()
		delete(l.conns, sc)
		if sc.open {
			l.open--
		}
		l.mu.Unlock()
		l.wg.Done()
	}()
	conn, err := sc.l.auth.secure(context.Background(), sc.nc, time.Now().Add(sc.l.cfg.HandshakeTimeout))
	if err != nil {
		remote := sc.nc.RemoteAddr().String()
		if sc.l.unauthenticated(sc) {
			sc.l.log.Debug("tcp: unauthenticated connection evicted", "remote", remote, "max_handshakes", sc.l.cfg.MaxHandshakes)
		} else {
			sc.l.log.Warn("tcp: unauthenticated connection closed", "remote", remote, "reason", err)
		}
		return
	}
	if !sc.l.promote(sc) {
		return
	}
	sc.w = newConnWriter(conn, sc.done)
	sc.l.wg.Add(1)
	go sc.write()
	sc.read(conn)
}

// read reads requests from conn and starts a handler for each until the
// connection ends. A frame that is too large, truncated, malformed or
// too slow to arrive ends it, logged.
func (sc *serverConn) read(conn net.Conn) {
	src := &connReader{
		nc:    conn,
		frame: sc.l.cfg.FrameTimeout,
		idle:  sc.l.cfg.IdleTimeout,
		busy:  sc.inflight.busy,
	}
	r := readerPool.Get().(*bufio.Reader)
	r.Reset(src)
	fr := newFrameReader(r, sc.l.cfg.MaxFrameSize)
	fr.src = src
	defer src.release(fr)
	for {
		f, err := fr.next()
		if err == nil && f.typ != frameRequest {
			err = fmt.Errorf("%w: %v frame from a client", errMalformed, f.typ)
		}
		if err != nil {
			sc.logEnd(err)
			return
		}
		if !sc.inflight.enter(sc.done) {
			return
		}
		body := getBuffer()
		body.b = append(body.b[:0], f.body...)
		sc.l.serve(request{sc: sc, id: f.id, svcMeth: sc.intern(f.method), body: body})
	}
}

// logEnd logs why the connection ended: at Warn for a misbehaving peer, at
// Debug for an ordinary hang-up.
func (sc *serverConn) logEnd(err error) {
	remote := sc.nc.RemoteAddr().String()
	switch {
	case errors.Is(err, errFrameTooLarge), errors.Is(err, errMalformed), errors.Is(err, errTruncated):
		sc.l.log.Warn("tcp: dropping connection", "remote", remote, "reason", err)
	case errors.Is(err, errIdle):
		sc.l.counts.idle.Add(1)
		sc.l.log.Debug("tcp: idle connection closed", "remote", remote, "idle", sc.l.cfg.IdleTimeout)
	case errors.Is(err, os.ErrDeadlineExceeded):
		sc.l.counts.slowFrames.Add(1)
		sc.l.log.Warn("tcp: dropping connection", "remote", remote, "reason", "frame not complete within FrameTimeout", "timeout", sc.l.cfg.FrameTimeout)
	case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
		sc.l.log.Debug("tcp: connection closed", "remote", remote)
	default:
		sc.l.log.Debug("tcp: connection failed", "remote", remote, "reason", err)
	}
}

// intern returns method as a string, allocating only the first time a
// connection sees it.
func (sc *serverConn) intern(method []byte) string {
	if s, ok := sc.names[string(method)]; ok {
		return s
	}
	s := string(method)
	if sc.names == nil {
		sc.names = map[string]string{}
	}
	if len(sc.names) < maxNames {
		sc.names[s] = s
	}
	return s
}

// serve hands r to an idle handler, or to a new one.
func (l *Listener) serve(r request) {
	select {
	case l.work <- r:
	default:
		l.handlers.Add(1)
		go l.handler(r)
	}
}

// handler runs r, then further requests while there are any, and exits
// when too many handlers are idle or the listener closes (Close closes
// work). Waiting on the one channel, not a select with done, is the
// cheaper park on the request path.
func (l *Listener) handler(r request) {
	defer l.handlers.Done()
	for {
		r.sc.handle(r.id, r.svcMeth, r.body)
		if l.idle.Add(1) > maxIdle {
			l.idle.Add(-1)
			return
		}
		var ok bool
		r, ok = <-l.work
		l.idle.Add(-1)
		if !ok {
			return
		}
	}
}

// handle runs one request and queues its reply, encoded straight into a
// pooled frame buffer; the request's buffer goes back to the pool.
func (sc *serverConn) handle(id uint64, svcMeth string, req *buffer) {
	out := getBuffer()
	b := appendHeader(out.b[:0], frameReply, id)
	b, err := sc.l.srv.AppendDispatch(b, svcMeth, req.b)
	putBuffer(req)
	if err == nil {
		if ferr := finishFrame(b, 0, sc.l.cfg.MaxFrameSize); ferr != nil {
			err = fmt.Errorf("reply of %s: %w", svcMeth, ferr)
		}
	}
	if err != nil {
		b = appendFrame(b[:0], frame{typ: frameError, id: id, body: []byte(err.Error())})
	}
	out.b = b
	sc.w.send(out)
	sc.inflight.leave()
}
