package tcp

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"faultline/transport"
)

func TestFaultsTable(t *testing.T) {
	f := NewFaults(1)
	if err := f.SetLink("a", "b", transport.LinkFaults{Drop: 1.5}); err == nil {
		t.Error("SetLink accepted Drop = 1.5")
	}
	if err := f.SetLink("a", "b", transport.LinkFaults{Drop: math.NaN()}); err == nil {
		t.Error("SetLink accepted Drop = NaN")
	}
	if err := f.SetLink("a", "b", transport.LinkFaults{Delay: -time.Second}); err == nil {
		t.Error("SetLink accepted a negative Delay")
	}
	lf := transport.LinkFaults{Delay: time.Millisecond, Drop: 0.5}
	if err := f.SetLink("a", "b", lf); err != nil {
		t.Fatal(err)
	}
	if got := f.Link("a", "b"); got != lf {
		t.Errorf("Link(a, b) = %+v, want %+v", got, lf)
	}
	if got := f.Link("b", "a"); !got.Healthy() {
		t.Errorf("reverse link Link(b, a) = %+v, want healthy", got)
	}
	if _, faulty := f.judge("b", "a", true, 100); faulty {
		t.Error("judge found faults on the healthy reverse link")
	}
	f.HealAll()
	if got := f.Link("a", "b"); !got.Healthy() {
		t.Errorf("after HealAll, Link(a, b) = %+v", got)
	}
	if _, faulty := f.judge("a", "b", true, 100); faulty {
		t.Error("judge found faults after HealAll")
	}
	if err := f.SetLink("a", "b", transport.LinkFaults{}); err != nil || f.active.Load() != 0 {
		t.Errorf("setting a healthy link: err %v, %d active links", err, f.active.Load())
	}
	var nilFaults *Faults
	if _, faulty := nilFaults.judge("a", "b", true, 100); faulty {
		t.Error("a nil *Faults judged a link faulty")
	}
}

// TestFaultsJudge checks the verdicts' distribution and that a seed fixes
// them.
func TestFaultsJudge(t *testing.T) {
	const seed, n = 42, 4000
	lf := transport.LinkFaults{
		Delay: 10 * time.Millisecond, Jitter: 5 * time.Millisecond,
		Drop: 0.25, Duplicate: 0.5, Reorder: 0.5, ReorderDelay: 100 * time.Millisecond,
	}
	run := func() []verdict {
		f := NewFaults(seed)
		if err := f.SetLink("a", "b", lf); err != nil {
			t.Fatal(err)
		}
		out := make([]verdict, n)
		for i := range out {
			out[i], _ = f.judge("a", "b", true, 100)
		}
		return out
	}
	vs := run()
	if !slices.Equal(vs, run()) {
		t.Fatalf("seed %d: two runs gave different verdicts", seed)
	}
	var drops, dups, reordered int
	for _, v := range vs {
		if v.drop {
			drops++
			continue
		}
		if v.dup {
			dups++
		}
		if v.delay < lf.Delay-lf.Jitter || v.delay >= lf.Delay+lf.Jitter+lf.ReorderDelay {
			t.Fatalf("seed %d: delay %v outside [%v, %v)", seed, v.delay, lf.Delay-lf.Jitter, lf.Delay+lf.Jitter+lf.ReorderDelay)
		}
		if v.delay >= lf.Delay+lf.Jitter {
			reordered++
		}
	}
	kept := n - drops
	near := func(got, want int) bool { return math.Abs(float64(got-want)) < 0.1*float64(want) }
	if !near(drops, n/4) || !near(dups, kept/2) {
		t.Errorf("seed %d: %d drops (want ~%d), %d duplicates (want ~%d)", seed, drops, n/4, dups, kept/2)
	}
	// A reordered message is held back by [0, 100ms): beyond the 10ms
	// spread of the jitter (±5ms) for 95% of them.
	if !near(reordered, kept/2*95/100) {
		t.Errorf("seed %d: %d held back past the jitter, want ~%d", seed, reordered, kept/2*95/100)
	}
	f := NewFaults(seed)
	_ = f.SetLink("a", "b", transport.LinkFaults{Duplicate: 1})
	if v, _ := f.judge("a", "b", false, 100); v.dup {
		t.Error("a reply was duplicated")
	}
	_ = f.SetLink("a", "b", transport.LinkFaults{Blocked: true, Drop: 0.5})
	if v, _ := f.judge("a", "b", true, 100); !v.blocked {
		t.Error("blocked link not judged blocked")
	}
}

