package kernelnet

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"faultline/transport"
)

// newFaults makes a Net of n hosts and its Faults.
func newFaults(t *testing.T, n int) (*Net, *Faults) {
	t.Helper()
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("n%d", i)
	}
	nt := newNet(t, names...)
	f, err := NewFaults(nt)
	if err != nil {
		t.Fatal(err)
	}
	return nt, f
}

// quiet is how long a UDP probe listens past its last datagram; probes
// and dials that must fail wait this long (a bounded wait for something
// that must not come).
const quiet = 300 * time.Millisecond

// TestPartitionBlocksDirections measures, from inside the namespaces, a
// one-way block (the other direction still passes), a two-way block, a
// TCP connect across it, and the heal; the block rules count the drops.
func TestPartitionBlocksDirections(t *testing.T) {
	nt, f := newFaults(t, 2)
	a, b := nt.Hosts[0], nt.Hosts[1]
	const count = 20
	if got := udpProbe(t, a, b, count, quiet); got != count {
		t.Fatalf("healthy a->b: %d of %d datagrams", got, count)
	}
	if err := f.SetLink("n0", "n1", transport.LinkFaults{Blocked: true}); err != nil {
		t.Fatal(err)
	}
	if got := udpProbe(t, a, b, count, quiet); got != 0 {
		t.Errorf("a->b blocked: %d datagrams arrived", got)
	}
	if got := udpProbe(t, b, a, count, quiet); got != count {
		t.Errorf("one-way block a->b: b->a got %d of %d", got, count)
	}
	if err := f.SetLink("n1", "n0", transport.LinkFaults{Blocked: true}); err != nil {
		t.Fatal(err)
	}
	if got := udpProbe(t, b, a, count, quiet); got != 0 {
		t.Errorf("b->a blocked: %d datagrams arrived", got)
	}
	addr, _ := listenTCP(t, b, 7000)
	if c, err := dialFrom(a, addr, quiet); err == nil {
		c.Close()
		t.Errorf("TCP connect across a two-way partition succeeded")
	}
	ks, err := f.Counters()
	if err != nil {
		t.Fatal(err)
	}
	if len(ks) != 2 || ks[0].Action != actionBlock || ks[0].Packets < count || ks[1].Packets < count {
		t.Errorf("counters %+v, want two block rules with >= %d packets each", ks, count)
	}
	f.HealAll()
	if got := udpProbe(t, a, b, count, quiet); got != count {
		t.Errorf("healed a->b: %d of %d", got, count)
	}
	c, err := dialFrom(a, addr, 2*time.Second)
	if err != nil {
		t.Fatalf("healed connect: %v", err)
	}
	c.Close()
}

