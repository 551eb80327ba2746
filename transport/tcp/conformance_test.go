package tcp

import (
	"sync"
	"testing"
	"time"

	"faultline/transport"
	"faultline/transport/transporttest"
)

// TestConformance runs the transport suite shared with simnet against TCP.
func TestConformance(t *testing.T) {
	checkGoroutines(t)
	seed := time.Now().UnixNano()
	transporttest.Run(t, func(t *testing.T) transporttest.Harness {
		seed++
		t.Logf("faults seed %d", seed)
		return &harness{faults: NewFaults(seed), nodes: map[string]*node{}}
	})
}

// harness adapts TCP to transporttest.Harness: every node is a Listener on
// a loopback port that it keeps across restarts.
type harness struct {
	faults *Faults

	mu    sync.Mutex
	nodes map[string]*node
}

type node struct {
	addr string
	l    *Listener // nil while stopped
}

var _ transporttest.Harness = (*harness)(nil)

func (h *harness) Serve(t testing.TB, name string, srv *transport.Server) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := h.nodes[name]
	if n == nil {
		n = &node{addr: "127.0.0.1:0"}
		h.nodes[name] = n
	}
	if n.l != nil {
		t.Fatalf("node %s served twice without Stop", name)
	}
	l, err := Listen(n.addr, srv, Config{Node: name})
	if err != nil {
		t.Fatalf("serve %s: %v", name, err)
	}
	n.addr, n.l = l.Addr(), l
	t.Cleanup(func() { l.Close() })
	return n.addr
}

func (h *harness) Stop(t testing.TB, name string) {
	h.mu.Lock()
	n := h.nodes[name]
	var l *Listener
	if n != nil {
		l, n.l = n.l, nil
	}
	h.mu.Unlock()
	if l == nil {
		t.Fatalf("stop %s: not serving", name)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("stop %s: %v", name, err)
	}
}

func (h *harness) Dial(t testing.TB, from, to string) transport.ContextCaller {
	h.mu.Lock()
	n := h.nodes[to]
	h.mu.Unlock()
	if n == nil {
		t.Fatalf("dial %s: never served", to)
	}
	c := DialNamed(to, n.addr, Config{
		Node:       from,
		Faults:     h.faults,
		BackoffMin: time.Millisecond,
		BackoffMax: 50 * time.Millisecond,
	})
	t.Cleanup(func() { c.Close() })
	return c
}

func (h *harness) Faults() transport.LinkFaulter { return h.faults }
