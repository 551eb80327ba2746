package tcp

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"faultline/transport"
)

// Faults is a table of link faults, keyed by directed link (from node ->
// to node), with its own seeded random source for the drops, delays and
// duplicates it decides. Clients consult it for every request and reply; the
// chaos controller edits it through transport.LinkFaulter. Share one Faults
// between the clients of a test to drive all their links from one place. It is
// safe for concurrent use.
//
// It applies every field of transport.LinkFaults, message by message, on
// the client side: a Client named to with Config.Node from judges its
// requests on from -> to and the replies to them on to -> from. A link's
// memory (its loss chain and bandwidth queue) lives in the table, so when
// two nodes have tables of their own (separate processes), a link's
// requests and the replies sent over it are paced and chained in different
// tables: each stream alone keeps the loss rate, burst length and
// bandwidth.
type Faults struct {
	// active counts unhealthy links, so that a healthy table costs one
	// atomic load per message.
	active atomic.Int64

	mu      sync.Mutex // guards everything below
	links   map[link]*linkState
	clients map[link]map[*faultLink]struct{} // clients' interceptors by (Node, peer name), for resets
	rng     *rand.Rand
}

var (
	_ transport.LinkFaulter  = (*Faults)(nil)
	_ transport.FaultSupport = (*Faults)(nil)
)

// link is a directed link between two node names.
type link struct{ from, to string }

// linkState is one unhealthy link: its faults and their memory.
type linkState struct {
	f     transport.LinkFaults
	chain transport.LossChain
	pacer transport.Pacer
	// lifted is closed when the link's stall ends; nil when not stalled.
	lifted chan struct{}
}

// NewFaults returns an empty (healthy) table whose random decisions come from
// seed.
func NewFaults(seed int64) *Faults {
	return &Faults{
		links:   map[link]*linkState{},
		clients: map[link]map[*faultLink]struct{}{},
		rng:     rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)),
	}
}

// SupportsLink implements transport.FaultSupport: a Faults applies every
// field, so only an invalid f is refused. It is safe on a nil *Faults.
func (f *Faults) SupportsLink(lf transport.LinkFaults) error {
	return lf.Validate()
}

// SetLink replaces the faults on from -> to; healthy faults remove them.
// A link's loss chain and bandwidth queue carry over while it stays
// unhealthy. Ending a stall releases the messages it held; starting a
// reset closes every connection carrying the link (clients of this table
// from -> to and to -> from).
func (f *Faults) SetLink(from, to string, lf transport.LinkFaults) error {
	if err := lf.Validate(); err != nil {
		return err
	}
	k := link{from, to}
	f.mu.Lock()
	ls := f.links[k]
	var old transport.LinkFaults
	if ls != nil {
		old = ls.f
	}
	if lf.Healthy() {
		delete(f.links, k)
	} else {
		if ls == nil {
			ls = &linkState{}
			f.links[k] = ls
		}
		ls.f = lf
	}
	f.active.Store(int64(len(f.links)))
	if ls != nil && ls.lifted != nil && lf.Conn != transport.ConnStall {
		close(ls.lifted)
		ls.lifted = nil
	}
	var reset []*faultLink
	if lf.Conn == transport.ConnReset && old.Conn != transport.ConnReset {
		reset = f.clientsOn(k)
	}
	f.mu.Unlock()
	for _, fl := range reset {
		fl.c.resetConns(fl.resetError(from, to))
	}
	return nil
}

// clientsOn returns the interceptors of the clients whose connections
// carry link k. f.mu is held.
func (f *Faults) clientsOn(k link) []*faultLink {
	var out []*faultLink
	for _, kk := range []link{k, {k.to, k.from}} {
		for c := range f.clients[kk] {
			out = append(out, c)
		}
	}
	return out
}

// Link returns the faults currently on from -> to.
func (f *Faults) Link(from, to string) transport.LinkFaults {
	f.mu.Lock()
	defer f.mu.Unlock()
	if ls := f.links[link{from, to}]; ls != nil {
		return ls.f
	}
	return transport.LinkFaults{}
}

// HealAll removes every link fault, releasing stalled messages.
func (f *Faults) HealAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ls := range f.links {
		if ls.lifted != nil {
			close(ls.lifted)
		}
	}
	clear(f.links)
	f.active.Store(0)
}