// TestPartitionShapes applies the blocked links of a ring of five (each
// node talks only to its two neighbours) and of a bridge (two halves
// sharing one node), as chaos builds them, and measures every ordered pair.
func TestPartitionShapes(t *testing.T) {
	nt, f := newFaults(t, 5)
	ring := func(i, j int) bool { d := (i - j + 5) % 5; return d == 1 || d == 4 }
	bridge := func(i, j int) bool { // {0,1,2} and {2,3,4}
		return (i <= 2 && j <= 2) || (i >= 2 && j >= 2)
	}
	for _, shape := range []struct {
		name  string
		talks func(i, j int) bool
	}{{"ring", ring}, {"bridge", bridge}} {
		t.Run(shape.name, func(t *testing.T) {
			f.HealAll()
			for i := range 5 {
				for j := range 5 {
					if i != j && !shape.talks(i, j) {
						if err := f.SetLink(nt.Hosts[i].Name, nt.Hosts[j].Name, transport.LinkFaults{Blocked: true}); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			for i := range 5 {
				for j := range 5 {
					if i == j {
						continue
					}
					got := udpProbe(t, nt.Hosts[i], nt.Hosts[j], 5, 100*time.Millisecond)
					if want := map[bool]int{true: 5, false: 0}[shape.talks(i, j)]; got != want {
						t.Errorf("%d->%d: %d of 5 arrived, want %d", i, j, got, want)
					}
				}
			}
		})
	}
}

// TestResetKillsConnection: a reset on a link kills an established TCP
// connection at its next packet (the sender sees ECONNRESET at once) and
// refuses new ones; after the heal connections work again.
func TestResetKillsConnection(t *testing.T) {
	nt, f := newFaults(t, 2)
	a, b := nt.Hosts[0], nt.Hosts[1]
	addr, conns := listenTCP(t, b, 7000)
	c, err := dialFrom(a, addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	srv := <-conns
	defer srv.Close() // open until the end: a collected conn would close with a FIN
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(srv, buf); err != nil {
		t.Fatalf("established connection: %v", err)
	}
	if err := f.SetLink("n0", "n1", transport.LinkFaults{Conn: transport.ConnReset}); err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("pong")) // its segment is answered by a reset
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = c.Read(buf)
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("read after reset: %v, want connection reset", err)
	}
	if c2, err := dialFrom(a, addr, 2*time.Second); err == nil || !strings.Contains(err.Error(), "refused") {
		if c2 != nil {
			c2.Close()
		}
		t.Errorf("new connection under reset: %v, want refused", err)
	}
	ks, err := f.Counters()
	if err != nil {
		t.Fatal(err)
	}
	if len(ks) != 1 || ks[0].Action != actionReset || ks[0].Packets == 0 {
		t.Errorf("counters %+v, want one reset rule that matched", ks)
	}
	f.HealAll()
	c3, err := dialFrom(a, addr, 2*time.Second)
	if err != nil {
		t.Fatalf("after heal: %v", err)
	}
	c3.Close()
}

// TestLossDropsAFraction: a loss of 30% drops about 30% of 2000 datagrams
// (binomial: the bounds are more than six standard deviations wide).
func TestLossDropsAFraction(t *testing.T) {
	nt, f := newFaults(t, 2)
	if got := udpProbe(t, nt.Hosts[0], nt.Hosts[1], 10, quiet); got != 10 { // resolves the neighbours
		t.Fatalf("healthy: %d of 10", got)
	}
	if err := f.SetLink("n0", "n1", transport.LinkFaults{Drop: 0.3}); err != nil {
		t.Fatal(err)
	}
	const count = 2000
	got := udpProbe(t, nt.Hosts[0], nt.Hosts[1], count, quiet)
	if lost := float64(count-got) / count; lost < 0.24 || lost > 0.36 {
		t.Errorf("lost %.3f of %d datagrams, want 0.3±0.06", lost, count)
	}
	if got := udpProbe(t, nt.Hosts[1], nt.Hosts[0], 100, quiet); got != 100 {
		t.Errorf("reverse link lost %d of 100", 100-got)
	}
}

// TestNetemRefusal: delay is refused with a message naming netem and the
// user-space layer, on this kernel (which has no netem) as on others.
func TestNetemRefusal(t *testing.T) {
	_, f := newFaults(t, 2)
	err := f.SetLink("n0", "n1", transport.LinkFaults{Delay: 50 * time.Millisecond})
	if !errors.Is(err, transport.ErrFaultUnsupported) || !strings.Contains(err.Error(), "netem") ||
		!strings.Contains(err.Error(), "network: netns") {
		t.Errorf("delay: %v", err)
	}
	has, perr := Netem()
	t.Logf("netem: %v (%v); refusal: %v", has, perr, err)
	if perr != nil {
		t.Errorf("netem probe: %v", perr)
	}
	for _, lf := range []transport.LinkFaults{{Duplicate: 0.1}, {Reorder: 0.1}, {Drop: 0.1, Burst: 4}, {Conn: transport.ConnStall}} {
		if err := Supports(lf); !errors.Is(err, transport.ErrFaultUnsupported) {
			t.Errorf("%+v: %v, want unsupported", lf, err)
		}
	}
	for _, lf := range []transport.LinkFaults{{Blocked: true}, {Drop: 0.1}, {Conn: transport.ConnReset}, {Bandwidth: 1 << 20}} {
		if err := Supports(lf); err != nil {
			t.Errorf("%+v: %v", lf, err)
		}
	}
}