// TestLinkFaults checks that each fault takes effect on a live connection,
// in the direction it is set on.
func TestLinkFaults(t *testing.T) {
	checkGoroutines(t)
	l, e := newEchoServer(t, Config{})
	f := NewFaults(7)
	t.Log("faults seed 7")
	c := DialNamed("server", l.Addr(), Config{Node: "client", Faults: f, CallTimeout: 100 * time.Millisecond})
	defer c.Close()
	ctx := context.Background()
	var r EchoReply
	set := func(from, to string, lf transport.LinkFaults) {
		t.Helper()
		f.HealAll()
		if err := f.SetLink(from, to, lf); err != nil {
			t.Fatal(err)
		}
	}
	timed := func(timeout time.Duration) (time.Duration, error) {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		start := time.Now()
		err := c.CallContext(ctx, "Echo.Echo", &EchoArgs{N: 1}, &r)
		return time.Since(start), err
	}

	// A lost request or reply fails its call as unreachable within
	// maxLostWait; the request ran only if the reply was the one lost.
	for _, tc := range []struct {
		name, from, to string
		lf             transport.LinkFaults
		how            string
		ran            int64
	}{
		{"blocked request", "client", "server", transport.LinkFaults{Blocked: true}, "blocked on link client -> server", 0},
		{"blocked reply", "server", "client", transport.LinkFaults{Blocked: true}, "blocked on link server -> client", 1},
		{"dropped request", "client", "server", transport.LinkFaults{Drop: 1}, "dropped on link client -> server", 0},
		{"dropped reply", "server", "client", transport.LinkFaults{Drop: 1}, "dropped on link server -> client", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set(tc.from, tc.to, tc.lf)
			before := e.calls.Load()
			took, err := timed(5 * time.Second)
			if !errors.Is(err, transport.ErrUnreachable) || !strings.Contains(err.Error(), tc.how) {
				t.Fatalf("err = %v, want ErrUnreachable saying %q", err, tc.how)
			}
			if took > 5*time.Second/2 {
				t.Errorf("lost call took %v to fail", took)
			}
			if c.Call("Echo.Echo", &EchoArgs{}, &r) {
				t.Fatal("Call returned true")
			}
			if tc.ran > 0 {
				waitFor(t, "the requests to run", func() bool { return e.calls.Load() == before+2 })
			}
			f.HealAll()
			if _, err := timed(10 * time.Second); err != nil {
				t.Fatalf("after healing: %v", err)
			}
			if got := e.calls.Load() - before; got != 2*tc.ran+1 {
				t.Errorf("server executed %d calls, want %d", got, 2*tc.ran+1)
			}
		})
	}
	t.Run("some drops", func(t *testing.T) {
		set("client", "server", transport.LinkFaults{Drop: 0.5})
		ok := 0
		for range 40 {
			if _, err := timed(50 * time.Millisecond); err == nil {
				ok++
			}
		}
		if ok == 0 || ok == 40 {
			t.Errorf("%d of 40 calls succeeded at Drop 0.5", ok)
		}
	})
	for _, dir := range []struct{ name, from, to string }{
		{"request", "client", "server"},
		{"reply", "server", "client"},
	} {
		t.Run("delayed "+dir.name, func(t *testing.T) {
			// 490ms to 510ms: far beyond the 40ms deadline below, so that
			// a caller starved by a loaded machine cannot see the reply
			// arrive together with its deadline.
			set(dir.from, dir.to, transport.LinkFaults{Delay: 500 * time.Millisecond, Jitter: 10 * time.Millisecond})
			took, err := timed(10 * time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if took < 490*time.Millisecond {
				t.Errorf("call took %v, want >= 490ms", took)
			}
			if _, err := timed(40 * time.Millisecond); !errors.Is(err, transport.ErrTimeout) {
				t.Errorf("40ms deadline on a 490ms link: err = %v, want ErrTimeout", err)
			}
		})
	}
	t.Run("duplicated request", func(t *testing.T) {
		set("client", "server", transport.LinkFaults{Duplicate: 1})
		before := e.calls.Load()
		if _, err := timed(10 * time.Second); err != nil || r.N != 2 {
			t.Fatalf("err %v, reply %+v", err, r)
		}
		waitFor(t, "the duplicate to run", func() bool { return e.calls.Load() == before+2 })
		f.HealAll()
		// The duplicate's reply was discarded, not given to this call.
		if err := c.CallContext(ctx, "Echo.Echo", &EchoArgs{N: 10}, &r); err != nil || r.N != 11 {
			t.Fatalf("next call: err %v, reply %+v", err, r)
		}
	})
	t.Run("reordered replies", func(t *testing.T) {
		// Requests go out one at a time, each after the previous one ran;
		// the replies are held back at random and come back out of order.
		set("server", "client", transport.LinkFaults{Reorder: 1, ReorderDelay: 300 * time.Millisecond})
		const n = 8
		var mu sync.Mutex
		var got []int
		var wg sync.WaitGroup
		for i := range n {
			before := e.calls.Load()
			wg.Go(func() {
				var r EchoReply
				if err := c.CallContext(ctx, "Echo.Echo", &EchoArgs{N: i}, &r); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				got = append(got, r.N-1)
				mu.Unlock()
			})
			waitFor(t, "the request to run", func() bool { return e.calls.Load() == before+1 })
		}
		wg.Wait()
		if len(got) != n {
			t.Fatalf("%d of %d replies", len(got), n)
		}
		if slices.IsSorted(got) {
			t.Errorf("replies came back in order: %v", got)
		}
	})
	t.Run("reordered requests", func(t *testing.T) {
		// One connection, requests queued one at a time: without faults
		// they would reach the server in order.
		c1 := DialNamed("server", l.Addr(), Config{Node: "client", Faults: f, Conns: 1})
		defer c1.Close()
		set("client", "server", transport.LinkFaults{Reorder: 1, ReorderDelay: 300 * time.Millisecond})
		if err := c1.CallContext(ctx, "Echo.Echo", &EchoArgs{N: -1}, &r); err != nil {
			t.Fatal(err) // connect
		}
		cc := c1.slots[0].cur.Load()
		start := len(e.arrivals())
		base := cc.nextID.Load()
		const n = 8
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				if err := c1.CallContext(ctx, "Echo.Echo", &EchoArgs{N: i}, &EchoReply{}); err != nil {
					t.Error(err)
				}
			})
			// The call takes its id just before it is judged and queued;
			// a later call overtaking it in that instant would only add
			// to the disorder asserted below.
			waitFor(t, "the call to be sent", func() bool { return cc.nextID.Load() >= base+uint64(i)+1 })
		}
		wg.Wait()
		if got := e.arrivals()[start:]; slices.IsSorted(got) {
			t.Errorf("requests arrived in order: %v", got)
		}
	})
}
