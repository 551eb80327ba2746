package raft

import (
	"testing"
)

// maxLogSize bounds the persisted Raft state of a peer whose service
// snapshots every snapEvery entries.
const maxLogSize = 2000

// installs counts the snapshots the services installed from Raft.
func (c *cluster) installs() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.snapInstalls
}

// snapCommon runs thirty rounds in which a victim is cut off or crashed
// while the others commit enough to snapshot past it, then rejoins and
// must catch up (by InstallSnapshot when it lags behind the leader's
// snapshot). Persisted state must stay small throughout.
func snapCommon(t *testing.T, name string, disconnect, reliable, crash bool) *cluster {
	return snapRounds(newCluster(t, 3, reliable, true), name, disconnect, crash)
}

func snapRounds(c *cluster, name string, disconnect, crash bool) *cluster {
	const iters = 30
	c.begin(name)
	c.one(c.rng.Int(), c.n, true)
	leader1 := c.checkOneLeader()
	for i := range iters {
		victim, sender := (leader1+1)%c.n, leader1
		if i%3 == 1 {
			sender, victim = (leader1+1)%c.n, leader1
		}
		if disconnect {
			c.disconnect(victim)
			c.one(c.rng.Int(), c.n-1, true)
		}
		if crash {
			c.crash1(victim)
			c.one(c.rng.Int(), c.n-1, true)
		}
		// Enough entries to force a snapshot.
		for range snapEvery/2 + c.rng.IntN(snapEvery) {
			if rf := c.raft(sender); rf != nil {
				rf.Start(c.rng.Int())
			}
		}
		if !disconnect && !crash {
			c.one(c.rng.Int(), c.n, true)
		} else {
			c.one(c.rng.Int(), c.n-1, true)
		}
		for j := range c.n {
			if size := c.persisters[j].RaftStateSize(); size >= maxLogSize {
				c.fatalf("peer %d: Raft state of %d bytes, want < %d: the log is not trimmed", j, size, maxLogSize)
			}
		}
		if disconnect {
			// The victim catches up: by entries or by snapshot.
			c.connect(victim)
			c.one(c.rng.Int(), c.n, true)
			leader1 = c.checkOneLeader()
		}
		if crash {
			c.start1(victim)
			c.connect(victim)
			c.one(c.rng.Int(), c.n, true)
			leader1 = c.checkOneLeader()
		}
	}
	return c
}

// TestSnapshotBasic: services snapshot and the log stays small.
func TestSnapshotBasic(t *testing.T) {
	snapCommon(t, "snapshots basic", false, true, false)
}

// TestSnapshotInstall: a follower cut off while the others snapshot past
// it catches up by InstallSnapshot.
func TestSnapshotInstall(t *testing.T) {
	c := snapCommon(t, "install snapshots (disconnect)", true, true, false)
	if c.installs() == 0 {
		c.fatalf("no follower caught up by InstallSnapshot")
	}
}

// TestSnapshotInstallUnreliable: the same on an unreliable network.
func TestSnapshotInstallUnreliable(t *testing.T) {
	c := snapCommon(t, "install snapshots (disconnect+unreliable)", true, false, false)
	if c.installs() == 0 {
		c.fatalf("no follower caught up by InstallSnapshot")
	}
}

// TestSnapshotInstallCrash: a crashed follower restarts from its snapshot
// and log tail and catches up.
func TestSnapshotInstallCrash(t *testing.T) {
	snapCommon(t, "install snapshots (crash)", false, true, true)
}

// TestSnapshotInstallUnCrash: crashes on an unreliable network.
func TestSnapshotInstallUnCrash(t *testing.T) {
	snapCommon(t, "install snapshots (unreliable+crash)", false, false, true)
}

// TestSnapshotAllCrash: everyone crashes at once, repeatedly, after
// snapshotting; restarted peers resume from snapshot and log tail.
func TestSnapshotAllCrash(t *testing.T) { snapAllCrash(newCluster(t, 3, false, true)) }

func snapAllCrash(c *cluster) {
	c.begin("crash and restart all servers")
	c.one(c.rng.Int(), c.n, true)
	for range 5 {
		for range snapEvery/2 + c.rng.IntN(snapEvery) {
			c.one(c.rng.Int(), c.n, true)
		}
		index1 := c.one(c.rng.Int(), c.n, true)
		c.restartAll()
		index2 := c.one(c.rng.Int(), c.n, true)
		if index2 < index1+1 {
			c.fatalf("index decreased from %d to %d", index1, index2)
		}
	}
}

// TestSnapshotInit: restarting right after a snapshot, and again without
// new entries, keeps state and indices.
func TestSnapshotInit(t *testing.T) {
	c := newCluster(t, 3, false, true)
	c.begin("snapshot initialization after crash")
	c.one(c.rng.Int(), c.n, true)
	// Enough ops to make a snapshot.
	for range snapEvery + 1 {
		c.one(c.rng.Int(), c.n, true)
	}
	c.restartAll()
	c.one(c.rng.Int(), c.n, true)
	c.restartAll()
	c.one(c.rng.Int(), c.n, true)
}
