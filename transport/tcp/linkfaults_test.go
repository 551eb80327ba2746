package tcp

import (
	"bufio"
	"context"
	"errors"
	"math"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"faultline/transport"
)

// This file checks, over real loopback connections, the link faults beyond
// delay, drop, duplication and reordering: delay distributions, bursty
// loss, bandwidth, and the connection faults reset, stall and slow-close.

// faultyPair is an Echo server and a client named "client" calling it as
// "server", both judged by one table.
type faultyPair struct {
	l *Listener
	e *Echo
	f *Faults
	c *Client
}

func newFaultyPair(t *testing.T, seed int64, cfg Config) *faultyPair {
	t.Helper()
	t.Logf("faults seed %d", seed)
	l, e := newEchoServer(t, Config{})
	f := NewFaults(seed)
	cfg.Node, cfg.Faults = "client", f
	c := DialNamed("server", l.Addr(), cfg)
	t.Cleanup(func() { c.Close() })
	return &faultyPair{l: l, e: e, f: f, c: c}
}

func (p *faultyPair) set(t *testing.T, from, to string, lf transport.LinkFaults) {
	t.Helper()
	if err := p.f.SetLink(from, to, lf); err != nil {
		t.Fatal(err)
	}
}

// call makes one call of method with args, bounded by timeout, and
// returns how long it took.
func (p *faultyPair) call(method string, args *EchoArgs, timeout time.Duration) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	t0 := time.Now()
	err := p.c.CallContext(ctx, method, args, &EchoReply{})
	return time.Since(t0), err
}

// serverConns is the number of connections the listener has open.
func (p *faultyPair) serverConns() int {
	p.l.mu.Lock()
	defer p.l.mu.Unlock()
	return len(p.l.conns)
}

// heldCount is the number of messages the client holds for stalls.
func (p *faultyPair) heldCount() int {
	p.c.tmu.Lock()
	defer p.c.tmu.Unlock()
	n := 0
	for _, q := range p.c.held {
		n += len(q)
	}
	return n
}

