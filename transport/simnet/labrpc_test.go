package simnet

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"faultline/transport"
	"faultline/transport/wire"
)

func TestCountsAndBytes(t *testing.T) {
	n := newNet(t)
	_, srv1 := newJunkServer(t)
	_, srv2 := newJunkServer(t)
	n.AddServer("s1", srv1)
	n.AddServer("s2", srv2)
	e1 := connect(n, "e1", "s1")
	e2 := connect(n, "e2", "s2")
	off := n.MakeEnd("off")
	n.Connect("off", "s1")

	var want int64
	for i := range 7 {
		args := &JunkArgs{X: i, S: "payload"}
		var reply JunkReply
		if !e1.Call("Junk.Double", args, &reply) {
			t.Fatalf("call %d failed", i)
		}
		want += encodedLen(t, args) + encodedLen(t, &reply)
	}
	for i := range 3 {
		var reply JunkReply
		if !e2.Call("Junk.Double", &JunkArgs{X: i}, &reply) {
			t.Fatalf("call %d to s2 failed", i)
		}
		want += encodedLen(t, &JunkArgs{X: i}) + encodedLen(t, &reply)
	}
	// An undeliverable call is counted, and so are its request bytes.
	if off.Call("Junk.Double", &JunkArgs{X: 1}, &JunkReply{}) {
		t.Fatal("call through a disabled end succeeded")
	}
	want += encodedLen(t, &JunkArgs{X: 1})

	if got := n.GetCount("s1"); got != 7 {
		t.Errorf("GetCount(s1) = %d, want 7", got)
	}
	if got := n.GetCount("s2"); got != 3 {
		t.Errorf("GetCount(s2) = %d, want 3", got)
	}
	if got := n.GetCount("nobody"); got != 0 {
		t.Errorf("GetCount(nobody) = %d, want 0", got)
	}
	if got := n.GetTotalCount(); got != 11 {
		t.Errorf("GetTotalCount = %d, want 11", got)
	}
	if got := n.GetTotalBytes(); got != want {
		t.Errorf("GetTotalBytes = %d, want %d", got, want)
	}
	// A re-added server starts counting afresh, as in labrpc.
	_, srv3 := newJunkServer(t)
	n.AddServer("s1", srv3)
	if got := n.GetCount("s1"); got != 0 {
		t.Errorf("GetCount(s1) after AddServer = %d, want 0", got)
	}
}

func encodedLen(t *testing.T, v any) int64 {
	t.Helper()
	b, err := wire.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return int64(len(b))
}

func TestUnconnectedAndMissingServer(t *testing.T) {
	n := newNet(t)
	e := n.MakeEnd("e")
	n.Enable("e", true)
	var reply JunkReply
	if err := e.CallContext(context.Background(), "Junk.Double", &JunkArgs{}, &reply); !errors.Is(err, transport.ErrUnreachable) {
		t.Fatalf("unconnected end: %v, want ErrUnreachable", err)
	}
	n.Connect("e", "later")
	if err := e.CallContext(context.Background(), "Junk.Double", &JunkArgs{}, &reply); !errors.Is(err, transport.ErrUnreachable) {
		t.Fatalf("end connected to a missing server: %v, want ErrUnreachable", err)
	}
	_, srv := newJunkServer(t)
	n.AddServer("later", srv)
	if !e.Call("Junk.Double", &JunkArgs{X: 4}, &reply) || reply.X != 8 {
		t.Fatalf("call after AddServer: reply %+v", reply)
	}
}

func TestDisableFailsInFlight(t *testing.T) {
	n, j, e := junkNet(t)
	errc := callBlocked(t, e, j)
	n.Enable("e1", false)
	n.Enable("e1", true) // re-enabling does not revive the call
	close(j.release)
	if err := <-errc; !errors.Is(err, transport.ErrUnreachable) {
		t.Fatalf("call in flight across a disable = %v, want ErrUnreachable", err)
	}
	var reply JunkReply
	if !e.Call("Junk.Double", &JunkArgs{X: 1}, &reply) {
		t.Fatal("call after re-enabling failed")
	}
}

func TestRemoteErrorsAndDecode(t *testing.T) {
	n, _, e := junkNet(t)
	ctx := context.Background()

	err := e.CallContext(ctx, "Junk.Missing", &JunkArgs{}, &JunkReply{})
	var re *transport.RemoteError
	if !errors.As(err, &re) {
		t.Fatalf("unknown method: %v, want RemoteError", err)
	}
	if e.Call("Junk.Missing", &JunkArgs{}, &JunkReply{}) {
		t.Fatal("Call of an unknown method returned true")
	}
	// A reply that does not fit the caller's reply type.
	var wrong string
	if err := e.CallContext(ctx, "Junk.Double", &JunkArgs{X: 1}, &wrong); !errors.As(err, &re) {
		t.Fatalf("undecodable reply: %v, want RemoteError", err)
	}
	// Arguments that cannot be encoded fail locally, before the network.
	before := n.GetTotalCount()
	err = e.CallContext(ctx, "Junk.Double", complex(1, 2), &JunkReply{})
	if err == nil || errors.As(err, &re) || errors.Is(err, transport.ErrUnreachable) {
		t.Fatalf("unencodable args: %v, want a local encoding error", err)
	}
	if n.GetTotalCount() != before {
		t.Fatal("an unencodable call was counted as sent")
	}
}

