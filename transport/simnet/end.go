package simnet

import (
	"context"
	"errors"
	"fmt"
	"time"

	"faultline/transport"
	"faultline/transport/wire"
)

// ClientEnd is one named client end of a Network, the caller side of a
// simulated connection. Make one with Network.MakeEnd; it is safe for
// concurrent use.
type ClientEnd struct {
	net  *Network
	name string
	st   *endState // guarded by net.mu
}

var _ transport.ContextCaller = (*ClientEnd)(nil)

// Name returns the end's name.
func (e *ClientEnd) Name() string { return e.name }

// Call sends an RPC and waits for its reply, as labrpc's ClientEnd.Call: it
// returns true when reply was filled, and false when the call was lost, the
// end is disabled or unconnected, the server is missing or was crashed while
// the call was in flight, or the server answered with an error. Call does not
// return before one of these is known; a call that cannot be delivered fails
// after a short random delay (a long one under LongDelays).
func (e *ClientEnd) Call(svcMeth string, args any, reply any) bool {
	return e.CallContext(context.Background(), svcMeth, args, reply) == nil
}

// CallContext is Call bounded by ctx. It returns nil when reply was filled;
// an error matching transport.ErrTimeout when ctx ended first;
// transport.ErrUnreachable when the call or its reply was lost, the end is
// disabled or unconnected or the server missing or crashed;
// transport.ErrClosed after Network.Cleanup; a *transport.RemoteError when the
// server rejected the call or the reply did not decode into reply; or an
// encoding error for args.
func (e *ClientEnd) CallContext(ctx context.Context, svcMeth string, args any, reply any) error {
	if err := ctx.Err(); err != nil {
		return timeout(err)
	}
	req, err := wire.Marshal(args)
	if err != nil {
		return fmt.Errorf("simnet: call %s: %w", svcMeth, err)
	}
	n := e.net
	n.totalCount.Add(1)
	n.totalBytes.Add(int64(len(req)))

	r, err := n.route(e.st)
	if err != nil {
		return err
	}
	if r.srv == nil {
		return n.failLater(ctx, r.longDelays)
	}

	// The request's journey: labrpc's short random delay and drop, then
	// the faults of the link origin -> server.
	if !r.reliable {
		if err := n.wait(ctx, n.rng.millis(27), r.off, r.srv.gone); err != nil {
			return err
		}
		if n.rng.intn(1000) < 100 {
			return transport.ErrUnreachable
		}
	}
	if r.req.Blocked {
		return n.failLater(ctx, r.longDelays)
	}
	if n.rng.lost(r.reqLink, &r.req) {
		return transport.ErrUnreachable
	}
	if err := n.wait(ctx, n.transit(r.reqLink, &r.req, len(req)), r.off, r.srv.gone); err != nil {
		return err
	}

	// Delivery. The handler runs in its own goroutine so that a crash of
	// the server or of the end can fail the call while it runs.
	done := make(chan result, 1)
	r.srv.count.Add(1)
	go dispatch(r.srv.srv, svcMeth, req, done)
	if n.rng.chance(r.req.Duplicate) {
		r.srv.count.Add(1)
		go dispatch(r.srv.srv, svcMeth, req, nil)
	}
	var res result
	select {
	case res = <-done:
	case <-r.off:
		return transport.ErrUnreachable
	case <-r.srv.gone:
		return transport.ErrUnreachable
	case <-ctx.Done():
		return timeout(ctx.Err())
	case <-n.done:
		return transport.ErrClosed
	}
	// A server crashed (or an end disabled) while the handler ran must not
	// answer: its replacement may already hold different state.
	if closed(r.off) || closed(r.srv.gone) {
		return transport.ErrUnreachable
	}

	// The reply's journey: labrpc's drop, the faults of the link
	// server -> origin, and labrpc's long reordering.
	if !r.reliable && n.rng.intn(1000) < 100 {
		return transport.ErrUnreachable
	}
	if r.rep.Blocked || n.rng.lost(r.repLink, &r.rep) {
		return transport.ErrUnreachable
	}
	size := len(res.body)
	if res.err != nil {
		size = len(res.err.Error())
	}
	hold := n.transit(r.repLink, &r.rep, size)
	if r.longReordering && n.rng.intn(900) < 600 {
		hold += 200*time.Millisecond + n.rng.millis(1+n.rng.intn(2000))
	}
	if err := n.wait(ctx, hold, nil, nil); err != nil {
		return err
	}
	if res.err != nil {
		n.totalBytes.Add(int64(len(res.err.Error())))
		return &transport.RemoteError{Msg: res.err.Error()}
	}
	n.totalBytes.Add(int64(len(res.body)))
	if err := wire.Unmarshal(res.body, reply); err != nil {
		return &transport.RemoteError{Msg: fmt.Sprintf("reply of %s does not decode: %v", svcMeth, err)}
	}
	return nil
}

