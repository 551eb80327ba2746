package shardkv

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"faultline/internal/labcluster"
	"faultline/system/raft"
	"faultline/system/shardctrler"
)

// cluster is a shard controller group and several replica groups on one
// simulated network, in the shape of the course's lab 4B config.
type cluster struct {
	t            *testing.T
	net          *labcluster.Net
	maxraftstate int
	ctrlers      *labcluster.Group
	groups       []*labcluster.Group
	gids         []int
	mck          *shardctrler.Clerk
	nextClient   atomic.Int64
	nextEnd      atomic.Int64
}

const (
	nCtrlers  = 3
	perGroup  = 3
	firstGID  = 100
	opTimeout = 30 * time.Second
)

func newCluster(t *testing.T, nGroups int, unreliable bool, maxraftstate int) *cluster {
	net := labcluster.NewNet(t, !unreliable)
	c := &cluster{t: t, net: net, maxraftstate: maxraftstate}
	c.ctrlers = labcluster.NewGroup(t, net.Network, "ctrler", nCtrlers, func(ends []raft.Peer, me int, p raft.Persister) labcluster.Server {
		return shardctrler.StartServer(ends, me, p)
	})
	for g := range nGroups {
		gid := firstGID + g
		c.gids = append(c.gids, gid)
		c.groups = append(c.groups, labcluster.NewGroup(t, net.Network, fmt.Sprintf("g%d", gid), perGroup,
			func(ends []raft.Peer, me int, p raft.Persister) labcluster.Server {
				name := fmt.Sprintf("g%d-%d", gid, me)
				return StartServer(ends, me, p, maxraftstate, gid, c.ctrlerEnds(name), c.makeEnd(name))
			}))
	}
	c.mck = shardctrler.MakeClerk(c.ctrlerEnds("mck"))
	return c
}

// makeEnd returns the makeEnd function of the node named origin: each call
// makes a fresh end to the named server.
func (c *cluster) makeEnd(origin string) func(string) raft.Peer {
	return func(server string) raft.Peer {
		return c.net.Dial(fmt.Sprintf("mk-%s-%s-%d", origin, server, c.nextEnd.Add(1)), origin, server)
	}
}

// ctrlerEnds returns fresh ends from origin to every controller replica.
func (c *cluster) ctrlerEnds(origin string) []raft.Peer {
	mk := c.makeEnd(origin)
	ends := make([]raft.Peer, nCtrlers)
	for i := range ends {
		ends[i] = mk(c.ctrlers.ServerName(i))
	}
	return ends
}

func (c *cluster) clerk() *Clerk {
	name := fmt.Sprintf("client-%d", c.nextClient.Add(1))
	return MakeClerk(c.ctrlerEnds(name), c.makeEnd(name))
}

func (c *cluster) group(gid int) *labcluster.Group { return c.groups[gid-firstGID] }

func (c *cluster) join(gids ...int) {
	m := map[int][]string{}
	for _, gid := range gids {
		m[gid] = c.group(gid).ServerNames()
	}
	c.mck.Join(m)
}

func (c *cluster) leave(gids ...int) { c.mck.Leave(gids) }

func (c *cluster) shutdownGroup(gid int) {
	g := c.group(gid)
	for i := range g.N() {
		g.ShutdownServer(i)
	}
}

func (c *cluster) startGroup(gid int) {
	g := c.group(gid)
	for i := range g.N() {
		g.StartServer(i)
	}
	g.ConnectAll()
}

// totalStateSize sums Raft state and snapshots over every replica group.
func (c *cluster) totalStateSize() int {
	total := 0
	for _, g := range c.groups {
		total += g.TotalStateSize()
	}
	return total
}

// newFilled starts a cluster of nGroups groups, joins gids, and puts a
// random value under each of nKeys keys (read back when check is set). It
// returns the clerk that wrote them, the keys and the values.
func newFilled(t *testing.T, nGroups, maxraftstate, nKeys int, check bool, gids ...int) (*cluster, *Clerk, []string, []string) {
	t.Helper()
	c := newCluster(t, nGroups, false, maxraftstate)
	ck := c.clerk()
	c.join(gids...)
	ks := keys(nKeys)
	vals := c.fill(ck, ks)
	if check {
		c.checkAll(ck, ks, vals)
	}
	return c, ck, ks, vals
}

// randValue returns a short random string.
func (c *cluster) randValue(n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[c.net.IntN(len(letters))]
	}
	return string(b)
}

// keys returns n keys spread over every shard.
func keys(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%c%d", '0'+byte(i%shardctrler.NShards), i)
	}
	return out
}

// fill puts a random value under each key and returns the values.
func (c *cluster) fill(ck *Clerk, ks []string) []string {
	vals := make([]string, len(ks))
	for i, k := range ks {
		vals[i] = c.randValue(20)
		ck.Put(k, vals[i])
	}
	return vals
}

// appendAll appends a random value to each key and to its expected value.
func (c *cluster) appendAll(ck *Clerk, ks, vals []string) {
	for i, k := range ks {
		x := c.randValue(5)
		ck.Append(k, x)
		vals[i] += x
	}
}

// checkAll reads every key (with a deadline) and compares with vals.
func (c *cluster) checkAll(ck *Clerk, ks, vals []string) {
	c.t.Helper()
	labcluster.Within(c.t, opTimeout, "reading every key", func() {
		for i, k := range ks {
			if v := ck.Get(k); v != vals[i] {
				c.t.Errorf("Get(%q) = %q, want %q", k, v, vals[i])
				return
			}
		}
	})
}

// waitMigrated waits until every group of the latest configuration has
// applied it and holds every shard it owns there (none still pulling), so
// that shutting down a group that left cannot strand a shard.
func (c *cluster) waitMigrated() {
	c.t.Helper()
	latest := c.mck.Query(-1)
	deadline := time.Now().Add(opTimeout)
	for {
		done := true
		for gid := range latest.Groups {
			g := c.group(gid)
			l := g.Leader()
			if l < 0 {
				done = false
				break
			}
			kv := g.Server(l).(*ShardKV)
			kv.mu.Lock()
			if kv.st.Config.Num < latest.Num || len(kv.st.ShardsIn(Pulling)) > 0 {
				done = false
			}
			kv.mu.Unlock()
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("shards of config %d did not arrive within %v", latest.Num, opTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
