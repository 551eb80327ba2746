package raft

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestReadIndex: the leader confirms reads at its commit index; followers
// refuse; a leader cut off from the others never confirms one; a new
// leader serves reads once it committed an entry of its term.
func TestReadIndex(t *testing.T) {
	c := newCluster(t, 3, true, false)
	c.begin("ReadIndex")
	index := c.one(101, 3, true)

	leader := c.checkOneLeader()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := c.raft(leader).ReadIndex(ctx)
	if err != nil || got < index {
		c.fatalf("ReadIndex on the leader = %d, %v; want >= %d", got, err, index)
	}
	if _, err := c.raft((leader + 1) % 3).ReadIndex(ctx); !errors.Is(err, ErrNotLeader) {
		c.fatalf("ReadIndex on a follower: %v, want ErrNotLeader", err)
	}

	// Cut off, the old leader still believes it leads but must not
	// confirm a read: the others may commit without it.
	c.disconnect(leader)
	index2 := c.one(102, 2, true)
	short, cancel2 := context.WithTimeout(context.Background(), electionTimeout)
	defer cancel2()
	if got, err := c.raft(leader).ReadIndex(short); err == nil {
		c.fatalf("a partitioned leader confirmed a read at %d (others committed %d)", got, index2)
	}

	leader2 := c.checkOneLeader()
	got, err = c.raft(leader2).ReadIndex(ctx)
	if err != nil || got < index2 {
		c.fatalf("ReadIndex on the new leader = %d, %v; want >= %d", got, err, index2)
	}
	c.connect(leader)
	c.one(103, 3, true)
}

// TestReadIndexNotReady: a fresh leader that has not committed an entry
// of its term refuses reads with ErrNotReady.
func TestReadIndexNotReady(t *testing.T) {
	c := newCluster(t, 3, true, false)
	c.begin("ReadIndex before a commit in the term")
	c.one(101, 3, true)
	leader := c.checkOneLeader()
	c.disconnect(leader)
	leader2 := c.checkOneLeader()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.raft(leader2).ReadIndex(ctx); !errors.Is(err, ErrNotReady) {
		c.fatalf("ReadIndex before a commit in the term: %v, want ErrNotReady", err)
	}
	index := c.one(102, 2, true)
	leader3 := c.checkOneLeader()
	if got, err := c.raft(leader3).ReadIndex(ctx); err != nil || got < index {
		c.fatalf("ReadIndex after a commit in the term = %d, %v; want >= %d", got, err, index)
	}
}
