package kvraft

import (
	"flag"
	"fmt"
	"math/rand"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"faultline/system/raft"
	"faultline/transport"
	"faultline/transport/simnet"
)

var seedFlag = flag.Int64("seed", 0, "seed for the simulated network and test randomness (0 = time-based)")

// cluster is a test harness of KV servers on a simulated network, in the
// shape of the course's lab config.
type cluster struct {
	t            *testing.T
	net          *simnet.Network
	seed         int64
	rng          *rand.Rand // guarded by mu
	n            int
	maxraftstate int

	mu        sync.Mutex
	kvs       []*KVServer
	saved     []*raft.MemoryPersister
	endnames  [][]string // endnames[i][j]: server i's end to server j
	clerks    map[*Clerk][]string
	nextEnd   atomic.Int64
	connected []bool
}

func newCluster(t *testing.T, n int, unreliable bool, maxraftstate int) *cluster {
	t.Helper()
	seed := *seedFlag
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	t.Logf("seed %d (replay with -seed %d)", seed, seed)
	c := &cluster{
		t:            t,
		net:          simnet.MakeNetwork(seed),
		seed:         seed,
		rng:          rand.New(rand.NewSource(seed)),
		n:            n,
		maxraftstate: maxraftstate,
		kvs:          make([]*KVServer, n),
		saved:        make([]*raft.MemoryPersister, n),
		endnames:     make([][]string, n),
		clerks:       map[*Clerk][]string{},
		connected:    make([]bool, n),
	}
	for i := range n {
		c.saved[i] = raft.MakePersister()
		c.startServer(i)
	}
	c.connectAll()
	c.net.Reliable(!unreliable)
	t.Cleanup(c.cleanup)
	return c
}

func (c *cluster) cleanup() {
	c.mu.Lock()
	kvs := append([]*KVServer(nil), c.kvs...)
	c.mu.Unlock()
	for _, kv := range kvs {
		if kv != nil {
			kv.Kill()
		}
	}
	c.net.Cleanup()
}

func (c *cluster) randIntn(n int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rng.Intn(n)
}

func (c *cluster) serverName(i int) string { return fmt.Sprintf("server-%d", i) }

func (c *cluster) newEndName() string { return fmt.Sprintf("end-%d", c.nextEnd.Add(1)) }

// startServer (re)starts server i from its saved persister, with fresh ends
// so that no reply to the old incarnation reaches the new one. The server is
// not connected to anything.
func (c *cluster) startServer(i int) {
	c.mu.Lock()
	c.endnames[i] = make([]string, c.n)
	ends := make([]raft.Peer, c.n)
	for j := range c.n {
		c.endnames[i][j] = c.newEndName()
		e := c.net.MakeEnd(c.endnames[i][j])
		c.net.Connect(c.endnames[i][j], c.serverName(j))
		ends[j] = e
	}
	// A fresh persister holding the last persisted state: the killed
	// incarnation can no longer write into what the new one reads.
	if c.saved[i] != nil {
		c.saved[i] = c.saved[i].Copy()
	} else {
		c.saved[i] = raft.MakePersister()
	}
	p := c.saved[i]
	c.mu.Unlock()

	kv := StartKVServer(ends, i, p, c.maxraftstate)
	srv := transport.NewServer()
	if err := srv.Register(kv); err != nil {
		c.t.Fatalf("register KVServer: %v", err)
	}
	if err := srv.Register(kv.Raft()); err != nil {
		c.t.Fatalf("register Raft: %v", err)
	}
	c.mu.Lock()
	c.kvs[i] = kv
	c.mu.Unlock()
	c.net.AddServer(c.serverName(i), srv)
}

// shutdownServer crashes server i: it is disconnected, removed from the
// network and killed; its persisted state survives in a copy.
func (c *cluster) shutdownServer(i int) {
	c.disconnect(i, c.all())
	c.net.DeleteServer(c.serverName(i))
	c.mu.Lock()
	if c.saved[i] != nil {
		c.saved[i] = c.saved[i].Copy()
	}
	kv := c.kvs[i]
	c.kvs[i] = nil
	c.mu.Unlock()
	if kv != nil {
		kv.Kill()
	}
}