// register records fl's client as one carrying the links between its node
// and peer, so that resets reach its connections.
func (f *Faults) register(fl *faultLink) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := link{fl.node, fl.peer}
	if f.clients[k] == nil {
		f.clients[k] = map[*faultLink]struct{}{}
	}
	f.clients[k][fl] = struct{}{}
}

// unregister forgets fl.
func (f *Faults) unregister(fl *faultLink) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := link{fl.node, fl.peer}
	delete(f.clients[k], fl)
	if len(f.clients[k]) == 0 {
		delete(f.clients, k)
	}
}

// maxLostWait bounds how long a call whose request or reply was lost waits
// before failing with transport.ErrUnreachable, as the course's labrpc fails
// lost calls after a short random delay.
const maxLostWait = 100 * time.Millisecond

// verdict is what happens to one message on a faulty link.
type verdict struct {
	reset   bool            // the link's connections are reset: the call fails now
	stalled <-chan struct{} // non-nil: hold the message until it closes, then judge it again
	blocked bool            // the link is partitioned: the message is lost
	drop    bool            // the message is lost
	delay   time.Duration   // a lost message's call fails after this; others are held back this long
	dup     bool            // a request is also delivered a second time...
	dupWait time.Duration   // ...after this delay
}

// judge decides the fate of one message of size bytes on from -> to. ok is
// false when the link is healthy (and the verdict zero). Only requests are
// duplicated. A reset of either direction resets the message: the
// connection carrying it carries both.
func (f *Faults) judge(from, to string, request bool, size int) (v verdict, ok bool) {
	if f == nil || f.active.Load() == 0 {
		return verdict{}, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	ls := f.links[link{from, to}]
	if rev := f.links[link{to, from}]; rev != nil && rev.f.Conn == transport.ConnReset {
		return verdict{reset: true}, true
	}
	if ls == nil {
		return verdict{}, false
	}
	lf := &ls.f
	switch {
	case lf.Conn == transport.ConnReset:
		return verdict{reset: true}, true
	case lf.Blocked:
		return verdict{blocked: true, delay: f.duration(maxLostWait)}, true
	case lf.Conn == transport.ConnStall:
		if ls.lifted == nil {
			ls.lifted = make(chan struct{})
		}
		return verdict{stalled: ls.lifted}, true
	}
	if ls.chain.Lost(lf, f.rng) {
		return verdict{drop: true, delay: f.duration(maxLostWait)}, true
	}
	now := time.Now()
	v.delay = ls.pacer.Admit(now, size, lf.Bandwidth) + lf.Transit(f.rng)
	if request && f.chance(lf.Duplicate) {
		v.dup = true
		v.dupWait = ls.pacer.Admit(now, size, lf.Bandwidth) + lf.Transit(f.rng)
	}
	return v, true
}

// resetting reports whether either direction of the link between node and
// peer has its connections reset.
func (f *Faults) resetting(node, peer string) bool {
	if f.active.Load() == 0 {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range []link{{node, peer}, {peer, node}} {
		if ls := f.links[k]; ls != nil && ls.f.Conn == transport.ConnReset {
			return true
		}
	}
	return false
}

// slowClose returns how long a closing connection between node and peer
// is held open under ConnSlowClose on either direction (the longer), or
// zero.
func (f *Faults) slowClose(node, peer string) time.Duration {
	if f.active.Load() == 0 {
		return 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var hold time.Duration
	for _, k := range []link{{node, peer}, {peer, node}} {
		if ls := f.links[k]; ls != nil && ls.f.Conn == transport.ConnSlowClose {
			d := ls.f.SlowClose
			if d == 0 {
				d = transport.DefaultSlowClose
			}
			hold = max(hold, d)
		}
	}
	return hold
}

// chance reports true with probability p. f.mu is held.
func (f *Faults) chance(p float64) bool {
	return p > 0 && (p >= 1 || f.rng.Float64() < p)
}

// duration returns a uniform duration in [0, max). f.mu is held.
func (f *Faults) duration(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return time.Duration(f.rng.Int64N(int64(max)))
}
