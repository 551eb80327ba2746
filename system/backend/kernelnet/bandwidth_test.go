package kernelnet

import (
	"io"
	"math"
	"testing"
	"time"

	"github.com/vishvananda/netlink"

	"faultline/transport"
)

// TestBandwidthCapsThroughput: a tbf of 4 MB/s on n0 -> n1 holds a bulk
// TCP transfer from n0 to n1 within 10% of the rate, measured by the
// kernel: the bytes n1's veth carried between two moments of the
// transfer, past the token bucket's burst and slow start. The same
// transfer n0 -> n2, and n0 -> n1 once healed, runs well above it (the
// margin is loose: on a loaded machine the CPU, not the link, limits an
// unshaped transfer).
func TestBandwidthCapsThroughput(t *testing.T) {
	nt, f := newFaults(t, 3)
	const rate = 1 << 20 // low enough that an unshaped link beats it by far even on a starved CPU
	if err := f.SetLink("n0", "n1", transport.LinkFaults{Bandwidth: rate}); err != nil {
		t.Fatal(err)
	}
	got := throughput(t, nt.Hosts[0], nt.Hosts[1], 7100)
	t.Logf("n0->n1 limited to %d B/s: %.0f B/s", rate, got)
	if got < 0.9*rate || got > 1.1*rate {
		t.Errorf("throughput %.0f B/s, want %d B/s ±10%%", got, rate)
	}
	free := throughput(t, nt.Hosts[0], nt.Hosts[2], 7101)
	t.Logf("n0->n2 unlimited: %.0f B/s", free)
	if free < 1.25*rate {
		t.Errorf("unlimited link n0->n2 at %.0f B/s, want above %d", free, rate)
	}
	f.HealAll()
	healed := throughput(t, nt.Hosts[0], nt.Hosts[1], 7102)
	t.Logf("n0->n1 healed: %.0f B/s", healed)
	if healed < 1.25*rate {
		t.Errorf("healed link n0->n1 at %.0f B/s, want above %d", healed, rate)
	}
}

// Sizes of a throughput measure: the transfer, what passes before the
// first sample, and what passes between the two samples (the transfer
// goes on past the second, so the link is busy throughout).
const (
	transferBytes = 3 << 20
	skipBytes     = 256 << 10
	measureBytes  = 2 << 20
)

// throughput sends transferBytes over TCP from a to b (listening on port)
// and returns the rate at which b's veth carried them, from the kernel's
// counter of the bytes it sent towards b, sampled at two moments; the
// counter and the clock are read together, so that a late sample is
// still a true pair.
func throughput(t *testing.T, a, b Host, port int) float64 {
	t.Helper()
	// sample reads the counter with the time it was read at: the midpoint
	// of a read that took under 2ms (a read the scheduler interrupted is
	// taken again, so that a starved CPU does not skew the rate).
	sample := func() (uint64, time.Time) {
		for try := 0; ; try++ {
			before := time.Now()
			l, err := netlink.LinkByName(b.Veth)
			if err != nil {
				t.Fatal(err)
			}
			after := time.Now()
			if took := after.Sub(before); took < 2*time.Millisecond || try == 100 {
				return l.Attrs().Statistics.TxBytes, before.Add(took / 2)
			}
		}
	}
	// The base is read before the transfer starts: read later, bytes
	// already sent would be missing from every count.
	base, _ := sample()
	addr, conns := listenTCP(t, b, port)
	c, err := dialFrom(a, addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sent := make(chan error, 1)
	go func() {
		buf := make([]byte, 64<<10)
		var err error
		for n := 0; n < transferBytes && err == nil; n += len(buf) {
			_, err = c.Write(buf)
		}
		sent <- err
	}()
	srv := <-conns
	defer srv.Close()
	received := make(chan error, 1)
	go func() {
		_, err := io.CopyN(io.Discard, srv, transferBytes)
		received <- err
	}()
	waitBytes := func(n uint64) (uint64, time.Time) {
		deadline := time.Now().Add(30 * time.Second)
		for {
			x, at := sample()
			if x-base >= n {
				return x, at
			}
			if at.After(deadline) {
				t.Fatalf("%d of %d bytes after 30s", x-base, n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	x0, t0 := waitBytes(skipBytes)
	x1, t1 := waitBytes(skipBytes + measureBytes)
	for _, ch := range []chan error{sent, received} {
		if err := <-ch; err != nil {
			t.Fatal(err)
		}
	}
	if x1 == x0 { // all of it passed between two samples
		return math.Inf(1)
	}
	return float64(x1-x0) / t1.Sub(t0).Seconds()
}
