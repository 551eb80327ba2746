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

// This file checks, over real loopback connections, the link faults beyond
// delay, drop, duplication and reordering: delay distributions, bursty
// loss and bandwidth (connfaults_test.go has the connection faults).

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
	n, _ := held(p.c)
	return n
}

// held returns the number of messages c holds for stalls, and the number
// of stalls holding them.
func held(c *Client) (msgs, stalls int) {
	fl := c.faults.(*faultLink)
	fl.mu.Lock()
	defer fl.mu.Unlock()
	for _, q := range fl.held {
		msgs += len(q)
	}
	return msgs, len(fl.held)
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
