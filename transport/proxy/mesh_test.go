package proxy

import (
	"bufio"
	"errors"
	"io"
	"net"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"faultline/transport"
)

// echoServer echoes every line back, until closed.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() { io.Copy(c, c); c.Close() })
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// mesh starts a mesh with link a -> b to an echo server.
func mesh(t *testing.T) (*Mesh, string) {
	t.Helper()
	m := NewMesh(1)
	t.Cleanup(func() { m.Close() })
	addr, err := m.Add("a", "b", echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	return m, addr
}

func dial(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, bufio.NewReader(c)
}

// rtt sends a line and waits for its echo.
func rtt(t *testing.T, c net.Conn, r *bufio.Reader) time.Duration {
	t.Helper()
	t0 := time.Now()
	if _, err := c.Write([]byte("ping\n")); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := r.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	return time.Since(t0)
}

func median(t *testing.T, c net.Conn, r *bufio.Reader, k int) time.Duration {
	var d []time.Duration
	for range k {
		d = append(d, rtt(t, c, r))
	}
	slices.Sort(d)
	return d[k/2]
}

func TestDelay(t *testing.T) {
	m, addr := mesh(t)
	c, r := dial(t, addr)
	base := median(t, c, r, 10)
	// 30ms one way on a -> b, 10ms on the replies b -> a.
	if err := m.SetLink("a", "b", transport.LinkFaults{Delay: 30 * time.Millisecond, Jitter: 3 * time.Millisecond, Distribution: transport.DelayNormal}); err != nil {
		t.Fatal(err)
	}
	if err := m.SetLink("b", "a", transport.LinkFaults{Delay: 10 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	slow := median(t, c, r, 10)
	if added := slow - base; added < 32*time.Millisecond || added > 80*time.Millisecond {
		t.Errorf("round trip %v -> %v, want about +40ms", base, slow)
	}
	m.HealAll()
	if after := median(t, c, r, 10); after > base+20*time.Millisecond {
		t.Errorf("round trip after heal %v, was %v", after, base)
	}
}

func TestLossDelaysLikeRetransmission(t *testing.T) {
	m, addr := mesh(t)
	c, r := dial(t, addr)
	if err := m.SetLink("a", "b", transport.LinkFaults{Drop: 1}); err != nil {
		t.Fatal(err)
	}
	if d := rtt(t, c, r); d < rto {
		t.Errorf("round trip with every chunk lost %v, want >= one retransmission timeout %v", d, rto)
	}
}

func TestBandwidth(t *testing.T) {
	m, addr := mesh(t)
	if err := m.SetLink("a", "b", transport.LinkFaults{Bandwidth: 200 << 10}); err != nil { // 200 KiB/s
		t.Fatal(err)
	}
	c, _ := dial(t, addr)
	const size = 100 << 10
	t0 := time.Now()
	go func() { c.Write(make([]byte, size)) }()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(c, make([]byte, size)); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d < 400*time.Millisecond || d > 3*time.Second {
		t.Errorf("100 KiB at 200 KiB/s took %v, want about 500ms", d)
	}
}

func TestBlockedAndStallHoldBytesUntilHealed(t *testing.T) {
	for _, l := range []transport.LinkFaults{{Blocked: true}, {Conn: transport.ConnStall}} {
		m, addr := mesh(t)
		c, r := dial(t, addr)
		rtt(t, c, r)
		if err := m.SetLink("a", "b", l); err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("held\n"))
		c.SetReadDeadline(time.Now().Add(150 * time.Millisecond))
		if _, err := r.ReadString('\n'); !isTimeout(err) {
			t.Fatalf("%+v: read during the fault: %v, want a timeout", l, err)
		}
		m.HealAll()
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if s, err := r.ReadString('\n'); err != nil || s != "held\n" {
			t.Errorf("%+v: after heal read %q, %v", l, s, err)
		}
	}
}

func TestReset(t *testing.T) {
	m, addr := mesh(t)
	c, r := dial(t, addr)
	rtt(t, c, r)
	if err := m.SetLink("a", "b", transport.LinkFaults{Conn: transport.ConnReset}); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := r.ReadString('\n'); err == nil {
		t.Fatal("read on a reset connection succeeded")
	} else if isTimeout(err) {
		t.Fatalf("read timed out instead of seeing the reset")
	}
	// New connections are refused while the fault lasts...
	if c2, err := net.Dial("tcp", addr); err == nil {
		c2.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err := c2.Read(make([]byte, 1))
		c2.Close()
		if err == nil || isTimeout(err) {
			t.Fatalf("new connection during reset: read %v, want it reset", err)
		}
	}
	// ...and work again after the heal.
	m.HealAll()
	c3, r3 := dial(t, addr)
	rtt(t, c3, r3)
}

func TestSlowClose(t *testing.T) {
	m, addr := mesh(t)
	c, r := dial(t, addr)
	rtt(t, c, r)
	if err := m.SetLink("a", "b", transport.LinkFaults{Conn: transport.ConnSlowClose, SlowClose: 300 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	c.(*net.TCPConn).CloseWrite() // the echo server closes when it sees EOF
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := r.ReadString('\n'); err != io.EOF {
		t.Fatalf("read after close: %v, want EOF", err)
	}
	if d := time.Since(t0); d < 300*time.Millisecond {
		t.Errorf("close took %v, want >= 300ms", d)
	}
}

func TestSupports(t *testing.T) {
	m := NewMesh(1)
	defer m.Close()
	if err := m.SetLink("a", "b", transport.LinkFaults{Duplicate: 0.1}); !errors.Is(err, transport.ErrFaultUnsupported) {
		t.Errorf("duplicate: %v", err)
	}
	if err := m.SupportsLink(transport.LinkFaults{Bandwidth: 1, Conn: transport.ConnReset, Drop: 0.5, Burst: 3, Delay: 1}); err != nil {
		t.Errorf("supports: %v", err)
	}
}

func TestCloseLeavesNothing(t *testing.T) {
	base := runtime.NumGoroutine()
	echo := echoServer(t)
	m := NewMesh(1)
	var addrs []string
	for _, l := range [][2]string{{"a", "b"}, {"b", "a"}, {"a", "c"}} {
		addr, err := m.Add(l[0], l[1], echo)
		if err != nil {
			t.Fatal(err)
		}
		addrs = append(addrs, addr)
	}
	if _, err := m.Add("a", "b", echo); err == nil {
		t.Error("second proxy on a link accepted")
	}
	m.SetLink("a", "b", transport.LinkFaults{Blocked: true})
	var conns []net.Conn
	for _, a := range addrs {
		c, err := net.Dial("tcp", a)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		c.Write([]byte("x\n")) // held on a -> b: a goroutine waits
	}
	m.Close()
	m.Close()
	for _, a := range addrs {
		if c, err := net.DialTimeout("tcp", a, time.Second); err == nil {
			c.Close()
			t.Errorf("proxy %s still listening after Close", a)
		}
	}
	for _, c := range conns {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(make([]byte, 10)); err == nil {
			// An echo may have come back before Close; the next read
			// must still fail.
			if _, err := c.Read(make([]byte, 10)); err == nil {
				t.Errorf("connection through a closed mesh still open")
			}
		}
		c.Close()
	}
	if _, err := m.Add("x", "y", echo); !errors.Is(err, ErrClosed) {
		t.Errorf("Add after Close: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > base+1 { // the echo server's accept loop
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines, %d before", runtime.NumGoroutine(), base)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func TestFull(t *testing.T) {
	echo := []string{echoServer(t), echoServer(t), echoServer(t)}
	m := NewMesh(1)
	defer m.Close()
	lists, err := m.Full([]string{"a", "b", "c"}, echo)
	if err != nil {
		t.Fatal(err)
	}
	if lists[1][1] != echo[1] || lists[0][2] != m.Addr("a", "c") || lists[2][0] != m.Addr("c", "a") {
		t.Fatalf("dial lists %v", lists)
	}
	// Block a -> c only: b still reaches c, and a's bytes to c are held.
	m.SetLink("a", "c", transport.LinkFaults{Blocked: true})
	c, r := dial(t, lists[1][2])
	rtt(t, c, r)
	c2, r2 := dial(t, lists[0][2])
	c2.Write([]byte("x\n"))
	c2.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if _, err := r2.ReadString('\n'); !isTimeout(err) {
		t.Errorf("a -> c while blocked: %v, want a timeout", err)
	}
	if _, err := m.Full([]string{"a"}, nil); err == nil {
		t.Error("mismatched names and addresses accepted")
	}
}
