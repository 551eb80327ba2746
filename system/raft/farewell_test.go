package raft

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"faultline/transport"
	"faultline/transport/simnet"
)

// latePeer is a peer end whose appends that announce a commit index of
// at least index leave only once the peer that owns the end has stopped:
// the commit broadcast of a leader that stops on the entry at index is
// made after the stop, however the goroutines are scheduled.
type latePeer struct {
	end   *simnet.ClientEnd
	index int
	owner atomic.Pointer[Raft]
}

func (p *latePeer) Call(svcMeth string, args, reply any) bool {
	return p.CallContext(context.Background(), svcMeth, args, reply) == nil
}

func (p *latePeer) CallContext(ctx context.Context, svcMeth string, args, reply any) error {
	if a, ok := args.(*AppendEntriesArgs); ok && a.LeaderCommit >= p.index {
		select {
		case <-p.owner.Load().Stopped():
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return p.end.CallContext(ctx, svcMeth, args, reply)
}

// TestLeaderStopTellsFollowersTheCommit: a leader that stops on a
// committed entry its service cannot apply still tells its followers that
// the entry is committed, so that every replica applies up to it and stops
// there, with no restart and no new leader needed. The commit broadcast
// here leaves only after the leader has stopped (latePeer).
func TestLeaderStopTellsFollowersTheCommit(t *testing.T) {
	const n, poisonAt = 3, 2
	net := simnet.MakeNetwork(1)
	t.Cleanup(net.Cleanup)
	rafts := make([]*Raft, n)
	svcs := make([]*recordingService, n)
	for i := range n {
		ends := make([]Peer, n)
		var lates []*latePeer
		for j := range n {
			name := "e" + strconv.Itoa(i) + "-" + strconv.Itoa(j)
			lp := &latePeer{end: net.MakeEnd(name), index: poisonAt}
			net.Connect(name, strconv.Itoa(j))
			net.Enable(name, true)
			ends[j] = lp
			lates = append(lates, lp)
		}
		svcs[i] = &recordingService{failOn: "poison"}
		cfg := DefaultConfig()
		cfg.Seed = uint64(i + 1)
		rf, err := New(ends, i, MakePersister(), svcs[i], cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, lp := range lates {
			lp.owner.Store(rf)
		}
		t.Cleanup(rf.Kill)
		rafts[i] = rf
		srv := transport.NewServer()
		if err := srv.Register(rf); err != nil {
			t.Fatal(err)
		}
		net.AddServer(strconv.Itoa(i), srv)
	}
	leader, ok := pollLeader(10*time.Second, rafts, func(rf *Raft) bool { _, l := rf.GetState(); return l })
	if !ok {
		t.Fatal("no leader")
	}
	if index, _, ok := rafts[leader].Start("ok"); !ok || index != 1 {
		t.Fatalf("Start: index %d, leader %v", index, ok)
	}
	applied := func() bool {
		for _, s := range svcs {
			if len(s.indices()) < 1 {
				return false
			}
		}
		return true
	}
	if !poll(10*time.Second, applied) {
		t.Fatal("the first command did not apply everywhere")
	}
	if index, _, ok := rafts[leader].Start("poison"); !ok || index != poisonAt {
		t.Fatalf("Start: index %d, leader %v", index, ok)
	}
	for i, rf := range rafts {
		select {
		case <-rf.Stopped():
		case <-time.After(10 * time.Second):
			t.Fatalf("peer %d (leader %d) did not stop on the entry it cannot apply", i, leader)
		}
		if ae, ok := rf.Err().(*ApplyError); !ok || ae.Index != poisonAt {
			t.Fatalf("peer %d: Err() = %v, want an ApplyError at index %d", i, rf.Err(), poisonAt)
		}
	}
}