// TestDelayDistributionsOnLoopback sends concurrent calls over a link with
// a normal and then a pareto delay of the same mean. A twin table with the
// same seed replays the delays drawn (one draw per request, in whatever
// order the calls were judged), so the test knows them exactly: their shape
// is checked, and every round trip is checked against them rank by rank
// (the k-th fastest call took at least the k-th smallest delay), which a
// loaded machine cannot break.
func TestDelayDistributionsOnLoopback(t *testing.T) {
	checkGoroutines(t)
	const seed = 21
	p := newFaultyPair(t, seed, Config{})
	const delay, jitter = 40 * time.Millisecond, 10 * time.Millisecond
	const batches, batch = 15, 20
	dists := []transport.Distribution{transport.DelayNormal, transport.DelayPareto}
	twin := NewFaults(seed)
	drawn := map[transport.Distribution][]time.Duration{}
	for _, d := range dists {
		_ = twin.SetLink("client", "server", transport.LinkFaults{Delay: delay, Jitter: jitter, Distribution: d})
		for range batches * batch {
			v, _ := twin.judge("client", "server", true, 100)
			drawn[d] = append(drawn[d], v.delay)
		}
		slices.Sort(drawn[d])
	}
	rtts := map[transport.Distribution][]time.Duration{}
	for _, d := range dists {
		p.set(t, "client", "server", transport.LinkFaults{Delay: delay, Jitter: jitter, Distribution: d})
		var mu sync.Mutex
		for range batches {
			var wg sync.WaitGroup
			for range batch {
				wg.Go(func() {
					took, err := p.call("Echo.Echo", &EchoArgs{}, 10*time.Second)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					rtts[d] = append(rtts[d], took)
					mu.Unlock()
				})
			}
			wg.Wait()
		}
		slices.Sort(rtts[d])
	}
	if t.Failed() {
		return
	}
	mean := func(x []time.Duration) time.Duration {
		var s time.Duration
		for _, v := range x {
			s += v
		}
		return s / time.Duration(len(x))
	}
	q := func(x []time.Duration, p float64) time.Duration { return x[int(p*float64(len(x)-1))] }
	nor, par := drawn[transport.DelayNormal], drawn[transport.DelayPareto]
	t.Logf("drawn normal: mean %v p50 %v p99 %v; pareto: min %v mean %v p50 %v p99 %v",
		mean(nor), q(nor, .5), q(nor, .99), par[0], mean(par), q(par, .5), q(par, .99))
	// The shape of what was drawn: the configured mean (the sample
	// mean's spread is about 1ms), pareto skewed above its floor with a
	// much longer tail (p99 about 103ms against normal's 63ms).
	for name, x := range map[string][]time.Duration{"normal": nor, "pareto": par} {
		if m := mean(x); m < delay-3*time.Millisecond || m > delay+3*time.Millisecond {
			t.Errorf("%s: mean delay %v, want %v", name, m, delay)
		}
	}
	if par[0] < delay-jitter || q(par, .5) >= q(nor, .5) || q(par, .99) < q(nor, .99)+25*time.Millisecond {
		t.Errorf("pareto min %v p50 %v p99 %v against normal p50 %v p99 %v: want a floor at %v, a lower median, a heavier tail",
			par[0], q(par, .5), q(par, .99), q(nor, .5), q(nor, .99), delay-jitter)
	}
	// What the wire did: every call took at least its delay, and most
	// not much more.
	for _, d := range dists {
		var extra []time.Duration
		for k, rtt := range rtts[d] {
			if rtt < drawn[d][k] {
				t.Errorf("%s: the %d-th fastest call took %v, below the %d-th smallest delay %v", d, k, rtt, k, drawn[d][k])
				break
			}
			extra = append(extra, rtt-drawn[d][k])
		}
		slices.Sort(extra)
		t.Logf("%s: round trips exceed the delays by %v at the median", d, q(extra, .5))
		if q(extra, .5) > 30*time.Millisecond {
			t.Errorf("%s: round trips exceed the delays by %v at the median, want a few ms", d, q(extra, .5))
		}
	}
}

// TestBurstLossOnLoopback sends calls one after another over a bursty
// lossy link: the lost ones come in runs of Burst on average, and the
// long-run loss is Drop. The table's draws are seeded and taken in call
// order, so the losses are the same every run.
func TestBurstLossOnLoopback(t *testing.T) {
	checkGoroutines(t)
	const drop, burst, n = 0.3, 5.0, 1500
	p := newFaultyPair(t, 5, Config{Conns: 1})
	p.set(t, "client", "server", transport.LinkFaults{Drop: drop, Burst: burst})
	lost := make([]bool, n)
	var wg sync.WaitGroup
	lastID := func() uint64 {
		if cc := p.c.slots[0].cur.Load(); cc != nil {
			return cc.nextID.Load()
		}
		return 0
	}
	for i := range n {
		// A call is judged before it dials or takes an id: wait for its
		// id, so that the next call is judged after this one.
		before := lastID()
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := p.c.CallContext(ctx, "Echo.Echo", &EchoArgs{N: i}, &EchoReply{})
			switch {
			case err == nil:
			case errors.Is(err, transport.ErrUnreachable) && strings.Contains(err.Error(), "dropped"):
				lost[i] = true
			default:
				t.Errorf("call %d: %v", i, err)
			}
		})
		waitFor(t, "the call to take its id", func() bool { return lastID() > before })
	}
	wg.Wait()
	nLost, runs := 0, 0
	for i, x := range lost {
		if x {
			nLost++
			if i == 0 || !lost[i-1] {
				runs++
			}
		}
	}
	rate, run := float64(nLost)/n, float64(nLost)/float64(max(runs, 1))
	t.Logf("%d of %d lost in %d runs: loss %.3f, mean run %.2f", nLost, n, runs, rate, run)
	if math.Abs(rate-drop) > 0.25*drop {
		t.Errorf("long-run loss %.3f, want about %v", rate, drop)
	}
	if math.Abs(run-burst) > 0.3*burst {
		t.Errorf("mean loss run %.2f, want about %v", run, burst)
	}
}

