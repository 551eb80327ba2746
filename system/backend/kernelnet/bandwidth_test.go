package kernelnet

import (
	"io"
	"testing"
	"time"

	"faultline/transport"
)

// TestBandwidthCapsThroughput: a tbf of 4 MB/s on n0 -> n1 holds a bulk
// TCP transfer from n0 to n1 within 10% of the rate (measured by the
// receiver after the first 256 KiB, past the token bucket's burst and
// slow start), while the same transfer n0 -> n2 is not held to it.
func TestBandwidthCapsThroughput(t *testing.T) {
	nt, f := newFaults(t, 3)
	const rate = 4 << 20
	if err := f.SetLink("n0", "n1", transport.LinkFaults{Bandwidth: rate}); err != nil {
		t.Fatal(err)
	}
	got := throughput(t, nt.Hosts[0], nt.Hosts[1], 7100, 6<<20)
	t.Logf("n0->n1 limited to %d B/s: %.0f B/s", rate, got)
	if got < 0.9*rate || got > 1.1*rate {
		t.Errorf("throughput %.0f B/s, want %d B/s ±10%%", got, rate)
	}
	free := throughput(t, nt.Hosts[0], nt.Hosts[2], 7101, 6<<20)
	t.Logf("n0->n2 unlimited: %.0f B/s", free)
	if free < 2*rate {
		t.Errorf("unlimited link n0->n2 at %.0f B/s, want well above %d", free, rate)
	}
	f.HealAll()
	if healed := throughput(t, nt.Hosts[0], nt.Hosts[1], 7102, 6<<20); healed < 2*rate {
		t.Errorf("healed link n0->n1 at %.0f B/s, want well above %d", healed, rate)
	}
}

// throughput sends total bytes over TCP from a to b (listening on port) and returns the rate
// the receiver saw after its first 256 KiB.
func throughput(t *testing.T, a, b Host, port, total int) float64 {
	t.Helper()
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
		for n := 0; n < total && err == nil; n += len(buf) {
			_, err = c.Write(buf)
		}
		sent <- err
	}()
	srv := <-conns
	defer srv.Close()
	srv.SetReadDeadline(time.Now().Add(20 * time.Second))
	const skip = 256 << 10
	if _, err := io.CopyN(io.Discard, srv, skip); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	n, err := io.CopyN(io.Discard, srv, int64(total-skip))
	if err != nil {
		t.Fatalf("received %d: %v", n, err)
	}
	rate := float64(n) / time.Since(start).Seconds()
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	return rate
}
