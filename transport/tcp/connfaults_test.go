package tcp

import (
	"bufio"
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"faultline/transport"
)

// This file checks, over real loopback connections, the connection faults
// reset, stall and slow-close.

// TestConnReset checks that a reset closes the link's connections
// abruptly, fails calls in flight at once, fails new calls fast without
// dialing, and that calls work again once it heals; on either direction.
func TestConnReset(t *testing.T) {
	for _, dir := range []struct{ name, from, to string }{
		{"request link", "client", "server"},
		{"reply link", "server", "client"},
	} {
		t.Run(dir.name, func(t *testing.T) {
			checkGoroutines(t)
			var logs logBuffer
			e := newEcho()
			l := listenEcho(t, "127.0.0.1:0", e, Config{Logger: logs.logger()})
			f := NewFaults(1)
			c := DialNamed("server", l.Addr(), Config{Node: "client", Faults: f, Conns: 2})
			t.Cleanup(func() { c.Close() })
			p := &faultyPair{l: l, e: e, f: f, c: c}
			// Two calls in flight, blocked in the handler.
			const inFlight = 2
			errs := make(chan error, inFlight)
			for range inFlight {
				go func() {
					_, err := p.call("Echo.Wait", &EchoArgs{}, 10*time.Second)
					errs <- err
				}()
			}
			waitFor(t, "the calls to run", func() bool { return e.calls.Load() == inFlight })
			t0 := time.Now()
			p.set(t, dir.from, dir.to, transport.LinkFaults{Conn: transport.ConnReset})
			for range inFlight {
				if err := <-errs; !errors.Is(err, transport.ErrUnreachable) || !strings.Contains(err.Error(), "connection reset") {
					t.Errorf("call in flight: %v, want ErrUnreachable (connection reset)", err)
				}
			}
			if d := time.Since(t0); d > 2*time.Second {
				t.Errorf("calls in flight failed %v after the reset, want at once", d)
			}
			waitFor(t, "the server to see the connections go", func() bool { return p.serverConns() == 0 })
			waitFor(t, "the server to see an RST", func() bool { return logs.count("connection reset by peer") > 0 })
			// New calls fail fast, without a connection.
			for range 5 {
				took, err := p.call("Echo.Echo", &EchoArgs{}, 5*time.Second)
				if !errors.Is(err, transport.ErrUnreachable) || took > time.Second {
					t.Errorf("call during the reset: %v after %v, want ErrUnreachable at once", err, took)
				}
			}
			if n := p.serverConns(); n != 0 {
				t.Errorf("%d connections made during the reset", n)
			}
			p.f.HealAll()
			e.unblock()
			if _, err := p.call("Echo.Echo", &EchoArgs{}, 5*time.Second); err != nil {
				t.Errorf("call after heal: %v", err)
			}
		})
	}
}

