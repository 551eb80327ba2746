package transporttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"faultline/transport"
)

// Bounds used by the suite. They are generous so that the suite does not
// flake on a loaded machine under -race, yet every wait is bounded.
const (
	// okWithin bounds a call that must succeed.
	okWithin = 10 * time.Second
	// failWithin is the deadline given to a call that must fail; a timeout at
	// it counts as a failure of the expected kind.
	failWithin = time.Second
	// slack is how much later than its deadline a call may return.
	slack = 2 * time.Second
)

// Run runs every conformance case against the transport built by
// newHarness, each case as a subtest with its own harness.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	cases := []struct {
		name string
		fn   func(t *testing.T, h Harness)
	}{
		{"RoundTrip", testRoundTrip},
		{"ConcurrentCallers", testConcurrentCallers},
		{"Timeout", testTimeout},
		{"RemoteErrors", testRemoteErrors},
		{"Restart", testRestart},
		{"LinkValidate", testLinkValidate},
		{"LinkBlocked", testLinkBlocked},
		{"LinkDrop", testLinkDrop},
		{"LinkDelay", testLinkDelay},
		{"LinkDuplicate", testLinkDuplicate},
		{"LinkReorder", testLinkReorder},
		{"HealAll", testHealAll},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.fn(t, newHarness(t))
		})
	}
}

// serve starts node name with a fresh Echo signed with id.
func serve(t *testing.T, h Harness, name, id string) *Echo {
	t.Helper()
	e := NewEcho(id)
	srv := transport.NewServer()
	if err := srv.Register(e); err != nil {
		t.Fatalf("register Echo: %v", err)
	}
	addr := h.Serve(t, name, srv)
	t.Logf("node %s (%s) serving at %s", name, id, addr)
	// Registered after the harness's own cleanups, so it runs before them:
	// held handlers return before the transport is torn down.
	t.Cleanup(e.Release)
	return e
}

// echo makes one Echo call bounded by d.
func echo(c transport.ContextCaller, d time.Duration, args *EchoArgs) (EchoReply, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var reply EchoReply
	err := c.CallContext(ctx, "Echo.Echo", args, &reply)
	return reply, err
}

// mustEcho makes a call that must succeed and answer seq from server.
func mustEcho(t *testing.T, c transport.ContextCaller, seq int, server string) {
	t.Helper()
	reply, err := echo(c, okWithin, &EchoArgs{Seq: seq})
	if err != nil {
		t.Fatalf("call %d to %s: %v", seq, server, err)
	}
	if reply.Seq != seq || reply.Server != server {
		t.Fatalf("call %d: reply %+v, want Seq %d from %s", seq, reply, seq, server)
	}
}

// mustFail makes a call that must fail with ErrUnreachable or ErrTimeout.
func mustFail(t *testing.T, c transport.ContextCaller, seq int, what string) {
	t.Helper()
	start := time.Now()
	_, err := echo(c, failWithin, &EchoArgs{Seq: seq})
	if err := checkLost(err); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if d := time.Since(start); d > failWithin+slack {
		t.Fatalf("%s: failing call took %v, want at most %v", what, d, failWithin+slack)
	}
}

// checkLost says why err is not the error of a lost call.
func checkLost(err error) error {
	switch {
	case err == nil:
		return errors.New("call succeeded, want ErrUnreachable or ErrTimeout")
	case errors.Is(err, transport.ErrUnreachable), errors.Is(err, transport.ErrTimeout):
		return nil
	default:
		return fmt.Errorf("call failed with %v, want ErrUnreachable or ErrTimeout", err)
	}
}

// WaitFor polls cond every millisecond until it holds, failing the test
// after 10s: the transports' tests wait on conditions with it, never on
// bare sleeps.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	eventually(t, 10*time.Second, "waiting for "+what, cond)
}

// eventually polls cond every millisecond until it holds or d passes.
func eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(time.Millisecond)
	}
}

func testRoundTrip(t *testing.T, h Harness) {
	b := serve(t, h, "b", "b")
	c := h.Dial(t, "a", "b")
	for i, size := range []int{0, 1, 1000, 1 << 18} {
		payload := bytes.Repeat([]byte{byte(i + 1)}, size)
		reply, err := echo(c, okWithin, &EchoArgs{Seq: i, Payload: payload})
		if err != nil {
			t.Fatalf("CallContext with %d-byte payload: %v", size, err)
		}
		if reply.Seq != i || reply.Server != "b" || !bytes.Equal(reply.Payload, payload) {
			t.Fatalf("CallContext with %d-byte payload: reply Seq %d Server %q, %d payload bytes",
				size, reply.Seq, reply.Server, len(reply.Payload))
		}
	}
	var reply EchoReply
	if !c.Call("Echo.Echo", &EchoArgs{Seq: 99}, &reply) {
		t.Fatal("Call returned false on a healthy network")
	}
	if reply.Seq != 99 || reply.Server != "b" {
		t.Fatalf("Call: reply %+v, want Seq 99 from b", reply)
	}
	if got, want := b.Calls(), 5; got != want {
		t.Fatalf("handler ran %d times, want %d", got, want)
	}
}

