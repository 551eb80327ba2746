package transporttest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"faultline/transport"
)

// setLink applies f to from -> to or fails the test.
func setLink(t *testing.T, h Harness, from, to string, f transport.LinkFaults) {
	t.Helper()
	if err := h.Faults().SetLink(from, to, f); err != nil {
		t.Fatalf("SetLink(%s, %s, %+v): %v", from, to, f, err)
	}
}

// rtt times one call that must succeed.
func rtt(t *testing.T, c transport.ContextCaller, seq int, server string) time.Duration {
	t.Helper()
	start := time.Now()
	mustEcho(t, c, seq, server)
	return time.Since(start)
}

func testLinkValidate(t *testing.T, h Harness) {
	serve(t, h, "a", "a")
	serve(t, h, "b", "b")
	lf := h.Faults()
	for _, bad := range []transport.LinkFaults{
		{Drop: 1.5}, {Duplicate: -0.1}, {Reorder: 2}, {Delay: -time.Millisecond}, {Jitter: -1}, {ReorderDelay: -1},
	} {
		if err := lf.SetLink("a", "b", bad); err == nil {
			t.Errorf("SetLink(a, b, %+v) accepted invalid faults", bad)
		}
	}
	if got := lf.Link("a", "b"); !got.Healthy() {
		t.Fatalf("Link(a, b) = %+v after rejected SetLinks, want healthy", got)
	}
	want := transport.LinkFaults{Delay: time.Millisecond, Jitter: 2 * time.Millisecond, Drop: 0.25,
		Duplicate: 0.5, Reorder: 0.75, ReorderDelay: 3 * time.Millisecond}
	setLink(t, h, "a", "b", want)
	if got := lf.Link("a", "b"); got != want {
		t.Fatalf("Link(a, b) = %+v, want %+v", got, want)
	}
	if got := lf.Link("b", "a"); !got.Healthy() {
		t.Fatalf("Link(b, a) = %+v, want healthy (links are directed)", got)
	}
	lf.HealAll()
	if got := lf.Link("a", "b"); !got.Healthy() {
		t.Fatalf("Link(a, b) = %+v after HealAll, want healthy", got)
	}
}

// testLinkBlocked blocks a -> b only. a's requests to b are lost; b's
// requests to a arrive but their replies (a -> b) are lost; links to and
// from c are untouched.
func testLinkBlocked(t *testing.T, h Harness) {
	a := serve(t, h, "a", "a")
	b := serve(t, h, "b", "b")
	serve(t, h, "c", "c")
	ab, ba := h.Dial(t, "a", "b"), h.Dial(t, "b", "a")
	ac, cb, bc := h.Dial(t, "a", "c"), h.Dial(t, "c", "b"), h.Dial(t, "b", "c")
	mustEcho(t, ab, 1, "b")
	mustEcho(t, ba, 2, "a")

	setLink(t, h, "a", "b", transport.LinkFaults{Blocked: true})
	mustFail(t, ab, 3, "call over blocked a->b")
	if got := b.Calls(); got != 1 {
		t.Fatalf("b ran %d calls, want 1: a request crossed blocked a->b", got)
	}
	mustFail(t, ba, 4, "call b->a whose reply crosses blocked a->b")
	eventually(t, okWithin, "b's request to reach a over healthy b->a", func() bool { return a.Calls() == 2 })
	mustEcho(t, ac, 5, "c")
	mustEcho(t, cb, 6, "b")
	mustEcho(t, bc, 7, "c")

	setLink(t, h, "a", "b", transport.LinkFaults{})
	eventually(t, okWithin, "a->b to work after unblocking", func() bool {
		_, err := echo(ab, failWithin, &EchoArgs{Seq: 8})
		return err == nil
	})
	mustEcho(t, ba, 9, "a")
}

// testLinkDrop drops every request, then every reply.
func testLinkDrop(t *testing.T, h Harness) {
	serve(t, h, "a", "a")
	b := serve(t, h, "b", "b")
	ab := h.Dial(t, "a", "b")
	mustEcho(t, ab, 1, "b")

	setLink(t, h, "a", "b", transport.LinkFaults{Drop: 1})
	for i := range 3 {
		mustFail(t, ab, 10+i, "call over a->b with Drop=1")
	}
	if got := b.Calls(); got != 1 {
		t.Fatalf("b ran %d calls, want 1: a request survived Drop=1", got)
	}

	setLink(t, h, "a", "b", transport.LinkFaults{})
	setLink(t, h, "b", "a", transport.LinkFaults{Drop: 1})
	for i := range 3 {
		mustFail(t, ab, 20+i, "call whose reply crosses b->a with Drop=1")
	}
	eventually(t, okWithin, "requests over healthy a->b to reach b", func() bool { return b.Calls() == 4 })

	h.Faults().HealAll()
	mustEcho(t, ab, 30, "b")
}

