package simnet

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"faultline/transport"
)

func TestLinkFaultsNeedOrigin(t *testing.T) {
	n := newNet(t)
	j, srv := newJunkServer(t)
	n.AddServer("s1", srv)
	e := connect(n, "e1", "s1")
	if err := n.SetLink("n1", "s1", transport.LinkFaults{Blocked: true}); err != nil {
		t.Fatal(err)
	}
	if !e.Call("Junk.Double", &JunkArgs{X: 1}, &JunkReply{}) {
		t.Fatal("link faults applied to an end without an origin")
	}
	n.SetOrigin("e1", "n1")
	if e.Call("Junk.Double", &JunkArgs{X: 1}, &JunkReply{}) {
		t.Fatal("call over blocked n1->s1 succeeded")
	}
	if got := j.calls.Load(); got != 1 {
		t.Fatalf("handler ran %d times, want 1", got)
	}
	n.SetOrigin("e1", "n2")
	if !e.Call("Junk.Double", &JunkArgs{X: 1}, &JunkReply{}) {
		t.Fatal("call from n2 failed: n1's faults followed the end")
	}
	if err := n.SetLink("", "s1", transport.LinkFaults{}); err == nil {
		t.Fatal("SetLink accepted an empty node name")
	}
}

func TestDuplicateCountsTwice(t *testing.T) {
	n := newNet(t)
	j, srv := newJunkServer(t)
	n.AddServer("s1", srv)
	e := connect(n, "e1", "s1")
	n.SetOrigin("e1", "c")
	if err := n.SetLink("c", "s1", transport.LinkFaults{Duplicate: 1}); err != nil {
		t.Fatal(err)
	}
	var reply JunkReply
	if !e.Call("Junk.Double", &JunkArgs{X: 5}, &reply) || reply.X != 10 {
		t.Fatalf("duplicated call: reply %+v", reply)
	}
	waitFor(t, "duplicate to run", func() bool { return j.calls.Load() == 2 })
	if got := n.GetCount("s1"); got != 2 {
		t.Fatalf("GetCount = %d, want 2", got)
	}
}

func TestBlockedLinkHonoursLongDelays(t *testing.T) {
	const calls = 20
	n := newNet(t)
	_, srv := newJunkServer(t)
	n.AddServer("s1", srv)
	e := connect(n, "e1", "s1")
	n.SetOrigin("e1", "c")
	if err := n.SetLink("c", "s1", transport.LinkFaults{Blocked: true}); err != nil {
		t.Fatal(err)
	}
	n.LongDelays(true)
	errs := make(chan error, calls)
	for range calls {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
			defer cancel()
			errs <- e.CallContext(ctx, "Junk.Double", &JunkArgs{}, &JunkReply{})
		}()
	}
	timeouts := 0
	for range calls {
		switch err := <-errs; {
		case errors.Is(err, transport.ErrTimeout):
			timeouts++
		case !errors.Is(err, transport.ErrUnreachable):
			t.Fatalf("call over a blocked link: %v", err)
		}
	}
	if timeouts == 0 {
		t.Fatal("no call over a blocked link took long to fail under LongDelays")
	}
}

// outcomes makes sequential calls over a faulty link and describes what
// happened to each; with one call in flight at a time, the random draws
// happen in a fixed order, so the description is a function of the seed.
func outcomes(t *testing.T, seed int64) string {
	n := MakeNetwork(seed)
	defer n.Cleanup()
	j, srv := newJunkServer(t)
	n.AddServer("s1", srv)
	e := connect(n, "e1", "s1")
	n.SetOrigin("e1", "c")
	faults := transport.LinkFaults{Drop: 0.3, Duplicate: 0.3, Jitter: time.Microsecond, Reorder: 0.5, ReorderDelay: time.Microsecond}
	if err := n.SetLink("c", "s1", faults); err != nil {
		t.Fatal(err)
	}
	if err := n.SetLink("s1", "c", transport.LinkFaults{Drop: 0.2}); err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 0, 100)
	for i := range 100 {
		before := j.calls.Load()
		ok := e.Call("Junk.Double", &JunkArgs{X: i}, &JunkReply{})
		waitFor(t, "handlers to settle", func() bool { return j.calls.Load() == int64(n.GetCount("s1")) })
		out = append(out, fmt.Sprint(map[bool]int{false: 0, true: 1}[ok], n.GetCount("s1")-int(before))...)
	}
	return string(out)
}

func TestSameSeedSameOutcomes(t *testing.T) {
	seed := *seedFlag
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	a, b := outcomes(t, seed), outcomes(t, seed)
	if a != b {
		t.Fatalf("seed %d gave two histories:\n%s\n%s", seed, a, b)
	}
	if c := outcomes(t, seed+1); c == a {
		t.Fatalf("seeds %d and %d gave the same history %s", seed, seed+1, a)
	}
}
