package hostile

import (
	"io"
	"net"
	"sync"
	"testing"

	"faultline/transport/proxy"
)

// Relay forwards every connection made to its address to a target
// address, byte for byte in both directions, and can inject bytes into
// the client-to-target direction of the latest connection: a client that
// holds the cluster's secret authenticates through it, then the test
// sends the target whatever it likes on that authenticated connection.
// It closes when the test ends.
type Relay struct {
	srv    *proxy.Server
	target string

	mu    sync.Mutex
	links []*Link
}

// Link is one relayed connection.
type Link struct {
	client, upstream net.Conn
	wmu              sync.Mutex    // one writer to upstream at a time
	upClosed         chan struct{} // closed when the target's side ends
}

// NewRelay starts a relay to target on a free loopback port.
func NewRelay(t testing.TB, target string) *Relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &Relay{target: target}
	r.srv = proxy.Serve(ln, r.relay)
	t.Cleanup(func() { _ = r.srv.Close() })
	return r
}

// Addr is the address clients dial instead of the target's.
func (r *Relay) Addr() string { return r.srv.Addr().String() }

// Latest returns the latest connection relayed, nil before the first.
func (r *Relay) Latest() *Link {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.links) == 0 {
		return nil
	}
	return r.links[len(r.links)-1]
}

// Links counts the connections relayed so far.
func (r *Relay) Links() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.links)
}

// relay forwards the client connection c to a new connection to the
// target until both directions end.
func (r *Relay) relay(s *proxy.Server, c net.Conn) {
	up, err := net.Dial("tcp", r.target)
	if err != nil || !s.Track(up) {
		return
	}
	defer s.Untrack(up)
	l := &Link{client: c, upstream: up, upClosed: make(chan struct{})}
	r.mu.Lock()
	r.links = append(r.links, l)
	r.mu.Unlock()
	done := make(chan struct{})
	go func() { // client -> target
		defer close(done)
		buf := make([]byte, 32<<10)
		for {
			n, err := c.Read(buf)
			if n > 0 {
				if werr := l.Inject(buf[:n]); werr != nil {
					break
				}
			}
			if err != nil {
				break
			}
		}
		_ = up.Close()
	}()
	// target -> client
	_, _ = io.Copy(c, up)
	close(l.upClosed)
	_ = c.Close()
	<-done
}

// Inject writes b to the target as if the client had sent it.
func (l *Link) Inject(b []byte) error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	_, err := l.upstream.Write(b)
	return err
}

// TargetClosed is closed once the target has closed the connection.
func (l *Link) TargetClosed() <-chan struct{} { return l.upClosed }
