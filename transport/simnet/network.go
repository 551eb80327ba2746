package simnet

import (
	"fmt"
	"sync"
	"sync/atomic"

	"faultline/transport"
)

// Network is a simulated network of named client ends and named servers.
// All methods are safe for concurrent use. Create one with MakeNetwork and
// stop it with Cleanup.
type Network struct {
	seed int64
	rng  *lockedRand
	done chan struct{} // closed by Cleanup

	mu             sync.RWMutex
	closed         bool
	reliable       bool
	longDelays     bool
	longReordering bool
	ends           map[string]*endState
	servers        map[string]*server
	links          map[link]transport.LinkFaults

	totalCount atomic.Int64
	totalBytes atomic.Int64
	cleanup    sync.Once
}

// endState is the network's view of one client end; guarded by Network.mu.
type endState struct {
	enabled bool
	server  string // connected server name; "" when unconnected
	origin  string // owning node for link faults; "" for none
	// off is closed when the end is disabled, failing every call in flight
	// through it; Enable(true) installs a fresh channel.
	off chan struct{}
}

// server is one incarnation of a named server. AddServer under an existing
// name and DeleteServer retire the incarnation by closing gone, so that calls
// in flight to it fail and its late replies are never delivered.
type server struct {
	srv   *transport.Server
	count atomic.Int64
	gone  chan struct{}
}

// link names a directed link between two nodes.
type link struct{ from, to string }

var _ transport.LinkFaulter = (*Network)(nil)

// MakeNetwork returns a reliable network whose random choices all come from
// seed. Tests should log the seed so that a failure can be replayed.
func MakeNetwork(seed int64) *Network {
	return &Network{
		seed:     seed,
		rng:      newLockedRand(seed),
		done:     make(chan struct{}),
		reliable: true,
		ends:     map[string]*endState{},
		servers:  map[string]*server{},
		links:    map[link]transport.LinkFaults{},
	}
}

// Seed returns the seed the network was made with.
func (n *Network) Seed() int64 { return n.seed }

// Cleanup stops the network: calls in flight return false (CallContext:
// transport.ErrClosed) without waiting for their delays, and later calls fail
// at once. Handlers already running are not interrupted; their goroutines end
// when the handlers return. Cleanup is idempotent.
func (n *Network) Cleanup() {
	n.cleanup.Do(func() {
		n.mu.Lock()
		n.closed = true
		n.mu.Unlock()
		close(n.done)
	})
}

// Reliable switches the whole network between reliable delivery (the
// default) and unreliable delivery: short random delays before each request,
// and about 10% of requests and 10% of replies dropped.
func (n *Network) Reliable(yes bool) {
	n.mu.Lock()
	n.reliable = yes
	n.mu.Unlock()
}

// LongReordering makes about two thirds of replies be held back by 200 ms to
// about 2.2 s, so that they arrive long after later ones.
func (n *Network) LongReordering(yes bool) {
	n.mu.Lock()
	n.longReordering = yes
	n.mu.Unlock()
}

// LongDelays makes calls that cannot be delivered (disabled or unconnected
// end, missing server, blocked link) take up to 7 s to fail, instead of up to
// 100 ms.
func (n *Network) LongDelays(yes bool) {
	n.mu.Lock()
	n.longDelays = yes
	n.mu.Unlock()
}

// MakeEnd creates a client end named endname. The end starts disabled and
// unconnected. Making two ends with the same name is a programming error and
// panics.
func (n *Network) MakeEnd(endname string) *ClientEnd {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, dup := n.ends[endname]; dup {
		panic(fmt.Sprintf("simnet: MakeEnd: end %q already exists", endname))
	}
	st := &endState{}
	n.ends[endname] = st
	return &ClientEnd{net: n, name: endname, st: st}
}

// Connect attaches the end endname to the server named servername (which
// need not exist yet). Calls already in flight keep their old destination.
func (n *Network) Connect(endname, servername string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.end(endname).server = servername
}

// Enable switches the end endname on or off. Disabling an end fails every
// call in flight through it, and their replies are never delivered.
func (n *Network) Enable(endname string, enabled bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	st := n.end(endname)
	switch {
	case enabled && !st.enabled:
		st.off = make(chan struct{})
	case !enabled && st.enabled:
		close(st.off)
		st.off = nil
	}
	st.enabled = enabled
}

// SetOrigin says which node owns the end endname. Calls through the end are
// subject to the link faults of node -> server for requests and
// server -> node for replies. An end without an origin is subject to no link
// faults.
func (n *Network) SetOrigin(endname, node string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.end(endname).origin = node
}

// Dial makes an enabled end named endname from node origin to the server
// named servername: MakeEnd, Connect, SetOrigin and Enable in one.
func (n *Network) Dial(endname, origin, servername string) *ClientEnd {
	e := n.MakeEnd(endname)
	n.Connect(endname, servername)
	n.SetOrigin(endname, origin)
	n.Enable(endname, true)
	return e
}

// end returns the state of endname; n.mu must be held. An unknown name is a
// programming error and panics.
func (n *Network) end(endname string) *endState {
	st, ok := n.ends[endname]
	if !ok {
		panic(fmt.Sprintf("simnet: unknown end %q", endname))
	}
	return st
}

// AddServer makes srv serve under servername, replacing (and crashing) any
// server already there. Its RPC count starts at zero.
func (n *Network) AddServer(servername string, srv *transport.Server) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if old := n.servers[servername]; old != nil {
		close(old.gone)
	}
	n.servers[servername] = &server{srv: srv, gone: make(chan struct{})}
}

// DeleteServer crashes the server named servername: calls in flight to it
// fail, and replies it produces afterwards are never delivered. Deleting a
// missing server does nothing.
func (n *Network) DeleteServer(servername string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if old := n.servers[servername]; old != nil {
		close(old.gone)
		delete(n.servers, servername)
	}
}

// GetCount returns the number of RPCs delivered to the current server named
// servername (a duplicated request counts twice), or 0 when there is none.
func (n *Network) GetCount(servername string) int {
	n.mu.RLock()
	defer n.mu.RUnlock()
	if s := n.servers[servername]; s != nil {
		return int(s.count.Load())
	}
	return 0
}

// GetTotalCount returns the number of calls made through any end of the
// network, delivered or not.
func (n *Network) GetTotalCount() int { return int(n.totalCount.Load()) }

// GetTotalBytes returns the total size of the encoded requests sent and the
// encoded replies delivered.
func (n *Network) GetTotalBytes() int64 { return n.totalBytes.Load() }
