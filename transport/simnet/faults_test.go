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
	n, j, e := junkNet(t)
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
	n, j, e := junkNet(t)
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
	n, _, e := junkNet(t)
	n.SetOrigin("e1", "c")
	if err := n.SetLink("c", "s1", transport.LinkFaults{Blocked: true}); err != nil {
		t.Fatal(err)
	}
	n.LongDelays(true)
	if undeliverable(t, e, calls, 1500*time.Millisecond, "call over a blocked link") == 0 {
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

// TestExtendedLinkFaults checks the fields beyond the labrpc-style ones:
// connection faults are refused, bandwidth paces messages by their size,
// bursty loss keeps its long-run rate, and a pareto delay has its mean.
func TestExtendedLinkFaults(t *testing.T) {
	n, _, e := junkNet(t)
	n.SetOrigin("e1", "c")
	for _, cf := range []transport.ConnFault{transport.ConnReset, transport.ConnStall, transport.ConnSlowClose} {
		err := n.SetLink("c", "s1", transport.LinkFaults{Conn: cf})
		if !errors.Is(err, transport.ErrFaultUnsupported) {
			t.Errorf("Conn %q: %v, want ErrFaultUnsupported", cf, err)
		}
	}
	if err := n.SupportsLink(transport.LinkFaults{Bandwidth: 1, Drop: 0.5, Burst: 3, Distribution: transport.DelayPareto}); err != nil {
		t.Errorf("SupportsLink: %v", err)
	}
	call := func(s string) (time.Duration, error) {
		t0 := time.Now()
		err := e.CallContext(context.Background(), "Junk.Double", &JunkArgs{X: 1, S: s}, &JunkReply{})
		return time.Since(t0), err
	}

	// 10 KB at 100 KB/s: 100ms for the request, and the reply (twice the
	// string) has no limit.
	if err := n.SetLink("c", "s1", transport.LinkFaults{Bandwidth: 100_000}); err != nil {
		t.Fatal(err)
	}
	big := string(make([]byte, 10_000))
	if took, err := call(big); err != nil || took < 95*time.Millisecond || took > time.Second {
		t.Errorf("10 KB at 100 KB/s: %v after %v, want about 100ms", err, took)
	}
	// Three at once queue: the last is done after about 300ms.
	t0 := time.Now()
	errs := make(chan error, 3)
	for range 3 {
		go func() { _, err := call(big); errs <- err }()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(t0); took < 290*time.Millisecond || took > 2*time.Second {
		t.Errorf("3 x 10 KB at 100 KB/s took %v, want about 300ms", took)
	}

	// Bursty loss: about 40% of 2000 calls lost.
	if err := n.SetLink("c", "s1", transport.LinkFaults{Drop: 0.4, Burst: 4}); err != nil {
		t.Fatal(err)
	}
	lost := 0
	for range 2000 {
		if _, err := call(""); err != nil {
			lost++
		}
	}
	if lost < 500 || lost > 1100 { // about five standard deviations (runs of 4 widen the spread)
		t.Errorf("%d of 2000 calls lost at Drop 0.4 Burst 4", lost)
	}

	testParetoDelay(t)
}

// testParetoDelay checks a pareto delay of mean 20ms on a reply link. The
// calls run on a fresh network whose only random draws are the reply
// link's delays, one per call in call order, so a twin source with the
// network's seed replays them exactly: each round trip must take at least
// its own drawn delay and, at best, little more (the smallest excess of 50
// calls, which a loaded machine does not inflate the way it does a mean);
// the distribution's mean is checked on 10,000 draws of the twin, not on
// wall-clock times.
func testParetoDelay(t *testing.T) {
	n, _, e := junkNet(t)
	n.SetOrigin("e1", "c")
	f := transport.LinkFaults{Delay: 20 * time.Millisecond, Jitter: 5 * time.Millisecond, Distribution: transport.DelayPareto}
	if err := n.SetLink("s1", "c", f); err != nil {
		t.Fatal(err)
	}
	twin := newLockedRand(n.Seed())
	const k = 50
	minExcess := time.Hour
	for i := range k {
		drawn := twin.transit(link{"s1", "c"}, &f, 0)
		t0 := time.Now()
		if err := e.CallContext(context.Background(), "Junk.Double", &JunkArgs{X: 1}, &JunkReply{}); err != nil {
			t.Fatal(err)
		}
		took := time.Since(t0)
		if took < drawn {
			t.Fatalf("pareto call %d took %v, below its drawn delay %v", i, took, drawn)
		}
		minExcess = min(minExcess, took-drawn)
	}
	if minExcess > 10*time.Millisecond {
		t.Errorf("every pareto call took at least %v more than its drawn delay", minExcess)
	}
	var sum time.Duration
	const draws = 10_000
	for range draws {
		d := twin.transit(link{"s1", "c"}, &f, 0)
		if d < 15*time.Millisecond {
			t.Fatalf("pareto delay %v, below the 15ms floor", d)
		}
		sum += d
	}
	if m := sum / draws; m < 19*time.Millisecond || m > 21*time.Millisecond {
		t.Errorf("mean pareto delay of %d draws %v, want about 20ms", draws, m)
	}
}
