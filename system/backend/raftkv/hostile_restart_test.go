package raftkv

import (
	"context"
	"math"
	"testing"
	"time"

	"faultline/internal/hostile"
	"faultline/system/raft"
	"faultline/transport/tcp"
)

// The attacks after which every node is killed and restarted: the
// restarted cluster must elect, serve and have lost no acknowledged write.

// TestHostileRestartAll: after an attack without the secret, every node is
// killed (SIGKILL) and restarted through the Killer power; the restarted
// nodes read the secret file again, still refuse a client without it,
// elect a leader and serve, and no acknowledged write is lost.
func TestHostileRestartAll(t *testing.T) {
	w := hostile.NewWorkload("k0", "k1", "k2")
	c, ctx := servedCluster(t, w)
	refusedEverywhere(ctx, t, c)

	restartAllAndServe(ctx, t, c, w, func() { refusedEverywhere(ctx, t, c) })
}

// TestHostileForgedWithSecret: a process that holds the cluster's secret
// forges Raft traffic as the leader and as a candidate. On every node it
// sends an AppendEntries in the leader's name and term that would replace
// the whole log with one entry whose command does not decode, and a
// RequestVote at term MaxInt64 spoofing a peer. No node takes the poison
// entry or the term (each stays up, no term leaps), the cluster keeps a
// leader, and after every node is killed and restarted it elects again
// and serves, losing no acknowledged write: the poison never reached a
// write-ahead log, so there is nothing to crash on at restart.
func TestHostileForgedWithSecret(t *testing.T) {
	w := hostile.NewWorkload("k0", "k1", "k2")
	c, ctx := servedCluster(t, w)

	lead, term := -1, 0
	for i := range c.Nodes() {
		st, err := c.status(ctx, i)
		if err != nil {
			t.Fatalf("status of node %d: %v", i, err)
		}
		if st.IsLeader {
			lead, term = i, st.Term
		}
	}
	if lead < 0 {
		t.Fatal("no leader before the attack")
	}
	poison := raft.EntryList{{Term: term, Data: []byte{0xc1, 0xff, 0x00}}} // 0xc1: never valid msgpack
	for i, addr := range c.Addrs() {
		cl := tcp.DialNamed(nodeName(i), addr, tcp.Config{Secret: c.secret.Key, Conns: 1})
		cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		var ae raft.AppendEntriesReply
		err := cl.CallContext(cctx, "Raft.AppendEntries", &raft.AppendEntriesArgs{
			Term: term, LeaderID: lead, PrevLogIndex: 0, PrevLogTerm: 0, Entries: poison, LeaderCommit: 1 << 30,
		}, &ae)
		if err == nil && ae.Success {
			t.Errorf("node %d accepted a forged append whose command does not decode", i)
		}
		var rv raft.RequestVoteReply
		err = cl.CallContext(cctx, "Raft.RequestVote", &raft.RequestVoteArgs{
			Term: math.MaxInt64, CandidateID: (i + 1) % 3, LastLogIndex: math.MaxInt64, LastLogTerm: math.MaxInt64,
		}, &rv)
		if err == nil && rv.VoteGranted {
			t.Errorf("node %d granted a vote at term MaxInt64", i)
		}
		cancel()
		cl.Close()
	}
	for i := range c.Nodes() {
		st, err := c.status(ctx, i)
		if err != nil {
			t.Fatalf("node %d stopped answering after the forged calls: %v", i, err)
		}
		if st.Term > term+100 {
			t.Fatalf("node %d is at term %d (was %d): a forged term got through", i, st.Term, term)
		}
	}
	hostileWorkload(ctx, t, c, w, 60)

	restartAllAndServe(ctx, t, c, w, nil)
}

// restartAllAndServe kills and restarts every node through the Killer
// power, asserts a leader is elected, runs check (if any), then serves
// another workload round that verifies the appends of every round: no
// acknowledged write was lost to the restart.
func restartAllAndServe(ctx context.Context, t *testing.T, c *Cluster, w *hostile.Workload, check func()) {
	t.Helper()
	crashAll(ctx, t, c)
	if l := leader(t, c); l == "" {
		t.Fatal("no leader after restarting every node")
	}
	if check != nil {
		check()
	}
	acked := w.Acked()
	hostileWorkload(ctx, t, c, w, 60)
	if w.Acked() <= acked {
		t.Fatalf("no append acknowledged after the restart (%d before, %d after)", acked, w.Acked())
	}
}

// refusedEverywhere checks that every node refuses a forged vote request
// from a client without the secret, and counts the connection.
func refusedEverywhere(ctx context.Context, t *testing.T, c *Cluster) {
	t.Helper()
	before := rejected(ctx, t, c)
	for i := range c.Addrs() {
		a := attacks(i)[3] // Raft.RequestVote at MaxInt64
		if err := callNode(ctx, c, i, tcp.Config{}, a.method, a.args, a.repl); err == nil {
			t.Fatalf("node %s answered %s without the secret", nodeName(i), a.method)
		}
	}
	for n, st := range rejected(ctx, t, c) {
		if st.Rejected <= before[n].Rejected {
			t.Errorf("node %s did not count the rejected connection (stats %+v)", n, st)
		}
	}
	for i := range c.Nodes() {
		st, err := c.status(ctx, i)
		if err == nil && st.Term > 1<<20 {
			t.Fatalf("node %d is at term %d", i, st.Term)
		}
	}
}