// TestConnStall checks that a stall holds messages, neither losing nor
// failing them, releases them in order when it lifts, and lets a caller's
// deadline end a held call.
func TestConnStall(t *testing.T) {
	checkGoroutines(t)
	p := newFaultyPair(t, 1, Config{Conns: 1})
	if _, err := p.call("Echo.Echo", &EchoArgs{N: -1}, 5*time.Second); err != nil {
		t.Fatal(err)
	}

	t.Run("requests", func(t *testing.T) {
		p.set(t, "client", "server", transport.LinkFaults{Conn: transport.ConnStall})
		before, start := p.e.calls.Load(), len(p.e.arrivals())
		const n = 6
		errs := make(chan error, n)
		for i := range n {
			go func() {
				_, err := p.call("Echo.Echo", &EchoArgs{N: i}, 10*time.Second)
				errs <- err
			}()
			waitFor(t, "the request to be held", func() bool { return p.heldCount() == i+1 })
		}
		// Held: nothing reaches the server, nothing fails, for a while.
		short, err := p.call("Echo.Echo", &EchoArgs{N: 99}, 150*time.Millisecond)
		if !errors.Is(err, transport.ErrTimeout) || short < 150*time.Millisecond {
			t.Errorf("call with a 150ms deadline: %v after %v, want ErrTimeout at the deadline", err, short)
		}
		select {
		case err := <-errs:
			t.Fatalf("a stalled call returned: %v", err)
		default:
		}
		if got := p.e.calls.Load(); got != before {
			t.Fatalf("the server ran %d calls during the stall", got-before)
		}
		p.set(t, "client", "server", transport.LinkFaults{})
		for range n {
			if err := <-errs; err != nil {
				t.Errorf("stalled call after the stall: %v", err)
			}
		}
		// Every held request arrives (the 150ms call's too, its caller
		// gone); handlers run concurrently, so their order is checked
		// on the wire below.
		waitFor(t, "every held request to arrive", func() bool { return len(p.e.arrivals()) == start+n+1 })
		got := slices.Sorted(slices.Values(p.e.arrivals()[start:]))
		if !slices.Equal(got, []int{0, 1, 2, 3, 4, 5, 99}) {
			t.Errorf("held requests arrived as %v", got)
		}
	})
	t.Run("order on the wire", func(t *testing.T) {
		// A bare listener records the ids of the request frames it
		// reads: held requests leave in the order they were held.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		ids := make(chan uint64, 100)
		go func() {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			defer nc.Close()
			fr := newFrameReader(bufio.NewReader(nc), DefaultMaxFrameSize)
			for {
				f, err := fr.next()
				if err != nil {
					return
				}
				ids <- f.id
			}
		}()
		f := NewFaults(1)
		c := DialNamed("raw", ln.Addr().String(), Config{Node: "client", Faults: f, Conns: 1})
		defer c.Close()
		if err := f.SetLink("client", "raw", transport.LinkFaults{Conn: transport.ConnStall}); err != nil {
			t.Fatal(err)
		}
		const n = 8
		var wg sync.WaitGroup
		defer wg.Wait()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		for i := range n {
			wg.Go(func() { _ = c.CallContext(ctx, "Echo.Echo", &EchoArgs{N: i}, &EchoReply{}) })
			waitFor(t, "the request to be held", func() bool { k, _ := held(c); return k == i+1 })
		}
		f.HealAll()
		var got []uint64
		for range n {
			select {
			case id := <-ids:
				got = append(got, id)
			case <-time.After(10 * time.Second):
				t.Fatalf("got %d of %d requests", len(got), n)
			}
		}
		if !slices.IsSorted(got) {
			t.Errorf("held requests left as ids %v, want in order", got)
		}
	})
	t.Run("replies", func(t *testing.T) {
		p.set(t, "server", "client", transport.LinkFaults{Conn: transport.ConnStall})
		before := p.e.calls.Load()
		errs := make(chan error, 1)
		go func() {
			_, err := p.call("Echo.Echo", &EchoArgs{N: 7}, 10*time.Second)
			errs <- err
		}()
		waitFor(t, "the reply to be held", func() bool { return p.heldCount() == 1 })
		if p.e.calls.Load() != before+1 {
			t.Fatal("the request did not run")
		}
		select {
		case err := <-errs:
			t.Fatalf("a call whose reply is stalled returned: %v", err)
		default:
		}
		// Lifting the stall into a delay: the held reply is judged again.
		p.set(t, "server", "client", transport.LinkFaults{Delay: 50 * time.Millisecond})
		t0 := time.Now()
		if err := <-errs; err != nil {
			t.Errorf("call after the stall: %v", err)
		}
		if d := time.Since(t0); d < 45*time.Millisecond {
			t.Errorf("released reply came %v after the stall, want the 50ms delay", d)
		}
		p.f.HealAll()
	})
	t.Run("close while held", func(t *testing.T) {
		c := DialNamed("server", p.l.Addr(), Config{Node: "client", Faults: p.f})
		p.set(t, "client", "server", transport.LinkFaults{Conn: transport.ConnStall})
		defer p.f.HealAll()
		errs := make(chan error, 1)
		go func() { errs <- c.CallContext(context.Background(), "Echo.Echo", &EchoArgs{}, &EchoReply{}) }()
		waitFor(t, "the request to be held", func() bool { _, stalls := held(c); return stalls == 1 })
		c.Close()
		if err := <-errs; !errors.Is(err, transport.ErrClosed) {
			t.Errorf("held call at Close: %v, want ErrClosed", err)
		}
	})
}