// result is what a handler produced: an encoded reply or a dispatch error.
type result struct {
	body []byte
	err  error
}

// dispatch runs one delivered call; done (if not nil) must have room for
// the result, so that an abandoned call never blocks the goroutine.
func dispatch(srv *transport.Server, svcMeth string, req []byte, done chan<- result) {
	body, err := srv.Dispatch(svcMeth, req)
	if done != nil {
		done <- result{body, err}
	}
}

// route is a snapshot of what one call needs to know about the network.
type route struct {
	srv            *server // nil when the call cannot be delivered
	off            <-chan struct{}
	reliable       bool
	longDelays     bool
	longReordering bool
	req, rep       transport.LinkFaults // links origin -> server, server -> origin
	reqLink        link                 // origin -> server
	repLink        link                 // server -> origin
}

func (n *Network) route(st *endState) (route, error) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	if n.closed {
		return route{}, transport.ErrClosed
	}
	r := route{
		reliable:       n.reliable,
		longDelays:     n.longDelays,
		longReordering: n.longReordering,
	}
	if !st.enabled || st.server == "" {
		return r, nil
	}
	r.srv = n.servers[st.server]
	r.off = st.off
	if st.origin != "" && len(n.links) > 0 {
		r.reqLink, r.repLink = link{st.origin, st.server}, link{st.server, st.origin}
		r.req = n.links[r.reqLink]
		r.rep = n.links[r.repLink]
	}
	return r, nil
}

// transit returns the time one message of size bytes spends on link k
// with faults f: its wait for the link's bandwidth, its delay in f's
// distribution, and a possible reordering hold-back.
func (n *Network) transit(k link, f *transport.LinkFaults, size int) time.Duration {
	if f.Healthy() {
		return 0
	}
	return n.rng.transit(k, f, size)
}

// failLater fails an undeliverable call after labrpc's random delay.
func (n *Network) failLater(ctx context.Context, long bool) error {
	d := n.rng.millis(100)
	if long {
		d = n.rng.millis(7000)
	}
	if err := n.wait(ctx, d, nil, nil); err != nil {
		return err
	}
	return transport.ErrUnreachable
}

// wait sleeps for d. It returns early with an error when ctx ends
// (ErrTimeout), the network is cleaned up (ErrClosed) or either of off and
// gone is closed (ErrUnreachable); nil channels never fire.
func (n *Network) wait(ctx context.Context, d time.Duration, off, gone <-chan struct{}) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-off:
		return transport.ErrUnreachable
	case <-gone:
		return transport.ErrUnreachable
	case <-ctx.Done():
		return timeout(ctx.Err())
	case <-n.done:
		return transport.ErrClosed
	}
}

func closed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// timeout wraps a context's error so that it matches both
// transport.ErrTimeout and the context error.
func timeout(ctxErr error) error {
	if ctxErr == nil {
		ctxErr = errors.New("context done")
	}
	return fmt.Errorf("simnet: %w: %w", transport.ErrTimeout, ctxErr)
}
