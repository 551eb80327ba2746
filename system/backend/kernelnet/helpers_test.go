package kernelnet

import (
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// newNet makes a Net of the named hosts for t, removed (and checked gone)
// when t ends, pass or fail. Without root the test is skipped, saying so.
func newNet(t *testing.T, names ...string) *Net {
	t.Helper()
	if err := CheckPrivileges(); err != nil {
		t.Skipf("needs root: %v", err)
	}
	n, err := New(names)
	if err != nil {
		t.Fatalf("new net: %v", err)
	}
	t.Cleanup(func() {
		if err := n.Close(); err != nil {
			t.Errorf("close %s: %v", n.ID, err)
		}
		assertGone(t, n.ID)
	})
	return n
}

// assertGone fails t if any object named under id is left.
func assertGone(t *testing.T, id string) {
	t.Helper()
	left, err := Leftovers(id)
	if err != nil {
		t.Fatalf("leftovers of %s: %v", id, err)
	}
	if len(left) > 0 {
		t.Errorf("left behind by %s: %v", id, left)
	}
}

// listenTCP listens on port in h's namespace and accepts (and holds) every
// connection until t ends; conns receives them.
func listenTCP(t *testing.T, h Host, port int) (addr string, conns <-chan net.Conn) {
	t.Helper()
	addr = net.JoinHostPort(h.IP.String(), strconv.Itoa(port))
	var ln net.Listener
	if err := Enter(h.Netns, func() (err error) { ln, err = net.Listen("tcp", addr); return err }); err != nil {
		t.Fatalf("listen in %s: %v", h.Name, err)
	}
	ch := make(chan net.Conn, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			ch <- c
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		for {
			select {
			case c := <-ch:
				c.Close()
			default:
				return
			}
		}
	})
	return addr, ch
}

// dialFrom connects from h's namespace to addr within timeout.
func dialFrom(h Host, addr string, timeout time.Duration) (net.Conn, error) {
	var c net.Conn
	err := Enter(h.Netns, func() (err error) { c, err = net.DialTimeout("tcp", addr, timeout); return err })
	return c, err
}

// udpProbe sends count datagrams from a's namespace to a listener in b's
// and returns how many arrived: the listener reads until quiet has passed
// without one after the last send.
func udpProbe(t *testing.T, a, b Host, count int, quiet time.Duration) int {
	t.Helper()
	var rx *net.UDPConn
	if err := Enter(b.Netns, func() (err error) {
		rx, err = net.ListenUDP("udp4", &net.UDPAddr{IP: b.IP})
		return err
	}); err != nil {
		t.Fatalf("udp listen in %s: %v", b.Name, err)
	}
	defer rx.Close()
	var tx *net.UDPConn
	if err := Enter(a.Netns, func() (err error) {
		tx, err = net.DialUDP("udp4", nil, rx.LocalAddr().(*net.UDPAddr))
		return err
	}); err != nil {
		t.Fatalf("udp dial from %s: %v", a.Name, err)
	}
	defer tx.Close()
	// Room for every datagram: the kernel drops what overflows a socket.
	if err := forceRcvbuf(rx, count*2048); err != nil {
		t.Fatalf("receive buffer: %v", err)
	}
	for i := range count {
		// A send may fail while neighbour resolution is cut off.
		_, _ = tx.Write([]byte{byte(i)})
	}
	got := 0
	buf := make([]byte, 16)
	for got < count {
		rx.SetReadDeadline(time.Now().Add(quiet))
		if _, err := rx.Read(buf); err != nil {
			break
		}
		got++
	}
	return got
}

// forceRcvbuf sets c's receive buffer to n bytes, past the system's
// default limit (root).
func forceRcvbuf(c *net.UDPConn, n int) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, n)
	}); err != nil {
		return err
	}
	return serr
}