func TestMakeEndTwicePanics(t *testing.T) {
	n := newNet(t)
	n.MakeEnd("e")
	defer func() {
		if recover() == nil {
			t.Fatal("second MakeEnd(e) did not panic")
		}
	}()
	n.MakeEnd("e")
}

// TestUnreliable checks labrpc's unreliable mode: about 10% of requests and
// 10% of the remaining replies are dropped, so about 81% of calls succeed and
// about 90% reach the server.
func TestUnreliable(t *testing.T) {
	const goroutines, calls = 50, 20
	const total = goroutines * calls
	n, j, e := junkNet(t)
	n.Reliable(false)

	var mu sync.Mutex
	ok := 0
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				var reply JunkReply
				if e.Call("Junk.Double", &JunkArgs{X: i}, &reply) {
					if reply.X != 2*i {
						t.Errorf("reply %d, want %d", reply.X, 2*i)
					}
					mu.Lock()
					ok++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	// Binomial bounds of about five standard deviations.
	delivered := int(j.calls.Load())
	if delivered < total*85/100 || delivered > total*95/100 {
		t.Errorf("%d of %d requests delivered, want about 90%%", delivered, total)
	}
	if ok < total*75/100 || ok > total*87/100 {
		t.Errorf("%d of %d calls succeeded, want about 81%%", ok, total)
	}
	if got := n.GetCount("s1"); got != delivered {
		t.Errorf("GetCount = %d, handler ran %d times", got, delivered)
	}

	n.Reliable(true)
	for i := range 20 {
		if !e.Call("Junk.Double", &JunkArgs{X: i}, &JunkReply{}) {
			t.Fatalf("call %d failed after Reliable(true)", i)
		}
	}
}

// TestLongReordering checks that about two thirds of replies are held back
// by 200 ms or more, and none by much more than 2.2 s.
func TestLongReordering(t *testing.T) {
	const calls = 60
	n, _, e := junkNet(t)
	n.LongReordering(true)

	rtts := make([]time.Duration, calls)
	var wg sync.WaitGroup
	for i := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			var reply JunkReply
			if !e.Call("Junk.Double", &JunkArgs{X: i}, &reply) || reply.X != 2*i {
				t.Errorf("call %d failed or got %d", i, reply.X)
			}
			rtts[i] = time.Since(start)
		}()
	}
	wg.Wait()
	held := 0
	for _, d := range rtts {
		if d >= 200*time.Millisecond {
			held++
		}
		if d > 2200*time.Millisecond+2*time.Second {
			t.Errorf("reply held back %v", d)
		}
	}
	// p = 2/3 over 60 calls: mean 40, standard deviation 3.7.
	if held < 22 || held > 58 {
		t.Errorf("%d of %d replies held back, want about two thirds", held, calls)
	}
}

// undeliverable makes calls concurrent calls that cannot be delivered,
// each bounded by deadline, and counts those that hit it; a call failing
// otherwise than unreachable is an error (the what of the message).
func undeliverable(t *testing.T, e *ClientEnd, calls int, deadline time.Duration, what string) (timeouts int) {
	t.Helper()
	errs := make(chan error, calls)
	for range calls {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			errs <- e.CallContext(ctx, "Junk.Double", &JunkArgs{}, &JunkReply{})
		}()
	}
	for range calls {
		switch err := <-errs; {
		case errors.Is(err, transport.ErrTimeout):
			timeouts++
		case !errors.Is(err, transport.ErrUnreachable):
			t.Errorf("%s: %v", what, err)
		}
	}
	return timeouts
}

// TestLongDelays checks how long an undeliverable call takes to fail: under
// 100 ms normally, up to 7 s with LongDelays.
func TestLongDelays(t *testing.T) {
	const calls = 20
	n := newNet(t)
	e := n.MakeEnd("e") // disabled
	run := func(deadline time.Duration) int {
		return undeliverable(t, e, calls, deadline, "call through a disabled end")
	}
	// Short delays: every call fails well within a generous deadline (the
	// deadline only bounds scheduling noise on a loaded machine).
	const short = 5 * time.Second
	start := time.Now()
	if got := run(short); got != 0 {
		t.Errorf("short delays: %d of %d calls hit the %v deadline", got, calls, short)
	}
	if d := time.Since(start); d > short {
		t.Errorf("short delays: %d failing calls took %v", calls, d)
	}
	n.LongDelays(true)
	// P(a delay drawn from [0, 7 s) is under 1.5 s) ~ 0.21, so all 20
	// calls beat the deadline with probability ~ 3e-14.
	const long = 1500 * time.Millisecond
	if got := run(long); got == 0 {
		t.Errorf("long delays: no call out of %d took longer than %v", calls, long)
	}
}
