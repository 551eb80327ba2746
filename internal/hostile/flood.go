package hostile

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"
)

// Flood opens n raw TCP connections to addr that send nothing, as an
// attacker holding handshake slots does, and closes them when the test
// ends. A dial that fails fails the test.
func Flood(t testing.TB, addr string, n int) []net.Conn {
	t.Helper()
	conns := make([]net.Conn, 0, n)
	t.Cleanup(func() {
		for _, c := range conns {
			_ = c.Close()
		}
	})
	for range n {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatalf("flood %s: dial %d of %d: %v", addr, len(conns)+1, n, err)
		}
		conns = append(conns, c)
	}
	return conns
}

// Closed counts the connections of conns that the far end has closed
// by deadline (waiting until then for those still open).
func Closed(conns []net.Conn, deadline time.Time) int {
	n := 0
	for _, c := range conns {
		if PeerClosed(c, deadline) {
			n++
		}
	}
	return n
}

// PeerClosed reports whether the far end of c closed it (a read ends in
// EOF or a reset) by deadline. Bytes the peer sent are discarded.
func PeerClosed(c net.Conn, deadline time.Time) bool {
	buf := make([]byte, 256)
	for {
		_ = c.SetReadDeadline(deadline)
		_, err := c.Read(buf)
		if err == nil {
			continue
		}
		var ne net.Error
		return !(errors.As(err, &ne) && ne.Timeout())
	}
}

// Slowloris dials addr and writes payload one byte every interval until
// the far end closes the connection, ctx ends, or the payload runs out
// (then it keeps the connection silent). It returns how long the
// connection lasted and whether the far end closed it.
func Slowloris(ctx context.Context, addr string, payload []byte, interval time.Duration) (time.Duration, bool) {
	start := time.Now()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return 0, true // refused outright counts as dropped
	}
	defer c.Close()
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		buf := make([]byte, 256)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
		}
	}()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-closed:
			return time.Since(start), true
		case <-ctx.Done():
			return time.Since(start), false
		case <-tick.C:
		}
		if i < len(payload) {
			if _, err := c.Write(payload[i : i+1]); err != nil {
				<-closed
				return time.Since(start), true
			}
		}
	}
}