func testConcurrentCallers(t *testing.T, h Harness) {
	const goroutines, calls = 64, 40
	b := serve(t, h, "b", "b")
	shared := h.Dial(t, "a", "b")
	own := h.Dial(t, "c", "b")
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		c := shared
		if g%2 == 1 {
			c = own
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				seq := g*calls + i
				payload := []byte(fmt.Sprintf("g%d-i%d", g, i))
				reply, err := echo(c, okWithin, &EchoArgs{Seq: seq, Payload: payload})
				if err != nil {
					errs <- fmt.Errorf("goroutine %d call %d: %w", g, i, err)
					return
				}
				if reply.Seq != seq || !bytes.Equal(reply.Payload, payload) {
					errs <- fmt.Errorf("goroutine %d call %d: got the reply of Seq %d (%q)", g, i, reply.Seq, reply.Payload)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got, want := b.Calls(), goroutines*calls; got != want {
		t.Fatalf("handler ran %d times, want %d", got, want)
	}
}

func testTimeout(t *testing.T, h Harness) {
	const deadline = 200 * time.Millisecond
	b := serve(t, h, "b", "b")
	c := h.Dial(t, "a", "b")

	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	var reply EchoReply
	err := c.CallContext(ctx, "Echo.Hold", &EchoArgs{Seq: 1, Max: time.Minute}, &reply)
	elapsed := time.Since(start)
	if !errors.Is(err, transport.ErrTimeout) {
		t.Fatalf("call to a held handler = %v, want ErrTimeout", err)
	}
	if elapsed < deadline*9/10 || elapsed > deadline+slack {
		t.Fatalf("timed-out call returned after %v, want about %v", elapsed, deadline)
	}

	expired, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if err := c.CallContext(expired, "Echo.Echo", &EchoArgs{Seq: 2}, &reply); !errors.Is(err, transport.ErrTimeout) {
		t.Fatalf("call with a cancelled context = %v, want ErrTimeout", err)
	}

	// The caller and the server survive the timeout.
	b.Release()
	mustEcho(t, c, 3, "b")
	eventually(t, okWithin, "held handler to finish", func() bool { return b.Calls() >= 2 })
}

func testRemoteErrors(t *testing.T, h Harness) {
	b := serve(t, h, "b", "b")
	c := h.Dial(t, "a", "b")
	cases := []struct {
		name    string
		svcMeth string
		args    any
	}{
		{"UnknownService", "Nope.Echo", &EchoArgs{Seq: 1}},
		{"UnknownMethod", "Echo.Nope", &EchoArgs{Seq: 1}},
		{"NotServiceDotMethod", "Echo", &EchoArgs{Seq: 1}},
		{"BadArgs", "Echo.Echo", "not an EchoArgs"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), okWithin)
			defer cancel()
			var reply EchoReply
			err := c.CallContext(ctx, tc.svcMeth, tc.args, &reply)
			var re *transport.RemoteError
			if !errors.As(err, &re) {
				t.Fatalf("CallContext(%q) = %v, want a *transport.RemoteError", tc.svcMeth, err)
			}
			if errors.Is(err, transport.ErrTimeout) || errors.Is(err, transport.ErrUnreachable) {
				t.Fatalf("remote error %v also matches a transport error", err)
			}
			if c.Call(tc.svcMeth, tc.args, &reply) {
				t.Fatalf("Call(%q) returned true", tc.svcMeth)
			}
			// The server keeps serving, on the same caller.
			mustEcho(t, c, 100+i, "b")
		})
	}
	if got, want := b.Calls(), len(cases); got != want {
		t.Fatalf("handler ran %d times, want %d (only the good calls)", got, want)
	}
}

func testRestart(t *testing.T, h Harness) {
	serve(t, h, "b", "b1")
	c := h.Dial(t, "a", "b")
	mustEcho(t, c, 1, "b1")

	h.Stop(t, "b")
	mustFail(t, c, 2, "call to a stopped node")

	b2 := serve(t, h, "b", "b2")
	var last error
	eventually(t, okWithin, "same caller to reach the restarted node", func() bool {
		var reply EchoReply
		reply, last = echo(c, failWithin, &EchoArgs{Seq: 3})
		return last == nil && reply.Server == "b2"
	})
	mustEcho(t, c, 4, "b2")
	if b2.Calls() < 2 {
		t.Fatalf("restarted node ran %d calls, want >= 2", b2.Calls())
	}
}
