package chaos

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"faultline/system/backend"
	"faultline/transport"
	"faultline/transport/tcp"
)

// Echo is a service for measuring round trips.
type Echo struct{}

// EchoArgs is Echo.Echo's argument; Pad makes a request large (the reply
// leaves it out).
type EchoArgs struct {
	N   int
	Pad []byte
}

// Echo answers its argument's N.
func (Echo) Echo(a *EchoArgs, r *EchoArgs) { r.N = a.N }

// echoCluster is two nodes over transport/tcp sharing a fault table; node
// n0 calls n1.
type echoCluster struct {
	faults *tcp.Faults
	ln     *tcp.Listener
	c      *tcp.Client // n0 -> n1
}

func newEchoCluster(t *testing.T) *echoCluster {
	t.Helper()
	f := tcp.NewFaults(3)
	srv := transport.NewServer()
	if err := srv.Register(Echo{}); err != nil {
		t.Fatal(err)
	}
	ln, err := tcp.Listen("127.0.0.1:0", srv, tcp.Config{Node: "n1", Faults: f})
	if err != nil {
		t.Fatal(err)
	}
	c := tcp.DialNamed("n1", ln.Addr(), tcp.Config{Node: "n0", Faults: f})
	t.Cleanup(func() { c.Close(); ln.Close() })
	return &echoCluster{faults: f, ln: ln, c: c}
}

func (c *echoCluster) Nodes() []string               { return []string{"n0", "n1"} }
func (c *echoCluster) Stop(context.Context) error    { return nil }
func (c *echoCluster) Faults() transport.LinkFaulter { return c.faults }
func (c *echoCluster) Client(context.Context, int) (backend.Client, error) {
	return nil, errors.New("echo: no KV clients")
}

// call makes one n0 -> n1 call and returns its round trip.
func (c *echoCluster) call(timeout time.Duration) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	t0 := time.Now()
	var r EchoArgs
	err := c.c.CallContext(ctx, "Echo.Echo", &EchoArgs{N: 1}, &r)
	return time.Since(t0), err
}

// medianRTT is the median of k successful round trips.
func (c *echoCluster) medianRTT(t *testing.T, k int) time.Duration {
	t.Helper()
	var d []time.Duration
	for range k {
		rtt, err := c.call(2 * time.Second)
		if err != nil {
			t.Fatalf("call: %v", err)
		}
		d = append(d, rtt)
	}
	slices.Sort(d)
	return d[k/2]
}

func TestDelayRaisesRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      time.Duration // added round trip
	}{
		{"one link", `- {fault: network, links: ["n0->n1"], delay: 40ms, at: 0s, for: 1h}`, 40 * time.Millisecond},
		{"whole node", `- {fault: network, nodes: [n1], delay: 25ms, at: 0s, for: 1h}`, 50 * time.Millisecond},
		{"normal jitter", `- {fault: network, links: ["n0->n1"], delay: 40ms, jitter: 5ms, distribution: normal, at: 0s, for: 1h}`, 40 * time.Millisecond},
		{"pareto jitter", `- {fault: network, links: ["n0->n1"], delay: 40ms, jitter: 5ms, distribution: pareto, at: 0s, for: 1h}`, 40 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newEchoCluster(t)
			base := c.medianRTT(t, 20)
			n := nemesisFor(t, tc.src, 0)
			r, stop := setUp(t, n, c)
			r.await(t, "network")
			slow := c.medianRTT(t, 15)
			stop()
			after := c.medianRTT(t, 20)
			added := slow - base
			// Generous bounds for a loaded 2-core machine: at least 80% of
			// the delay (delays never shrink), at most twice it.
			if added < tc.want*8/10 || added > 2*tc.want {
				t.Errorf("round trip %v -> %v (+%v), want about +%v", base, slow, added, tc.want)
			}
			if after > base+tc.want/2 {
				t.Errorf("round trip after heal %v, was %v before", after, base)
			}
		})
	}
}