func (c *cluster) all() []int {
	out := make([]int, c.n)
	for i := range out {
		out[i] = i
	}
	return out
}

// connect enables the links between server i and every server in to, both
// directions.
func (c *cluster) connect(i int, to []int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.connected[i] = true
	for _, j := range to {
		c.net.Enable(c.endnames[i][j], true)
		c.net.Enable(c.endnames[j][i], true)
	}
}

func (c *cluster) disconnect(i int, from []int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.connected[i] = false
	for _, j := range from {
		if c.endnames[i] != nil {
			c.net.Enable(c.endnames[i][j], false)
		}
		if c.endnames[j] != nil {
			c.net.Enable(c.endnames[j][i], false)
		}
	}
}

func (c *cluster) connectAll() {
	for i := range c.n {
		c.connect(i, c.all())
	}
}

// partition splits the servers into p1 and p2: links within a group work,
// links across do not. Clerks are not affected.
func (c *cluster) partition(p1, p2 []int) {
	for _, i := range p1 {
		c.disconnect(i, p2)
		c.connect(i, p1)
	}
	for _, i := range p2 {
		c.disconnect(i, p1)
		c.connect(i, p2)
	}
}

// makeClerk returns a clerk with its own ends to every server, enabled for
// the servers in to.
func (c *cluster) makeClerk(to []int) *Clerk {
	ends := make([]raft.Peer, c.n)
	names := make([]string, c.n)
	for j := range c.n {
		names[j] = c.newEndName()
		e := c.net.MakeEnd(names[j])
		c.net.Connect(names[j], c.serverName(j))
		ends[j] = e
	}
	ck := MakeClerk(shuffled(ends, c.randIntn))
	c.mu.Lock()
	c.clerks[ck] = names
	c.mu.Unlock()
	c.connectClerk(ck, to)
	return ck
}

// makeClient returns a context-aware client with its own ends to every
// server, all enabled.
func (c *cluster) makeClient() *Client {
	ends := make([]transport.Caller, c.n)
	for j := range c.n {
		name := c.newEndName()
		e := c.net.MakeEnd(name)
		c.net.Connect(name, c.serverName(j))
		c.net.Enable(name, true)
		ends[j] = e
	}
	cl, err := NewClient(ends, ClientConfig{AttemptTimeout: 500 * time.Millisecond})
	if err != nil {
		c.t.Fatal(err)
	}
	return cl
}

func shuffled[T any](xs []T, intn func(int) int) []T {
	out := append([]T(nil), xs...)
	for i := len(out) - 1; i > 0; i-- {
		j := intn(i + 1)
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// connectClerk enables the clerk's ends to the servers in to only. The
// clerk's ends are in shuffled order, so they are matched by server.
func (c *cluster) connectClerk(ck *Clerk, to []int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	names := c.clerks[ck]
	on := map[int]bool{}
	for _, j := range to {
		on[j] = true
	}
	for j, name := range names {
		c.net.Enable(name, on[j])
	}
}

// leader returns a server that believes it is leader, if any.
func (c *cluster) leader() (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, kv := range c.kvs {
		if kv == nil {
			continue
		}
		if _, isLeader := kv.Raft().GetState(); isLeader {
			return i, true
		}
	}
	return 0, false
}

// makePartition returns a random split with the current leader (if any) in
// the minority.
func (c *cluster) makePartition() ([]int, []int) {
	l, _ := c.leader()
	p1 := make([]int, 0, c.n/2+1)
	p2 := make([]int, 0, c.n/2)
	for i := range c.n {
		if i != l {
			if len(p1) < c.n/2+1 {
				p1 = append(p1, i)
			} else {
				p2 = append(p2, i)
			}
		}
	}
	p2 = append(p2, l)
	return p1, p2
}

// logSize returns the largest Raft state size among the servers.
func (c *cluster) logSize() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, p := range c.saved {
		n = max(n, p.RaftStateSize())
	}
	return n
}

// snapshotSize returns the largest snapshot size among the servers.
func (c *cluster) snapshotSize() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, p := range c.saved {
		n = max(n, p.SnapshotSize())
	}
	return n
}

// waitFor polls cond every 10ms until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
