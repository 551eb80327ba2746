package proxy

import (
	"errors"
	"fmt"
	"net"
	"sync"

	"faultline/chaos/netem"
)

// Mesh is a set of link proxies sharing one fault table. It implements
// netem.Network. It is safe for concurrent use.
type Mesh struct {
	sampler *netem.Sampler

	mu      sync.Mutex
	faults  map[[2]string]netem.Link
	changed chan struct{} // closed and replaced whenever faults change
	proxies map[[2]string]*linkProxy
	closed  bool
	done    chan struct{} // closed by Close
	wg      sync.WaitGroup
}

var _ netem.Network = (*Mesh)(nil)

// NewMesh returns an empty mesh whose random decisions draw from seed.
func NewMesh(seed int64) *Mesh {
	return &Mesh{
		sampler: netem.NewSampler(seed),
		faults:  map[[2]string]netem.Link{},
		changed: make(chan struct{}),
		proxies: map[[2]string]*linkProxy{},
		done:    make(chan struct{}),
	}
}

// ErrClosed is returned by Add after Close.
var ErrClosed = errors.New("proxy: mesh closed")

// Add starts the proxy of link from -> to, forwarding to target (node to's
// real address), and returns the address node from must dial instead. It
// listens on 127.0.0.1 on a free port.
func (m *Mesh) Add(from, to, target string) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("proxy: listen for %s->%s: %w", from, to, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		ln.Close()
		return "", ErrClosed
	}
	k := [2]string{from, to}
	if _, ok := m.proxies[k]; ok {
		ln.Close()
		return "", fmt.Errorf("proxy: link %s->%s already has a proxy", from, to)
	}
	p := &linkProxy{m: m, from: from, to: to, target: target, ln: ln, conns: map[*pair]bool{}}
	m.proxies[k] = p
	m.wg.Go(p.accept)
	return ln.Addr().String(), nil
}

// Addr returns the address of the proxy of from -> to, or "" if none.
func (m *Mesh) Addr(from, to string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if p, ok := m.proxies[[2]string{from, to}]; ok {
		return p.ln.Addr().String()
	}
	return ""
}

// Supports refuses duplication, which a TCP stream hides.
func (m *Mesh) Supports(l netem.Link) error {
	if l.Duplicate > 0 {
		return fmt.Errorf("duplication by a TCP proxy (a stream delivers each byte once): %w", netem.ErrUnsupported)
	}
	return nil
}

// SetLink implements netem.Network.
func (m *Mesh) SetLink(from, to string, l netem.Link) error {
	if err := l.Validate(); err != nil {
		return err
	}
	if err := m.Supports(l); err != nil {
		return err
	}
	k := [2]string{from, to}
	m.mu.Lock()
	if l.Healthy() {
		delete(m.faults, k)
	} else {
		m.faults[k] = l
	}
	m.broadcastLocked()
	p := m.proxies[k]
	m.mu.Unlock()
	if p != nil && l.Conn == netem.ConnReset {
		p.resetAll()
	}
	return nil
}

// HealAll implements netem.Network.
func (m *Mesh) HealAll() error {
	m.mu.Lock()
	clear(m.faults)
	m.broadcastLocked()
	m.mu.Unlock()
	return nil
}

// Close stops every proxy, closes every connection through them and waits
// for their goroutines. It is safe to call more than once.
func (m *Mesh) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		m.wg.Wait()
		return nil
	}
	m.closed = true
	close(m.done)
	clear(m.faults)
	m.broadcastLocked()
	ps := make([]*linkProxy, 0, len(m.proxies))
	for _, p := range m.proxies {
		ps = append(ps, p)
	}
	m.mu.Unlock()
	for _, p := range ps {
		p.ln.Close()
		p.closeAll()
	}
	m.wg.Wait()
	return nil
}

func (m *Mesh) broadcastLocked() {
	close(m.changed)
	m.changed = make(chan struct{})
}

// link returns the faults of from -> to and a channel closed at their next
// change.
func (m *Mesh) link(from, to string) (netem.Link, <-chan struct{}) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.faults[[2]string{from, to}], m.changed
}
