package raft

import (
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"faultline/transport"
	"faultline/transport/simnet"
)

// lateSyncStore is a memLogStore whose Sync, on the leader, waits (up to a
// bound) until every other peer holds durably all it has written: the
// worst case for a leader that syncs in background, whose followers then
// acknowledge entries it has not yet made durable.
type lateSyncStore struct {
	*memLogStore
	leads  func() bool
	others []*lateSyncStore
}

func (s *lateSyncStore) last(img func(*memLogStore) fakeImage) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	im := img(s.memLogStore)
	return im.snapIndex + len(im.entries)
}

func durableImage(m *memLogStore) fakeImage { return m.durable }
func pendingImage(m *memLogStore) fakeImage { return m.pending }

func (s *lateSyncStore) Sync() error {
	if s.leads != nil && s.leads() {
		want := s.last(pendingImage)
		poll(time.Second, func() bool {
			for _, o := range s.others {
				if o.last(durableImage) < want {
					return false
				}
			}
			return true
		})
	}
	return s.memLogStore.Sync()
}

// durableChecker is a Service that fails the test if its peer applies an
// entry that its store does not hold durably.
type durableChecker struct {
	store   *lateSyncStore
	applied atomic.Int64
	mu      sync.Mutex
	bad     error
}

func (d *durableChecker) Apply(msgs []ApplyMsg) error {
	durable := d.store.last(durableImage)
	for _, m := range msgs {
		if m.CommandValid {
			if m.CommandIndex > durable {
				d.mu.Lock()
				d.bad = fmt.Errorf("applied index %d while holding only %d durably", m.CommandIndex, durable)
				d.mu.Unlock()
			}
			d.applied.Store(int64(m.CommandIndex))
		}
	}
	return nil
}

func (d *durableChecker) Lead(int, bool) {}

// TestLeaderAppliesOnlyDurable: a leader that syncs its log in background
// (bgsync.go) commits and applies nothing beyond what it holds durably,
// even when its followers acknowledge entries before its own sync ends;
// and no peer applies an entry it does not hold durably.
func TestLeaderAppliesOnlyDurable(t *testing.T) {
	net := simnet.MakeNetwork(1)
	defer net.Cleanup()
	const n = 3
	stores := make([]*lateSyncStore, n)
	for i := range stores {
		stores[i] = &lateSyncStore{memLogStore: newMemLogStore()}
	}
	rafts := make([]*Raft, n)
	checkers := make([]*durableChecker, n)
	for i := range n {
		peers := make([]Peer, n)
		for j := range n {
			peers[j] = net.Dial(fmt.Sprintf("%d->%d", i, j), strconv.Itoa(i), strconv.Itoa(j))
			if j != i {
				stores[i].others = append(stores[i].others, stores[j])
			}
		}
		checkers[i] = &durableChecker{store: stores[i]}
		rf, err := New(peers, i, stores[i], checkers[i], DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		if !rf.bgSync {
			t.Fatal("the store syncs in background, but the peer does not use it")
		}
		rafts[i] = rf
		stores[i].leads = func() bool { _, ok := rf.GetState(); return ok }
		srv := transport.NewServer()
		if err := srv.Register(rf); err != nil {
			t.Fatal(err)
		}
		net.AddServer(strconv.Itoa(i), srv)
	}
	defer func() {
		for _, rf := range rafts {
			rf.Kill()
		}
	}()
	leader, ok := pollLeader(10*time.Second, rafts, func(rf *Raft) bool {
		_, leads := rf.GetState()
		return leads
	})
	if !ok {
		t.Fatal("no leader")
	}
	last := 0
	for k := range 40 {
		index, _, ok := rafts[leader].Start(k)
		if !ok {
			t.Fatal("leader lost leadership")
		}
		last = index
	}
	if !poll(20*time.Second, func() bool {
		for _, c := range checkers {
			if c.applied.Load() < int64(last) {
				return false
			}
		}
		return true
	}) {
		t.Fatalf("index %d not applied everywhere", last)
	}
	for i, c := range checkers {
		c.mu.Lock()
		if c.bad != nil {
			t.Errorf("peer %d: %v", i, c.bad)
		}
		c.mu.Unlock()
	}
}
