package labcluster

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"faultline/system/raft"
	"faultline/transport"
	"faultline/transport/simnet"
)

// Server is what a group runs: a service replica with a Raft peer.
type Server interface {
	Kill()
	Raft() *raft.Raft
}

// StartFunc starts replica me of a group with ends to every replica (ends[me]
// included) and the persister holding its last persisted state.
type StartFunc func(ends []raft.Peer, me int, p raft.Persister) Server

var endSeq atomic.Int64

// Group is n replicas of one service on a shared simulated network.
type Group struct {
	t      testing.TB
	net    *simnet.Network
	prefix string
	n      int
	start  StartFunc

	mu        sync.Mutex
	servers   []Server
	saved     []*raft.MemoryPersister
	endnames  [][]string // endnames[i][j]: replica i's end to replica j
	connected []bool
	clients   map[string]*client
}

// client is one client's ends, one per replica, and which replicas it may
// reach at all.
type client struct {
	names   []string
	allowed []bool
}

// NewGroup starts n replicas named prefix-0 .. prefix-(n-1), all connected,
// and kills them in t.Cleanup.
func NewGroup(t testing.TB, net *simnet.Network, prefix string, n int, start StartFunc) *Group {
	g := &Group{
		t: t, net: net, prefix: prefix, n: n, start: start,
		servers:   make([]Server, n),
		saved:     make([]*raft.MemoryPersister, n),
		endnames:  make([][]string, n),
		connected: make([]bool, n),
		clients:   map[string]*client{},
	}
	for i := range n {
		g.saved[i] = raft.MakePersister()
		g.StartServer(i)
	}
	g.ConnectAll()
	t.Cleanup(g.KillAll)
	return g
}

// N is the number of replicas.
func (g *Group) N() int { return g.n }

// ServerName is the simnet name of replica i; it is also what shardkv's
// makeEnd resolves.
func (g *Group) ServerName(i int) string { return fmt.Sprintf("%s-%d", g.prefix, i) }

// ServerNames lists the names of all replicas.
func (g *Group) ServerNames() []string {
	out := make([]string, g.n)
	for i := range out {
		out[i] = g.ServerName(i)
	}
	return out
}

// All returns 0..n-1.
func (g *Group) All() []int {
	out := make([]int, g.n)
	for i := range out {
		out[i] = i
	}
	return out
}

// Server returns replica i, or nil while it is down.
func (g *Group) Server(i int) Server {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.servers[i]
}

// Persister returns replica i's current persister.
func (g *Group) Persister(i int) *raft.MemoryPersister {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.saved[i]
}

// StartServer (re)starts replica i from a copy of its persisted state, with
// fresh ends so that no reply meant for an old incarnation reaches it. The
// replica is registered on the network but its links keep their previous
// enabled state: call Connect to link it.
func (g *Group) StartServer(i int) {
	g.mu.Lock()
	g.endnames[i] = make([]string, g.n)
	ends := make([]raft.Peer, g.n)
	for j := range g.n {
		name := fmt.Sprintf("%s-end-%d-%d-%d", g.prefix, i, j, endSeq.Add(1))
		g.endnames[i][j] = name
		e := g.net.MakeEnd(name)
		g.net.Connect(name, g.ServerName(j))
		g.net.SetOrigin(name, g.ServerName(i))
		ends[j] = e
	}
	g.saved[i] = g.saved[i].Copy()
	p := g.saved[i]
	g.mu.Unlock()

	s := g.start(ends, i, p)
	srv := transport.NewServer()
	if err := srv.Register(s); err != nil {
		g.t.Fatalf("labcluster: register %T: %v", s, err)
	}
	if err := srv.Register(s.Raft()); err != nil {
		g.t.Fatalf("labcluster: register Raft: %v", err)
	}
	g.mu.Lock()
	g.servers[i] = s
	g.mu.Unlock()
	g.net.AddServer(g.ServerName(i), srv)
}

// ShutdownServer crashes replica i: disconnected, removed from the network
// and killed. What it persisted survives in a copy for StartServer.
func (g *Group) ShutdownServer(i int) {
	g.Disconnect(i, g.All())
	g.net.DeleteServer(g.ServerName(i))
	g.mu.Lock()
	g.saved[i] = g.saved[i].Copy()
	g.mu.Unlock()
	g.kill(i)
}

// KillAll kills every replica; the network is left to its owner.
func (g *Group) KillAll() {
	for i := range g.n {
		g.kill(i)
	}
}

// kill takes replica i out of the group and kills it, if it runs.
func (g *Group) kill(i int) {
	g.mu.Lock()
	s := g.servers[i]
	g.servers[i] = nil
	g.mu.Unlock()
	if s != nil {
		s.Kill()
	}
}

