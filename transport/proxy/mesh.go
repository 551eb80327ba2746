package proxy

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"faultline/transport"
)

// Mesh is a set of link proxies sharing one fault table. It implements
// transport.LinkFaulter and transport.FaultSupport. It is safe for
// concurrent use.
type Mesh struct {
	mu      sync.Mutex // guards everything below but wg
	rng     *rand.Rand
	faults  map[[2]string]*linkState // unhealthy links
	changed chan struct{}            // closed and replaced whenever faults change
	proxies map[[2]string]*linkProxy
	closed  bool
	done    chan struct{} // closed by Close
	wg      sync.WaitGroup
}

// linkState is the faults of one unhealthy directed link and its loss
// chain, which carries over while the link stays unhealthy.
type linkState struct {
	f     transport.LinkFaults
	chain transport.LossChain
}

var (
	_ transport.LinkFaulter  = (*Mesh)(nil)
	_ transport.FaultSupport = (*Mesh)(nil)
)

// NewMesh returns an empty mesh whose random decisions draw from seed.
func NewMesh(seed int64) *Mesh {
	return &Mesh{
		rng:     rand.New(rand.NewPCG(uint64(seed), 0x6a09e667f3bcc909)),
		faults:  map[[2]string]*linkState{},
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

// FaultLayer implements transport.Layered: the proxy layer.
func (m *Mesh) FaultLayer() transport.Layer { return transport.LayerProxy }

// SupportsLink implements transport.FaultSupport: a Mesh applies every
// field but Duplicate, which a TCP stream hides (it delivers each byte
// once).
func (m *Mesh) SupportsLink(f transport.LinkFaults) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if f.Duplicate > 0 {
		return fmt.Errorf("duplication by a TCP proxy (a stream delivers each byte once): %w", transport.ErrFaultUnsupported)
	}
	return nil
}

// SetLink implements transport.LinkFaulter: it replaces the faults of
// from -> to; healthy faults remove them. Starting a reset closes the
// link's proxied connections abruptly.
func (m *Mesh) SetLink(from, to string, f transport.LinkFaults) error {
	if err := m.SupportsLink(f); err != nil {
		return fmt.Errorf("proxy: set link %s->%s: %w", from, to, err)
	}
	k := [2]string{from, to}
	m.mu.Lock()
	if ls := m.faults[k]; f.Healthy() {
		delete(m.faults, k)
	} else if ls != nil {
		ls.f = f
	} else {
		m.faults[k] = &linkState{f: f}
	}
	m.broadcastLocked()
	p := m.proxies[k]
	m.mu.Unlock()
	if p != nil && f.Conn == transport.ConnReset {
		p.closeAll(true)
	}
	return nil
}

// Link implements transport.LinkFaulter: the faults on from -> to.
func (m *Mesh) Link(from, to string) transport.LinkFaults {
	f, _ := m.link(from, to)
	return f
}

// HealAll implements transport.LinkFaulter: it removes every link fault,
// releasing the bytes held by blocked and stalled links.
func (m *Mesh) HealAll() {
	m.mu.Lock()
	clear(m.faults)
	m.broadcastLocked()
	m.mu.Unlock()
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
		p.closeAll(true)
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
func (m *Mesh) link(from, to string) (transport.LinkFaults, <-chan struct{}) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ls := m.faults[[2]string{from, to}]; ls != nil {
		return ls.f, m.changed
	}
	return transport.LinkFaults{}, m.changed
}

// draw decides the fate of one chunk on from -> to: its transit time
// (delay in the link's distribution and a possible reordering hold-back)
// and whether it is lost (stepping the link's loss chain).
func (m *Mesh) draw(from, to string) (transit time.Duration, lost bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ls := m.faults[[2]string{from, to}]
	if ls == nil {
		return 0, false
	}
	return ls.f.Transit(m.rng), ls.chain.Lost(&ls.f, m.rng)
}
