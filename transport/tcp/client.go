package tcp

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"faultline/transport"
	"faultline/transport/wire"
)

// Client is the caller side of one peer: a pool of Config.Conns
// multiplexed connections to one address, made on first use and remade with
// backoff after failures. It is safe for concurrent use.
type Client struct {
	name, addr string
	cfg        Config
	log        *slog.Logger
	dialer     net.Dialer
	slots      []slot
	next       atomic.Uint32 // round-robin over slots
	closed     atomic.Bool
	wg         sync.WaitGroup // connection goroutines, fired fault delays, stall releases
	faults     interceptor    // applies Config.Faults; nil without a table
	auth       *authenticator // nil without a Secret
}

var _ transport.ContextCaller = (*Client)(nil)

// slot is one connection of the pool and its reconnection state.
type slot struct {
	cur atomic.Pointer[clientConn] // nil until the first connection

	mu      sync.Mutex    // serialises dialing; guards the fields below
	backoff time.Duration // the wait after the last failed attempt
	retryAt time.Time     // no attempt before this
	lastErr error         // why the last attempt failed
}

// Dial returns a Client for the server at addr, named addr for link faults.
// It does not connect: the first call does. Dial panics if cfg does not
// validate (a programming error).
func Dial(addr string, cfg Config) *Client {
	return DialNamed(addr, addr, cfg)
}

// DialNamed is Dial with an explicit peer name: the "to" of the link faults
// applied to requests (and the "from" of those applied to replies).
func DialNamed(name, addr string, cfg Config) *Client {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	cfg = cfg.withDefaults()
	auth, err := newAuthenticator(cfg, false)
	if err != nil {
		panic(err)
	}
	c := &Client{
		auth:   auth,
		name:   name,
		addr:   addr,
		cfg:    cfg,
		log:    cfg.logger().With("node", cfg.Node),
		dialer: net.Dialer{Timeout: cfg.DialTimeout},
		slots:  make([]slot, cfg.Conns),
	}
	if cfg.Faults != nil {
		c.faults = newFaultLink(cfg.Faults, c, cfg.Node, name)
	}
	return c
}

// Call calls svcMeth with args and waits up to Config.CallTimeout for the
// reply. It returns true when reply was filled, false on any failure.
func (c *Client) Call(svcMeth string, args, reply any) bool {
	return c.call(context.Background(), true, svcMeth, args, reply) == nil
}

// CallContext calls svcMeth with args and waits for the reply as long as ctx
// allows. It returns nil when reply was filled; otherwise an error matching
// transport.ErrTimeout (ctx ended first), transport.ErrUnreachable (no
// connection, or it broke: the cause is wrapped too) or transport.ErrClosed,
// a *transport.RemoteError (the server rejected the call, or its reply did not
// decode), or an error encoding args.
func (c *Client) CallContext(ctx context.Context, svcMeth string, args, reply any) error {
	return c.call(ctx, false, svcMeth, args, reply)
}

// call runs one RPC, bounded by ctx and, if bounded, by Config.CallTimeout
// (the connection's sweeper fails the call then, which spares Call a
// context allocation and the caller a select).
func (c *Client) call(ctx context.Context, bounded bool, svcMeth string, args, reply any) error {
	if c.closed.Load() {
		return transport.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return timeoutError(svcMeth, c.name, err)
	}
	// The request is encoded before it has an id, which has a fixed size.
	req := getBuffer()
	var err error
	if req.b, err = appendRequest(req.b[:0], 0, svcMeth, args, c.cfg.MaxFrameSize); err != nil {
		putBuffer(req)
		return fmt.Errorf("tcp: call %s: %w", svcMeth, err)
	}
	if c.faults != nil {
		if err := c.faults.refuse(); err != nil { // a reset link fails the call without a dial
			putBuffer(req)
			return err
		}
	}
	cc, err := c.conn(ctx)
	if err != nil {
		putBuffer(req)
		return err
	}
	id := cc.nextID.Add(1)
	setFrameID(req.b, id)
	c.cfg.Meter.sent(svcMeth, len(req.b))
	var deadline uint64
	if bounded {
		deadline = cc.sweeper.deadline()
	}
	cl := getCall(reply, svcMeth, deadline)
	if err := cc.register(id, cl); err != nil {
		putBuffer(req)
		putCall(cl)
		return err
	}
	if bounded {
		cc.sweeper.arm()
	}
	if c.faults == nil || !c.faults.send(cc, id, req) {
		cc.w.send(req)
	}

	if ctxDone := ctx.Done(); ctxDone == nil {
		err = <-cl.done // the usual case: one channel, no select
	} else {
		select {
		case err = <-cl.done:
		case <-ctxDone:
			err = c.abandon(cc, id, cl, svcMeth, ctx.Err())
		}
	}
	putCall(cl)
	return err
}

