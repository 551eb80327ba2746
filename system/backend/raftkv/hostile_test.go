package raftkv

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"faultline/internal/hostile"
	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
	"faultline/system/kvraft"
	"faultline/system/raft"
	"faultline/transport"
	"faultline/transport/tcp"
)

// The hostile-client suite: a real raftkv cluster in process mode (every
// node its own OS process, reading the cluster's secret from the file
// named in its arguments) attacked over TCP by a local process without
// the secret, with a wrong one, with floods and a slowloris, and with the
// secret but malformed frames. After each attack the cluster must still
// elect, serve a linearizable workload and lose no acknowledged write.

// hostileWorkload runs a few hundred ops from three clients and checks
// them (and everything w recorded before).
func hostileWorkload(ctx context.Context, t *testing.T, c *Cluster, w *hostile.Workload, ops int) {
	t.Helper()
	clients := make([]backend.Client, 3)
	for i := range clients {
		cl, err := c.Client(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		clients[i] = cl
	}
	w.Run(ctx, t, clients, ops)
	w.Verify(ctx, t, clients[0], 30*time.Second)
}

// hostileCluster starts the three-node process cluster a hostile test
// attacks, and returns it with the context that bounds the whole test.
func hostileCluster(t *testing.T) (*Cluster, context.Context) {
	t.Helper()
	c := startCluster(t, backend.ModeProcess, 3, false)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	return c, ctx
}

// servedCluster is hostileCluster after a first round of w, whose appends
// every later round verifies.
func servedCluster(t *testing.T, w *hostile.Workload) (*Cluster, context.Context) {
	t.Helper()
	c, ctx := hostileCluster(t)
	hostileWorkload(ctx, t, c, w, 60)
	return c, ctx
}

// callNode dials node i with cfg on one connection, makes one call that
// may take 3 seconds, closes the client and returns the call's error.
func callNode(ctx context.Context, c *Cluster, i int, cfg tcp.Config, method string, args, reply any) error {
	cfg.Conns = 1
	cl := tcp.DialNamed(nodeName(i), c.Addrs()[i], cfg)
	defer cl.Close()
	cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	return cl.CallContext(cctx, method, args, reply)
}

// rejected sums the connections every node's listener refused to
// authenticate (rejected or evicted during the handshake).
func rejected(ctx context.Context, t *testing.T, c *Cluster) map[string]tcp.ListenerStats {
	t.Helper()
	out := map[string]tcp.ListenerStats{}
	for _, n := range c.Nodes() {
		// Start waits for a leader, not for every node: one may not
		// listen yet.
		err := nodeproc.Poll(ctx, 10*time.Second, 20*time.Millisecond, func(ctx context.Context) error {
			st, err := c.ListenerStats(ctx, n)
			out[n] = st
			return err
		})
		if err != nil {
			t.Fatalf("listener stats of %s: %v", n, err)
		}
	}
	return out
}

// attacks are the calls a process without the secret tries on every node.
func attacks(self int) []struct {
	method     string
	args, repl any
} {
	other := (self + 1) % 3
	return []struct {
		method     string
		args, repl any
	}{
		{"KVServer.PutAppend", &kvraft.PutAppendArgs{Key: "k0", Value: "forged", Op: "Put", ClientID: 1, Seq: 1}, &kvraft.PutAppendReply{}},
		{"KVServer.Get", &kvraft.GetArgs{Key: "k0", ClientID: 1, Seq: 2}, &kvraft.GetReply{}},
		{"Raft.AppendEntries", &raft.AppendEntriesArgs{Term: math.MaxInt64, LeaderID: other, LeaderCommit: math.MaxInt64}, &raft.AppendEntriesReply{}},
		{"Raft.RequestVote", &raft.RequestVoteArgs{Term: math.MaxInt64, CandidateID: other, LastLogIndex: math.MaxInt64, LastLogTerm: math.MaxInt64}, &raft.RequestVoteReply{}},
		{"Faults.SetLink", &nodeproc.SetLinkArgs{From: nodeName(self), To: nodeName(other), Faults: transport.LinkFaults{Drop: 1}}, &nodeproc.SetLinkReply{}},
		{"Faults.HealAll", &nodeproc.HealArgs{}, &nodeproc.HealReply{}},
	}
}

// TestHostileWithoutSecret: KV, Raft and fault-control calls from a client
// with no secret, and from one with a wrong secret, all fail on every
// node; each node counts the connections it rejected; no term moved to
// the forged one; the cluster then serves a linearizable workload.
func TestHostileWithoutSecret(t *testing.T) {
	c, ctx := hostileCluster(t)
	before := rejected(ctx, t, c)
	for i, addr := range c.Addrs() {
		for _, secret := range [][]byte{nil, tcp.NewSecret()} {
			cl := tcp.DialNamed(nodeName(i), addr, tcp.Config{Secret: secret, Conns: 1})
			for _, a := range attacks(i) {
				actx, cancel := context.WithTimeout(ctx, 3*time.Second)
				err := cl.CallContext(actx, a.method, a.args, a.repl)
				cancel()
				if err == nil {
					t.Errorf("node %s: %s with secret %v succeeded, want refused", nodeName(i), a.method, secret != nil)
				}
				if secret != nil && !errors.Is(err, tcp.ErrAuth) {
					t.Errorf("node %s: %s with a wrong secret: %v, want tcp.ErrAuth", nodeName(i), a.method, err)
				}
				if err != nil && transport.IsRemote(err) {
					t.Errorf("node %s: %s reached a handler: %v", nodeName(i), a.method, err)
				}
			}
			cl.Close()
		}
	}
	after := rejected(ctx, t, c)
	for n, st := range after {
		// Two clients (no secret, wrong secret) connected at least once each.
		if got := st.Rejected - before[n].Rejected; got < 2 {
			t.Errorf("node %s rejected %d connections, want >= 2 (stats %+v)", n, got, st)
		}
	}
	for i := range c.Nodes() {
		if st, err := c.status(ctx, i); err == nil && st.Term > 1<<20 {
			t.Fatalf("node %d is at term %d: a forged term got through", i, st.Term)
		}
	}
	hostileWorkload(ctx, t, c, hostile.NewWorkload("k0", "k1", "k2"), 100)
}
