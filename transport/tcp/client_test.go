package tcp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"faultline/transport"
)

func TestRoundTrip(t *testing.T) {
	checkGoroutines(t)
	l, _ := newEchoServer(t, Config{})
	c := dial(t, l.Addr(), Config{CallTimeout: time.Minute})
	for _, tc := range []struct {
		name string
		args EchoArgs
	}{
		{"zero", EchoArgs{}},
		{"small", EchoArgs{N: 41, S: "hi"}},
		{"larger than a read buffer", EchoArgs{N: 1, Pad: bytes.Repeat([]byte("x"), 3*bufSize+17)}},
		{"megabytes", EchoArgs{N: 2, Pad: bytes.Repeat([]byte("y"), 2<<20)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r EchoReply
			if err := c.CallContext(context.Background(), "Echo.Echo", &tc.args, &r); err != nil {
				t.Fatal(err)
			}
			if r.N != tc.args.N+1 || r.S != tc.args.S || !bytes.Equal(r.Pad, tc.args.Pad) {
				t.Fatalf("reply N=%d S=%q len(Pad)=%d, want N=%d S=%q len(Pad)=%d",
					r.N, r.S, len(r.Pad), tc.args.N+1, tc.args.S, len(tc.args.Pad))
			}
			r = EchoReply{}
			if !c.Call("Echo.Echo", &tc.args, &r) || r.N != tc.args.N+1 {
				t.Fatalf("Call: reply %d, want %d", r.N, tc.args.N+1)
			}
		})
	}
}

