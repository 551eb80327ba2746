package raft

import (
	"testing"
	"time"
)

// electionTimeout is the time within which the tests expect an election to
// complete: well above the peers' 300-600 ms timeouts.
const electionTimeout = time.Second

// TestInitialElection: three peers elect one leader, agree on the term,
// and, without failures, keep both (§5.2).
func TestInitialElection(t *testing.T) {
	c := newCluster(t, 3, true, false)
	c.begin("initial election")
	c.checkOneLeader()
	// The leader's heartbeats must have reached everyone for the terms to
	// agree.
	var term1 int
	if !poll(electionTimeout, func() bool {
		term1 = -1
		for i := range c.n {
			term, _ := c.raft(i).GetState()
			if term1 != -1 && term != term1 {
				return false
			}
			term1 = term
		}
		return true
	}) {
		c.fatalf("peers do not agree on a term")
	}
	if term1 < 1 {
		c.fatalf("term is %d, but should be at least 1", term1)
	}
	time.Sleep(2 * electionTimeout)
	if term2 := c.checkTerms(); term1 != term2 {
		c.fatalf("term changed from %d to %d without failures", term1, term2)
	}
	c.checkOneLeader()
}

// TestReElection: a new leader is elected when the leader is cut off; the
// old one rejoins as a follower; no leader is elected without a quorum.
func TestReElection(t *testing.T) {
	c := newCluster(t, 3, true, false)
	c.begin("election after network failure")
	leader1 := c.checkOneLeader()

	c.disconnect(leader1)
	c.checkOneLeader()

	// The old leader rejoins; that must not disturb having one leader.
	c.connect(leader1)
	leader2 := c.checkOneLeader()

	// No quorum: no leader.
	c.disconnect(leader2)
	c.disconnect((leader2 + 1) % 3)
	time.Sleep(2 * electionTimeout)
	c.checkNoLeader()

	// A quorum again: a leader.
	c.connect((leader2 + 1) % 3)
	c.checkOneLeader()

	c.connect(leader2)
	c.checkOneLeader()
}

// TestManyElections: seven peers, three of them cut off at random ten
// times; the other four always elect a leader.
func TestManyElections(t *testing.T) {
	const n = 7
	c := newCluster(t, n, true, false)
	c.begin("multiple elections")
	c.checkOneLeader()
	for range 10 {
		i1, i2, i3 := c.rng.IntN(n), c.rng.IntN(n), c.rng.IntN(n)
		c.disconnect(i1)
		c.disconnect(i2)
		c.disconnect(i3)
		// Four or more connected peers must elect a leader.
		c.checkOneLeader()
		c.connect(i1)
		c.connect(i2)
		c.connect(i3)
	}
	c.checkOneLeader()
}