// TestConnSlowClose checks that when a connection carrying a slow-close
// link is closed by the server, its calls in flight, and those still sent
// on it, fail only after SlowClose; without the fault they fail at once.
func TestConnSlowClose(t *testing.T) {
	const hold = 1500 * time.Millisecond
	for _, tc := range []struct {
		name string
		lf   transport.LinkFaults
		from string
		min  time.Duration // earliest failure after the close
	}{
		{"healthy", transport.LinkFaults{}, "client", 0},
		{"request link", transport.LinkFaults{Conn: transport.ConnSlowClose, SlowClose: hold}, "client", hold},
		{"reply link", transport.LinkFaults{Conn: transport.ConnSlowClose, SlowClose: hold}, "server", hold},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkGoroutines(t)
			p := newFaultyPair(t, 1, Config{Conns: 1})
			to := map[string]string{"client": "server", "server": "client"}[tc.from]
			p.set(t, tc.from, to, tc.lf)
			errs := make(chan error, 2)
			go func() {
				_, err := p.call("Echo.Wait", &EchoArgs{}, 10*time.Second)
				errs <- err
			}()
			waitFor(t, "the call to run", func() bool { return p.e.calls.Load() == 1 })
			cc := p.c.slots[0].cur.Load()
			// The server hangs up.
			t0 := time.Now()
			p.l.mu.Lock()
			for sc := range p.l.conns {
				sc.shutdown()
			}
			p.l.mu.Unlock()
			if tc.min > 0 {
				waitFor(t, "the slow close to begin", func() bool {
					cc.mu.Lock()
					defer cc.mu.Unlock()
					return cc.closing
				})
				// A call made now still goes to the closing connection
				// and waits with the others (unless, on a slow machine,
				// the hold is over by the time it starts).
				go func() {
					_, err := p.call("Echo.Echo", &EchoArgs{}, 10*time.Second)
					if err == nil && time.Since(t0) < hold {
						err = errors.New("a call sent during the slow close succeeded")
					}
					errs <- err
				}()
			}
			for i := 0; i < 1 || (tc.min > 0 && i < 2); i++ {
				err := <-errs
				took := time.Since(t0)
				if err == nil && i == 1 {
					continue // the late call above, after the hold
				}
				if !errors.Is(err, transport.ErrUnreachable) {
					t.Errorf("call on the closed connection: %v, want ErrUnreachable", err)
				}
				// Without the fault, the failure comes well before the
				// hold; with it, not before.
				if took < tc.min || (tc.min == 0 && took >= hold) || took > tc.min+5*time.Second {
					t.Errorf("call failed %v after the close, want %v", took, tc.min)
				}
			}
			p.e.unblock()
			p.f.HealAll()
			if _, err := p.call("Echo.Echo", &EchoArgs{}, 5*time.Second); err != nil {
				t.Errorf("call after: %v", err)
			}
		})
	}
}

// TestResetWithSlowClose checks that a reset under a slow close on the
// reverse link fails the calls in flight after SlowClose.
func TestResetWithSlowClose(t *testing.T) {
	checkGoroutines(t)
	const hold = 250 * time.Millisecond
	p := newFaultyPair(t, 1, Config{Conns: 1})
	p.set(t, "server", "client", transport.LinkFaults{Conn: transport.ConnSlowClose, SlowClose: hold})
	errs := make(chan error, 1)
	go func() {
		_, err := p.call("Echo.Wait", &EchoArgs{}, 10*time.Second)
		errs <- err
	}()
	waitFor(t, "the call to run", func() bool { return p.e.calls.Load() == 1 })
	t0 := time.Now()
	p.set(t, "client", "server", transport.LinkFaults{Conn: transport.ConnReset})
	err := <-errs
	if took := time.Since(t0); !errors.Is(err, transport.ErrUnreachable) || took < hold || took > hold+5*time.Second {
		t.Errorf("reset call: %v after %v, want ErrUnreachable after %v", err, took, hold)
	}
	p.e.unblock()
	p.f.HealAll()
	if _, err := p.call("Echo.Echo", &EchoArgs{}, 5*time.Second); err != nil {
		t.Errorf("call after: %v", err)
	}
}