// Connect enables the links between replica i and each replica in to, in
// both directions, and the ends of every client to i.
func (g *Group) Connect(i int, to []int) {
	g.setLinks(i, to, true)
}

// Disconnect disables the links between replica i and each replica in from,
// and the ends of every client to i.
func (g *Group) Disconnect(i int, from []int) {
	g.setLinks(i, from, false)
}

func (g *Group) setLinks(i int, others []int, on bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.connected[i] = on
	for _, j := range others {
		if g.endnames[i] != nil {
			g.net.Enable(g.endnames[i][j], on)
		}
		if g.endnames[j] != nil {
			g.net.Enable(g.endnames[j][i], on)
		}
	}
	for _, c := range g.clients {
		g.net.Enable(c.names[i], on && c.allowed[i])
	}
}

// ConnectAll connects every replica to every other.
func (g *Group) ConnectAll() {
	for i := range g.n {
		g.Connect(i, g.All())
	}
}

// Partition splits the replicas into p1 and p2: links inside each side
// work, links across do not. Clients keep reaching every connected replica.
func (g *Group) Partition(p1, p2 []int) {
	for _, i := range p1 {
		g.Disconnect(i, p2)
		g.Connect(i, p1)
	}
	for _, i := range p2 {
		g.Disconnect(i, p1)
		g.Connect(i, p2)
	}
}

// ClientEnds makes a named client's ends, one per replica, enabled for the
// replicas that are connected now.
func (g *Group) ClientEnds(name string) []raft.Peer {
	return g.ClientEndsTo(name, g.All())
}

// ClientEndsTo makes a named client's ends, one per replica, that can only
// ever reach the replicas in to (and those only while connected).
func (g *Group) ClientEndsTo(name string, to []int) []raft.Peer {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, dup := g.clients[name]; dup {
		g.t.Fatalf("labcluster: client %q already exists", name)
	}
	c := &client{names: make([]string, g.n), allowed: make([]bool, g.n)}
	for _, j := range to {
		c.allowed[j] = true
	}
	ends := make([]raft.Peer, g.n)
	for j := range g.n {
		c.names[j] = fmt.Sprintf("%s-client-%s-%d-%d", g.prefix, name, j, endSeq.Add(1))
		e := g.net.MakeEnd(c.names[j])
		g.net.Connect(c.names[j], g.ServerName(j))
		g.net.SetOrigin(c.names[j], name)
		g.net.Enable(c.names[j], g.connected[j] && c.allowed[j])
		ends[j] = e
	}
	g.clients[name] = c
	return ends
}

// Leader returns a replica that believes it leads in the highest term seen,
// or -1 when no running replica does.
func (g *Group) Leader() int {
	best, bestTerm := -1, -1
	for i := range g.n {
		g.mu.Lock()
		s, up := g.servers[i], g.connected[i]
		g.mu.Unlock()
		if s == nil || !up {
			continue
		}
		if term, isLeader := s.Raft().GetState(); isLeader && term > bestTerm {
			best, bestTerm = i, term
		}
	}
	return best
}

// MaxSizes returns the largest persisted Raft state and the largest
// snapshot over the replicas.
func (g *Group) MaxSizes() (raftState, snapshot int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, p := range g.saved {
		raftState, snapshot = max(raftState, p.RaftStateSize()), max(snapshot, p.SnapshotSize())
	}
	return raftState, snapshot
}

// TotalStateSize sums Raft state and snapshot sizes over every replica.
func (g *Group) TotalStateSize() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	total := 0
	for _, p := range g.saved {
		total += p.RaftStateSize() + p.SnapshotSize()
	}
	return total
}

// Others returns every replica but i.
func (g *Group) Others(i int) []int {
	return slices.DeleteFunc(g.All(), func(j int) bool { return j == i })
}

// SetClientReach changes which replicas the named client may reach.
func (g *Group) SetClientReach(name string, to []int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	c, ok := g.clients[name]
	if !ok {
		g.t.Fatalf("labcluster: no client %q", name)
	}
	clear(c.allowed)
	for _, j := range to {
		c.allowed[j] = true
	}
	for j, name := range c.names {
		g.net.Enable(name, g.connected[j] && c.allowed[j])
	}
}

// RaftStateSizes returns each replica's persisted Raft state size.
func (g *Group) RaftStateSizes() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]int, g.n)
	for i, p := range g.saved {
		out[i] = p.RaftStateSize()
	}
	return out
}

// MinorityPartition returns a split of the replicas into a majority and a
// minority, with the current leader (if any) in the minority.
func (g *Group) MinorityPartition() (majority, minority []int) {
	l := g.Leader()
	for i := range g.n {
		switch {
		case i == l:
		case len(majority) < g.n/2+1:
			majority = append(majority, i)
		default:
			minority = append(minority, i)
		}
	}
	if l >= 0 {
		minority = append(minority, l)
	}
	return majority, minority
}