// testLinkDelay checks that Delay adds to the round trip on each direction
// and that Jitter spreads it.
func testLinkDelay(t *testing.T, h Harness) {
	const delay = 100 * time.Millisecond
	serve(t, h, "a", "a")
	serve(t, h, "b", "b")
	ab := h.Dial(t, "a", "b")
	var base []time.Duration
	for i := range 5 {
		base = append(base, rtt(t, ab, i, "b"))
	}
	slices.Sort(base)
	median := base[len(base)/2]

	check := func(name string, min time.Duration) {
		t.Helper()
		var got []time.Duration
		for i := range 5 {
			got = append(got, rtt(t, ab, 100+i, "b"))
		}
		slices.Sort(got)
		if got[0] < min {
			t.Fatalf("%s: fastest round trip %v, want >= %v", name, got[0], min)
		}
		if m := got[len(got)/2]; m > median+min+slack {
			t.Fatalf("%s: median round trip %v, want about %v + %v", name, m, median, min)
		}
	}
	setLink(t, h, "a", "b", transport.LinkFaults{Delay: delay})
	check("Delay on a->b", delay)
	setLink(t, h, "b", "a", transport.LinkFaults{Delay: delay})
	check("Delay on a->b and b->a", 2*delay)

	h.Faults().HealAll()
	const jitter = delay / 2 // one-way delays spread over [50ms, 150ms)
	setLink(t, h, "a", "b", transport.LinkFaults{Delay: delay, Jitter: jitter})
	var got []time.Duration
	for i := range 10 {
		got = append(got, rtt(t, ab, 200+i, "b"))
	}
	slices.Sort(got)
	if got[0] < delay-jitter || got[len(got)-1] > median+delay+jitter+slack {
		t.Fatalf("Delay %v Jitter %v: round trips %v", delay, jitter, got)
	}
	if spread := got[len(got)-1] - got[0]; spread < jitter/10 {
		t.Fatalf("Jitter %v: 10 round trips spread over only %v: %v", jitter, spread, got)
	}
}

// testLinkDuplicate checks that Duplicate=1 runs each handler twice while
// each caller gets exactly its own reply.
func testLinkDuplicate(t *testing.T, h Harness) {
	const calls = 10
	serve(t, h, "a", "a")
	b := serve(t, h, "b", "b")
	ab := h.Dial(t, "a", "b")
	setLink(t, h, "a", "b", transport.LinkFaults{Duplicate: 1})
	for i := range calls {
		mustEcho(t, ab, i, "b")
	}
	eventually(t, okWithin, "every duplicate to run", func() bool { return b.Calls() == 2*calls })
	arrivals := b.Arrivals()
	for i := range calls {
		if n := count(arrivals, i); n != 2 {
			t.Fatalf("call %d ran %d times, want 2 (arrivals %v)", i, n, arrivals)
		}
	}
	h.Faults().HealAll()
	mustEcho(t, ab, calls, "b")
	eventually(t, okWithin, "the healed call to run", func() bool { return b.Calls() == 2*calls+1 })
}

func count(xs []int, x int) int {
	n := 0
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}

// testLinkReorder issues calls a few milliseconds apart over a link that
// holds every message back by a random delay of up to 200 ms, and checks
// that many later calls overtake earlier ones. Without reordering, calls this
// far apart arrive almost in order.
func testLinkReorder(t *testing.T, h Harness) {
	const calls = 40
	serve(t, h, "a", "a")
	b := serve(t, h, "b", "b")
	ab := h.Dial(t, "a", "b")
	mustEcho(t, ab, -1, "b")
	setLink(t, h, "a", "b", transport.LinkFaults{Reorder: 1, ReorderDelay: 200 * time.Millisecond})

	pace := time.NewTicker(2 * time.Millisecond)
	defer pace.Stop()
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	for i := range calls {
		<-pace.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := echo(ab, okWithin, &EchoArgs{Seq: i}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("reordered call failed: %v", err)
	}
	arrivals := b.Arrivals()[1:]
	inversions := 0
	for i := range arrivals {
		for j := i + 1; j < len(arrivals); j++ {
			if arrivals[i] > arrivals[j] {
				inversions++
			}
		}
	}
	// Random hold-backs of up to 200 ms on calls issued over about 80 ms
	// invert roughly 40% of the 780 pairs.
	if min := calls * (calls - 1) / 20; inversions < min {
		t.Fatalf("only %d of %d pairs of calls arrived out of order, want >= %d: %v",
			inversions, calls*(calls-1)/2, min, arrivals)
	}
}

// testHealAll sets faults on several links and checks that HealAll removes
// them all.
func testHealAll(t *testing.T, h Harness) {
	nodes := []string{"a", "b", "c"}
	for _, n := range nodes {
		serve(t, h, n, n)
	}
	setLink(t, h, "a", "b", transport.LinkFaults{Blocked: true})
	setLink(t, h, "b", "c", transport.LinkFaults{Drop: 1})
	setLink(t, h, "c", "a", transport.LinkFaults{Delay: time.Minute})
	setLink(t, h, "c", "b", transport.LinkFaults{Duplicate: 1, Reorder: 1})
	mustFail(t, h.Dial(t, "a", "b"), 1, "call over blocked a->b")

	h.Faults().HealAll()
	seq := 10
	for _, from := range nodes {
		for _, to := range nodes {
			if from == to {
				continue
			}
			if got := h.Faults().Link(from, to); !got.Healthy() {
				t.Fatalf("Link(%s, %s) = %+v after HealAll, want healthy", from, to, got)
			}
			c := h.Dial(t, from, to)
			seq++
			if d := rtt(t, c, seq, to); d > time.Second {
				t.Fatalf("call %s->%s after HealAll took %v", from, to, d)
			}
		}
	}
}