func TestLossFailsCalls(t *testing.T) {
	for _, tc := range []struct{ name, src string }{
		{"independent", `- {fault: network, links: ["n0->n1"], loss: 50%, at: 0s, for: 1h}`},
		{"bursts", `- {fault: network, links: ["n0->n1"], loss: 50%, burst: 5, at: 0s, for: 1h}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newEchoCluster(t)
			n := nemesisFor(t, tc.src, 0)
			r, stop := setUp(t, n, c)
			r.await(t, "network")
			// Call for 2s, at least 60 calls (the tcp table steps the
			// burst chain per message).
			failed, calls := 0, 0
			for t0 := time.Now(); time.Since(t0) < 2*time.Second || calls < 60; calls++ {
				if _, err := c.call(time.Second); err != nil {
					if !errors.Is(err, transport.ErrUnreachable) && !errors.Is(err, transport.ErrTimeout) && !errors.Is(err, context.DeadlineExceeded) {
						t.Fatalf("unexpected error %v", err)
					}
					failed++
				}
				time.Sleep(5 * time.Millisecond) // pace the calls over the 2s
			}
			stop()
			// With half the messages lost, 60 calls all succeeding or all
			// failing has odds far below one in a million; with bursts of
			// five messages, a chain staying in one state for 60 calls
			// has odds about 0.8^60.
			if failed == 0 || failed == calls {
				t.Errorf("%d of %d calls failed under 50%% loss", failed, calls)
			}
			if _, err := c.call(2 * time.Second); err != nil {
				t.Errorf("call after heal: %v", err)
			}
		})
	}
}

// TestBandwidthAndResetOnTCPSeam runs a schedule with a bandwidth limit
// and a connection reset on a cluster whose links go over transport/tcp:
// Setup accepts both (the tcp table applies them itself), the limit slows
// large requests by their size over the rate, and the reset fails calls at
// once while it lasts, after which calls get through again, still paced.
func TestBandwidthAndResetOnTCPSeam(t *testing.T) {
	c := newEchoCluster(t)
	n := nemesisFor(t, `
- {fault: network, links: ["n0->n1"], bandwidth: 200KB/s, at: 0s, for: 1h}
- {fault: network, links: ["n1->n0"], conn: reset, at: 1500ms, for: 1s}
`, 0)
	if err := n.Setup(context.Background(), c); err != nil {
		t.Fatalf("Setup refused bandwidth and reset on a tcp seam: %v", err)
	}
	pad := make([]byte, 32<<10) // 32 KiB at 200 KB/s: 164ms
	big := func() (time.Duration, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		t0 := time.Now()
		err := c.c.CallContext(ctx, "Echo.Echo", &EchoArgs{N: 1, Pad: pad}, &EchoArgs{})
		return time.Since(t0), err
	}
	if _, err := big(); err != nil {
		t.Fatalf("healthy 32 KiB call: %v", err)
	}
	r := &rec{}
	event := func(desc string, open bool) func() bool {
		return func() bool {
			for _, e := range r.snapshot() {
				if e.kind == "network" && strings.Contains(e.desc, desc) && e.open == open {
					return true
				}
			}
			return false
		}
	}
	stop := start(t, n, r)
	waitFor(t, "the bandwidth limit", event("bandwidth 200000B/s", true))
	// Lower bounds are exact (the link adds time, never removes it);
	// upper ones are loose, for a loaded machine.
	if took, err := big(); err != nil || took < 150*time.Millisecond || took > 5*time.Second {
		t.Errorf("32 KiB call at 200 KB/s: %v after %v, want about 164ms", err, took)
	}
	waitFor(t, "the reset", event("conn reset", true))
	for range 3 {
		took, err := c.call(2 * time.Second)
		if !errors.Is(err, transport.ErrUnreachable) || took > time.Second {
			t.Errorf("call during the reset: %v after %v, want ErrUnreachable at once", err, took)
		}
	}
	waitFor(t, "the reset to end", event("conn reset", false))
	if took, err := big(); err != nil || took < 150*time.Millisecond {
		t.Errorf("32 KiB call after the reset: %v after %v, want success at the limited rate", err, took)
	}
	stop()
	if _, err := big(); err != nil || !c.faults.Link("n0", "n1").Healthy() {
		t.Errorf("32 KiB call after heal: %v", err)
	}
}