// abandon ends a call whose deadline passed. If another party claimed it
// first, their result (which is on its way) wins.
func (c *Client) abandon(cc *clientConn, id uint64, cl *call, svcMeth string, ctxErr error) error {
	if cc.claim(id) == nil {
		return <-cl.done
	}
	return timeoutError(svcMeth, c.name, ctxErr)
}

func timeoutError(svcMeth, peer string, ctxErr error) error {
	if ctxErr == nil {
		return fmt.Errorf("%w: %s to %s", transport.ErrTimeout, svcMeth, peer)
	}
	return fmt.Errorf("%w: %s to %s: %w", transport.ErrTimeout, svcMeth, peer, ctxErr)
}

// resetConns closes every connection of the pool abruptly with err (which
// wraps transport.ErrUnreachable).
func (c *Client) resetConns(err error) {
	for i := range c.slots {
		if cc := c.slots[i].cur.Load(); cc != nil {
			cc.reset(err)
		}
	}
}

// appendRequest appends a request frame for svcMeth(args) to b.
func appendRequest(b []byte, id uint64, svcMeth string, args any, max int) ([]byte, error) {
	if len(svcMeth) > maxMethodLen {
		return b, fmt.Errorf("method name of %d bytes, max %d", len(svcMeth), maxMethodLen)
	}
	start := len(b)
	b = appendHeader(b, frameRequest, id)
	b = append(b, byte(len(svcMeth)>>8), byte(len(svcMeth)))
	b = append(b, svcMeth...)
	b, err := wire.Append(b, args)
	if err != nil {
		return b[:start], err
	}
	if err := finishFrame(b, start, max); err != nil {
		return b[:start], err
	}
	return b, nil
}

// conn returns a live connection, dialing one if need be. It prefers the
// next slot in round-robin order; if that one is waiting out a backoff it
// falls back to any live connection.
func (c *Client) conn(ctx context.Context) (*clientConn, error) {
	i := int(c.next.Add(1)) % len(c.slots)
	s := &c.slots[i]
	if cc := s.cur.Load(); cc != nil && !cc.dead.Load() {
		return cc, nil
	}
	cc, err := c.connect(ctx, s)
	if err == nil {
		return cc, nil
	}
	for j := range c.slots {
		if cc := c.slots[j].cur.Load(); cc != nil && !cc.dead.Load() {
			return cc, nil
		}
	}
	return nil, err
}

// connect dials slot s's connection, unless it is in backoff or another
// caller dialed it meanwhile.
func (c *Client) connect(ctx context.Context, s *slot) (*clientConn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.closed.Load() {
		return nil, transport.ErrClosed
	}
	if cc := s.cur.Load(); cc != nil && !cc.dead.Load() {
		return cc, nil
	}
	now := time.Now()
	if now.Before(s.retryAt) {
		return nil, fmt.Errorf("%w: %s (%s), retrying in %v: %w", transport.ErrUnreachable, c.name, c.addr, s.retryAt.Sub(now).Round(time.Millisecond), s.lastErr)
	}
	nc, err := c.dial(ctx)
	if err != nil {
		s.backoff = min(max(2*s.backoff, c.cfg.BackoffMin), c.cfg.BackoffMax)
		s.retryAt = time.Now().Add(s.backoff)
		s.lastErr = err
		if ctx.Err() != nil {
			return nil, timeoutError("dial", c.name, ctx.Err())
		}
		return nil, fmt.Errorf("%w: %s: %w", transport.ErrUnreachable, c.name, err)
	}
	if c.closed.Load() {
		_ = nc.Close()
		return nil, transport.ErrClosed
	}
	s.backoff, s.retryAt, s.lastErr = 0, time.Time{}, nil
	cc := newClientConn(c, nc)
	cc.start()
	s.cur.Store(cc)
	return cc, nil
}

// dial connects to the peer and authenticates, within ctx and
// Config.HandshakeTimeout.
func (c *Client) dial(ctx context.Context) (net.Conn, error) {
	nc, err := c.dialer.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return nil, err
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	deadline := time.Now().Add(c.cfg.HandshakeTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	conn, err := c.auth.secure(ctx, nc, deadline)
	if err != nil {
		_ = nc.Close()
		return nil, err
	}
	return conn, nil
}

// Close closes every connection, fails the calls in flight with
// transport.ErrClosed, cancels pending fault delays, drops the messages
// held by stalled links and waits for the client's goroutines to exit.
// Later calls fail with transport.ErrClosed.
func (c *Client) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	if c.faults != nil {
		c.faults.close()
	}
	for i := range c.slots {
		s := &c.slots[i]
		s.mu.Lock()
		if cc := s.cur.Load(); cc != nil {
			cc.fail(transport.ErrClosed)
		}
		s.mu.Unlock()
	}
	c.wg.Wait()
	return nil
}