// TestConcurrentCallers checks that replies multiplexed over shared
// connections reach the right callers.
func TestConcurrentCallers(t *testing.T) {
	checkGoroutines(t)
	l, e := newEchoServer(t, Config{})
	for _, conns := range []int{1, 3} {
		t.Run(fmt.Sprintf("conns=%d", conns), func(t *testing.T) {
			c := dial(t, l.Addr(), Config{Conns: conns})
			const callers, calls = 16, 25
			before := e.calls.Load()
			var wg sync.WaitGroup
			errs := make(chan error, callers)
			for g := range callers {
				wg.Go(func() {
					for i := range calls {
						n := g*1000 + i
						args := EchoArgs{N: n, S: fmt.Sprint(n)}
						var r EchoReply
						if err := c.CallContext(context.Background(), "Echo.Echo", &args, &r); err != nil {
							errs <- err
							return
						}
						if r.N != n+1 || r.S != args.S {
							errs <- fmt.Errorf("caller %d call %d: got reply %+v", g, i, r)
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if got := e.calls.Load() - before; got != callers*calls {
				t.Errorf("server executed %d calls, want %d", got, callers*calls)
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	checkGoroutines(t)
	l, e := newEchoServer(t, Config{})
	c := dial(t, l.Addr(), Config{CallTimeout: 50 * time.Millisecond})
	var r EchoReply

	start := time.Now()
	if c.Call("Echo.Wait", &EchoArgs{}, &r) {
		t.Fatal("Call of a blocked handler returned true")
	}
	if el := time.Since(start); el < 50*time.Millisecond {
		t.Errorf("Call returned after %v, before its 50ms timeout", el)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	err := c.CallContext(ctx, "Echo.Wait", &EchoArgs{}, &r)
	if !errors.Is(err, transport.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("CallContext err = %v, want ErrTimeout wrapping DeadlineExceeded", err)
	}

	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if err := c.CallContext(ctx, "Echo.Echo", &EchoArgs{}, &r); !errors.Is(err, transport.ErrTimeout) {
		t.Fatalf("cancelled context: err = %v, want ErrTimeout", err)
	}

	// The late replies are discarded and the connection still works.
	e.unblock()
	for i := range 5 {
		r = EchoReply{}
		if err := c.CallContext(context.Background(), "Echo.Echo", &EchoArgs{N: i}, &r); err != nil || r.N != i+1 {
			t.Fatalf("call after timeouts: err %v, reply %+v", err, r)
		}
	}
}

// TestRemoteErrors checks that dispatch failures come back as
// *transport.RemoteError over a connection that stays up.
func TestRemoteErrors(t *testing.T) {
	checkGoroutines(t)
	l, _ := newEchoServer(t, Config{})
	c := dial(t, l.Addr(), Config{Conns: 1})
	var r EchoReply
	if err := c.CallContext(context.Background(), "Echo.Echo", &EchoArgs{N: 1}, &r); err != nil {
		t.Fatal(err)
	}
	cc := c.slots[0].cur.Load()
	for _, tc := range []struct {
		name, svcMeth string
		args          any
		want          error
	}{
		{"unknown method", "Echo.Nope", &EchoArgs{}, transport.ErrUnknownMethod},
		{"unknown service", "Nope.Echo", &EchoArgs{}, transport.ErrUnknownService},
		{"not Service.Method", "Echo", &EchoArgs{}, transport.ErrUnknownService},
		{"empty name", "", &EchoArgs{}, transport.ErrUnknownService},
		{"bad args", "Echo.Echo", "not a struct", transport.ErrBadArgs},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := c.CallContext(context.Background(), tc.svcMeth, tc.args, &r)
			var re *transport.RemoteError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want a *transport.RemoteError", err)
			}
			if !bytes.Contains([]byte(re.Msg), []byte(tc.want.Error())) {
				t.Errorf("remote error %q does not say %q", re.Msg, tc.want)
			}
			if c.Call(tc.svcMeth, tc.args, &r) {
				t.Error("Call returned true")
			}
		})
	}
	if err := c.CallContext(context.Background(), "Echo.Echo", &EchoArgs{N: 1}, &r); err != nil {
		t.Fatal(err)
	}
	if now := c.slots[0].cur.Load(); now != cc || cc.dead.Load() {
		t.Error("a remote error replaced the connection")
	}
}

func TestFrameSizeLimits(t *testing.T) {
	checkGoroutines(t)
	l, _ := newEchoServer(t, Config{MaxFrameSize: 64 << 10})
	big := EchoArgs{Pad: make([]byte, 100<<10)}
	var r EchoReply

	t.Run("request over the client's limit", func(t *testing.T) {
		c := dial(t, l.Addr(), Config{MaxFrameSize: 64 << 10})
		err := c.CallContext(context.Background(), "Echo.Echo", &big, &r)
		if !errors.Is(err, errFrameTooLarge) {
			t.Fatalf("err = %v, want errFrameTooLarge", err)
		}
		if err := c.CallContext(context.Background(), "Echo.Echo", &EchoArgs{}, &r); err != nil {
			t.Fatalf("small call after a large one: %v", err)
		}
	})
	t.Run("request over the server's limit", func(t *testing.T) {
		c := dial(t, l.Addr(), Config{Conns: 1})
		err := c.CallContext(context.Background(), "Echo.Echo", &big, &r)
		if !errors.Is(err, transport.ErrUnreachable) {
			t.Fatalf("err = %v, want ErrUnreachable (server hung up)", err)
		}
		// The client reconnects.
		if err := c.CallContext(context.Background(), "Echo.Echo", &EchoArgs{}, &r); err != nil {
			t.Fatalf("small call after reconnecting: %v", err)
		}
	})
	t.Run("reply over the server's limit", func(t *testing.T) {
		c := dial(t, l.Addr(), Config{Conns: 1})
		err := c.CallContext(context.Background(), "Echo.Grow", &EchoArgs{N: 100 << 10}, &r)
		if !transport.IsRemote(err) || !strings.Contains(err.Error(), errFrameTooLarge.Error()) {
			t.Fatalf("err = %v, want a remote error saying %q", err, errFrameTooLarge)
		}
		cc := c.slots[0].cur.Load()
		if err := c.CallContext(context.Background(), "Echo.Grow", &EchoArgs{N: 10 << 10}, &r); err != nil || len(r.Pad) != 10<<10 {
			t.Fatalf("small reply after a large one: err %v, %d bytes", err, len(r.Pad))
		}
		if c.slots[0].cur.Load() != cc {
			t.Error("the connection was replaced")
		}
	})
	t.Run("reply over the client's limit", func(t *testing.T) {
		l2, _ := newEchoServer(t, Config{})
		c := dial(t, l2.Addr(), Config{Conns: 1, MaxFrameSize: 64 << 10})
		err := c.CallContext(context.Background(), "Echo.Grow", &EchoArgs{N: 100 << 10}, &r)
		if !errors.Is(err, transport.ErrUnreachable) || !errors.Is(err, errFrameTooLarge) {
			t.Fatalf("err = %v, want ErrUnreachable wrapping errFrameTooLarge", err)
		}
		if err := c.CallContext(context.Background(), "Echo.Grow", &EchoArgs{N: 10 << 10}, &r); err != nil {
			t.Fatalf("small reply after reconnecting: %v", err)
		}
	})
}

func TestUnreachable(t *testing.T) {
	checkGoroutines(t)
	// A port nobody listens on: bind one, then close it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	c := dial(t, addr, Config{BackoffMin: time.Hour, BackoffMax: time.Hour})
	var r EchoReply
	err = c.CallContext(context.Background(), "Echo.Echo", &EchoArgs{}, &r)
	if !errors.Is(err, transport.ErrUnreachable) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("err = %v, want ErrUnreachable wrapping ECONNREFUSED", err)
	}
	if c.Call("Echo.Echo", &EchoArgs{}, &r) {
		t.Fatal("Call to a closed port returned true")
	}
	// Both slots are now backing off for an hour: calls fail at once,
	// still saying why.
	start := time.Now()
	err = c.CallContext(context.Background(), "Echo.Echo", &EchoArgs{}, &r)
	if !errors.Is(err, transport.ErrUnreachable) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("during backoff: err = %v, want ErrUnreachable wrapping ECONNREFUSED", err)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("call during backoff took %v", el)
	}
}

// TestServerRestart checks that calls fail while the server is down and
// succeed again, over new connections, once it is back on the same address.
func TestServerRestart(t *testing.T) {
	checkGoroutines(t)
	e := newEcho()
	l := listenEcho(t, "127.0.0.1:0", e, Config{})
	addr := l.Addr()
	c := dial(t, addr, Config{BackoffMin: time.Millisecond, BackoffMax: 20 * time.Millisecond})
	var r EchoReply
	if !c.Call("Echo.Echo", &EchoArgs{N: 1}, &r) {
		t.Fatal("first call failed")
	}

	// A call in flight when the server goes away fails as unreachable.
	done := make(chan error, 1)
	go func() { done <- c.CallContext(context.Background(), "Echo.Wait", &EchoArgs{}, &EchoReply{}) }()
	waitFor(t, "Wait to reach the server", func() bool { return e.calls.Load() == 2 })
	l.Close()
	if err := <-done; !errors.Is(err, transport.ErrUnreachable) {
		t.Fatalf("in-flight call: err = %v, want ErrUnreachable", err)
	}
	if err := c.CallContext(context.Background(), "Echo.Echo", &EchoArgs{}, &r); !errors.Is(err, transport.ErrUnreachable) {
		t.Fatalf("server down: err = %v, want ErrUnreachable", err)
	}

	e2 := newEcho()
	listenEcho(t, addr, e2, Config{})
	waitFor(t, "a call to the restarted server", func() bool {
		return c.Call("Echo.Echo", &EchoArgs{N: 5}, &r) && r.N == 6
	})
	if e2.calls.Load() == 0 {
		t.Fatal("restarted server saw no call")
	}
	e.unblock()
}

// TestClientClose checks that Close fails calls in flight, later calls,
// and leaves no goroutine behind.
func TestClientClose(t *testing.T) {
	checkGoroutines(t)
	l, e := newEchoServer(t, Config{})
	c := Dial(l.Addr(), Config{})
	var r EchoReply
	if !c.Call("Echo.Echo", &EchoArgs{}, &r) {
		t.Fatal("call failed")
	}
	const waiting = 5
	errs := make(chan error, waiting)
	for range waiting {
		go func() { errs <- c.CallContext(context.Background(), "Echo.Wait", &EchoArgs{}, &EchoReply{}) }()
	}
	waitFor(t, "the Waits to reach the server", func() bool { return e.calls.Load() == 1+waiting })
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	for range waiting {
		if err := <-errs; !errors.Is(err, transport.ErrClosed) {
			t.Errorf("in-flight call: err = %v, want ErrClosed", err)
		}
	}
	if err := c.CallContext(context.Background(), "Echo.Echo", &EchoArgs{}, &r); !errors.Is(err, transport.ErrClosed) {
		t.Errorf("call after Close: err = %v, want ErrClosed", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestListenerCloseLeaksNothing runs traffic from several clients, closes
// everything, and checks the goroutine count returns to where it was.
func TestListenerCloseLeaksNothing(t *testing.T) {
	checkGoroutines(t)
	l, e := newEchoServer(t, Config{})
	var wg sync.WaitGroup
	for i := range 4 {
		c := dial(t, l.Addr(), Config{Conns: 1 + i%3, CallTimeout: time.Second})
		for j := range 8 {
			wg.Go(func() {
				var r EchoReply
				for k := range 20 {
					c.Call("Echo.Echo", &EchoArgs{N: j*100 + k}, &r)
				}
				c.Call("Echo.Wait", &EchoArgs{}, &r) // still running at Close
			})
		}
	}
	waitFor(t, "traffic", func() bool { return e.calls.Load() >= 4*8*21 })
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	e.unblock()
	// checkGoroutines' cleanup checks that the handlers ended too.
}

// TestSweepTimesOutCalls: Call-form calls of a blocked handler, started
// at different moments (some while the sweeper is idle, some while it
// ticks), each fail with ErrTimeout, never before CallTimeout has passed
// since they started; calls whose replies come in time are untouched; and
// once none is pending the sweeper stops.
func TestSweepTimesOutCalls(t *testing.T) {
	checkGoroutines(t)
	const timeout = 40 * time.Millisecond
	l, e := newEchoServer(t, Config{})
	t.Cleanup(e.unblock)
	c := dial(t, l.Addr(), Config{CallTimeout: timeout})
	for round := range 3 {
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				// Stagger the starts over about two sweeps.
				<-time.After(time.Duration(i) * timeout / sweepTicks / 4)
				start := time.Now()
				var r EchoReply
				err := c.call(context.Background(), true, "Echo.Wait", &EchoArgs{}, &r)
				took := time.Since(start)
				if !errors.Is(err, transport.ErrTimeout) {
					t.Errorf("round %d call %d: err = %v, want ErrTimeout", round, i, err)
				}
				if took < timeout {
					t.Errorf("round %d call %d: timed out after %v, before its %v", round, i, took, timeout)
				}
			})
		}
		for i := range 20 { // replies that come in time are delivered
			var r EchoReply
			start := time.Now()
			err := c.call(context.Background(), true, "Echo.Echo", &EchoArgs{N: i}, &r)
			if errors.Is(err, transport.ErrTimeout) && time.Since(start) >= timeout {
				continue // a loaded machine held the call up for its whole timeout
			}
			if err != nil || r.N != i+1 {
				t.Fatalf("round %d: Echo %d after %v: err %v, reply %+v", round, i, time.Since(start), err, r)
			}
		}
		wg.Wait()
		cc := c.slots[0].cur.Load()
		waitFor(t, "the sweeper to stop with no call pending", func() bool { return !cc.sweeper.armed.Load() })
	}
}