func TestBandwidthOnLoopback(t *testing.T) {
	checkGoroutines(t)
	const bw = 1_000_000 // bytes/s
	p := newFaultyPair(t, 1, Config{})
	pad := make([]byte, 64<<10)
	if _, err := p.call("Echo.Echo", &EchoArgs{Pad: pad}, 5*time.Second); err != nil {
		t.Fatal(err) // connect, outside the timing
	}

	t.Run("one large request", func(t *testing.T) {
		p.set(t, "client", "server", transport.LinkFaults{Bandwidth: bw})
		defer p.f.HealAll()
		took, err := p.call("Echo.Echo", &EchoArgs{Pad: pad}, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		// 64 KiB at 1 MB/s is 65.5ms on the link (upper bounds in
		// this file are loose: a loaded machine only adds time).
		if took < 60*time.Millisecond || took > 3*time.Second {
			t.Errorf("64 KiB request at 1 MB/s took %v, want about 66ms", took)
		}
	})
	t.Run("one large reply", func(t *testing.T) {
		p.set(t, "server", "client", transport.LinkFaults{Bandwidth: bw})
		defer p.f.HealAll()
		took, err := p.call("Echo.Grow", &EchoArgs{N: 64 << 10}, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if took < 60*time.Millisecond || took > 3*time.Second {
			t.Errorf("64 KiB reply at 1 MB/s took %v, want about 66ms", took)
		}
	})
	t.Run("messages queue", func(t *testing.T) {
		// N requests of S bytes sent at once leave the link one after
		// another: the last is done after N·S/B.
		const n, size = 20, 16 << 10
		p.set(t, "client", "server", transport.LinkFaults{Bandwidth: bw})
		defer p.f.HealAll()
		want := time.Duration(float64(n*(size+40)) / bw * float64(time.Second))
		t0 := time.Now()
		var wg sync.WaitGroup
		var mu sync.Mutex
		var done []time.Duration
		for range n {
			wg.Go(func() {
				if _, err := p.call("Echo.Echo", &EchoArgs{Pad: make([]byte, size)}, 10*time.Second); err != nil {
					t.Error(err)
				}
				mu.Lock()
				done = append(done, time.Since(t0))
				mu.Unlock()
			})
		}
		wg.Wait()
		total := time.Since(t0)
		slices.Sort(done)
		t.Logf("%d x %d B at %d B/s: first done %v, last %v, want about %v", n, size, bw, done[0], total, want)
		if total < want*95/100 || total > want+3*time.Second {
			t.Errorf("%d requests of %d B took %v, want about %v", n, size, total, want)
		}
		// They left one after another: the k-th to finish waited for k+1
		// messages to cross the link.
		for k, d := range done {
			if min := time.Duration(float64((k+1)*size) / bw * float64(time.Second)); d < min*95/100 {
				t.Errorf("request %d of %d finished after %v, before %d messages could cross (%v)", k+1, n, d, k+1, min)
				break
			}
		}
	})
	if _, err := p.call("Echo.Echo", &EchoArgs{Pad: pad}, 5*time.Second); err != nil || !p.f.Link("client", "server").Healthy() {
		t.Errorf("after heal: %v", err)
	}
}

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
		held := func() int {
			c.tmu.Lock()
			defer c.tmu.Unlock()
			k := 0
			for _, q := range c.held {
				k += len(q)
			}
			return k
		}
		for i := range n {
			wg.Go(func() { _ = c.CallContext(ctx, "Echo.Echo", &EchoArgs{N: i}, &EchoReply{}) })
			waitFor(t, "the request to be held", func() bool { return held() == i+1 })
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
		waitFor(t, "the request to be held", func() bool {
			c.tmu.Lock()
			defer c.tmu.Unlock()
			return len(c.held) == 1
		})
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
