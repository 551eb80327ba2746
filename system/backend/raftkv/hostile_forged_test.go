package raftkv

import (
	"context"
	"math"
	"testing"
	"time"

	"faultline/system/raft"
	"faultline/transport/tcp"
)

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
	c, ctx, w := servedCluster(t)

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
