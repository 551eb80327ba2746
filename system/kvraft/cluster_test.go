package kvraft

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"faultline/internal/labcluster"
	"faultline/system/raft"
	"faultline/transport"
)

// cluster is the lab harness's group of KV servers on a simulated network,
// plus the clerks of a test.
type cluster struct {
	*labcluster.Group
	t   *testing.T
	net *labcluster.Net

	mu      sync.Mutex
	clerks  map[*Clerk]string // clerk -> its client name in the group
	clients atomic.Int64
}

func newCluster(t *testing.T, n int, unreliable bool, maxraftstate int) *cluster {
	t.Helper()
	net := labcluster.NewNet(t, !unreliable)
	g := labcluster.NewGroup(t, net.Network, "server", n, func(ends []raft.Peer, me int, p raft.Persister) labcluster.Server {
		return StartKVServer(ends, me, p, maxraftstate)
	})
	return &cluster{Group: g, t: t, net: net, clerks: map[*Clerk]string{}}
}

// makeClerk returns a clerk with its own ends to every server, in shuffled
// order, which reach only the servers in to.
func (c *cluster) makeClerk(to []int) *Clerk {
	name := fmt.Sprintf("clerk-%d", c.clients.Add(1))
	ck := MakeClerk(shuffled(c.ClientEndsTo(name, to), c.net.IntN))
	c.mu.Lock()
	c.clerks[ck] = name
	c.mu.Unlock()
	return ck
}

// connectClerk lets the clerk reach the servers in to only.
func (c *cluster) connectClerk(ck *Clerk, to []int) {
	c.mu.Lock()
	name := c.clerks[ck]
	c.mu.Unlock()
	c.SetClientReach(name, to)
}

// makeClient returns a context-aware client with its own ends to every
// server.
func (c *cluster) makeClient() *Client {
	peers := c.ClientEnds(fmt.Sprintf("client-%d", c.clients.Add(1)))
	ends := make([]transport.Caller, len(peers))
	for i, p := range peers {
		ends[i] = p.(transport.Caller)
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
