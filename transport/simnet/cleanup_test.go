package simnet

import (
	"context"
	"runtime"
	"testing"
	"time"

	"faultline/transport"
)

// TestCleanup checks that Cleanup fails every waiting call at once, fails
// later calls, and leaves no goroutine behind once handlers return.
func TestCleanup(t *testing.T) {
	base := runtime.NumGoroutine()
	n := MakeNetwork(1)
	j, srv := newJunkServer(t)
	n.AddServer("s1", srv)
	n.LongDelays(true)
	blocked := connect(n, "blocked", "s1")
	slow := connect(n, "slow", "s1")
	n.SetOrigin("slow", "c")
	if err := n.SetLink("c", "s1", transport.LinkFaults{Delay: time.Hour}); err != nil {
		t.Fatal(err)
	}
	held := connect(n, "held", "s1")
	disabled := n.MakeEnd("disabled")

	errs := make(chan error, 4)
	for _, c := range []struct {
		e    *ClientEnd
		meth string
	}{{blocked, "Junk.Block"}, {slow, "Junk.Double"}, {held, "Junk.Block"}, {disabled, "Junk.Double"}} {
		go func() { errs <- c.e.CallContext(context.Background(), c.meth, &JunkArgs{}, &JunkReply{}) }()
	}
	waitFor(t, "both Block handlers to start", func() bool { return j.calls.Load() == 2 })
	start := time.Now()
	n.Cleanup()
	for range 4 {
		wantCallError(t, errs, transport.ErrClosed, "call waiting at Cleanup")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("waiting calls took %v to fail after Cleanup", d)
	}
	if held.Call("Junk.Double", &JunkArgs{}, &JunkReply{}) {
		t.Error("Call after Cleanup succeeded")
	}
	n.Cleanup() // idempotent

	close(j.release)
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines after Cleanup, %d before:\n%s",
				runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}
