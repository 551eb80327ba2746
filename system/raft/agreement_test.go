package raft

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

func randString(r *rand.Rand, n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[r.IntN(len(letters))]
	}
	return string(b)
}

// TestBasicAgree: commands commit on every peer at consecutive indices
// starting at 1, and nothing commits before Start.
func TestBasicAgree(t *testing.T) {
	c := newCluster(t, 3, true, false)
	c.begin("basic agreement")
	for index := 1; index <= 3; index++ {
		if nd, _ := c.nCommitted(index); nd > 0 {
			c.fatalf("some have committed index %d before Start", index)
		}
		if got := c.one(index*100, 3, false); got != index {
			c.fatalf("got index %d, want %d", got, index)
		}
	}
}

// TestRPCBytes: each command crosses the network once per follower: ten
// 5000-byte commands cost at most three times their size plus 50,000 bytes.
func TestRPCBytes(t *testing.T) {
	c := newCluster(t, 3, true, false)
	c.begin("RPC byte count")
	c.one(99, 3, false)
	bytes0 := c.bytesTotal()
	sent := int64(0)
	for index := 2; index < 12; index++ {
		cmd := randString(c.rng, 5000)
		if got := c.one(cmd, 3, false); got != index {
			c.fatalf("got index %d, want %d", got, index)
		}
		sent += int64(len(cmd))
	}
	got := c.bytesTotal() - bytes0
	if limit := 3*sent + 50000; got > limit {
		c.fatalf("too many RPC bytes: %d for %d bytes of commands (limit %d)", got, sent, limit)
	}
	t.Logf("%d RPC bytes for %d command bytes", got, sent)
}

// TestFollowerFailure: agreement continues without one follower, and
// stops (nothing commits) without both.
func TestFollowerFailure(t *testing.T) {
	c := newCluster(t, 3, true, false)
	c.begin("test progressive failure of followers")
	c.one(101, 3, false)

	leader1 := c.checkOneLeader()
	c.disconnect((leader1 + 1) % 3)
	c.one(102, 2, false)
	time.Sleep(electionTimeout)
	c.one(103, 2, false)

	leader2 := c.checkOneLeader()
	c.disconnect((leader2 + 1) % 3)
	c.disconnect((leader2 + 2) % 3)
	index, _, ok := c.raft(leader2).Start(104)
	if !ok {
		c.fatalf("leader rejected Start")
	}
	if index != 4 {
		c.fatalf("got index %d, want 4", index)
	}
	time.Sleep(2 * electionTimeout)
	if nd, _ := c.nCommitted(index); nd > 0 {
		c.fatalf("%d committed without a majority", nd)
	}
}

// TestLeaderFailure: a new leader takes over when the leader is cut off;
// with two of three gone nothing commits.
func TestLeaderFailure(t *testing.T) {
	c := newCluster(t, 3, true, false)
	c.begin("test failure of leaders")
	c.one(101, 3, false)

	leader1 := c.checkOneLeader()
	c.disconnect(leader1)
	c.one(102, 2, false)
	time.Sleep(electionTimeout)
	c.one(103, 2, false)

	leader2 := c.checkOneLeader()
	c.disconnect(leader2)
	for i := range c.n {
		c.raft(i).Start(104)
	}
	time.Sleep(2 * electionTimeout)
	if nd, _ := c.nCommitted(4); nd > 0 {
		c.fatalf("%d committed without a majority", nd)
	}
}

// TestFailAgree: a follower that was cut off catches up when it rejoins.
func TestFailAgree(t *testing.T) {
	c := newCluster(t, 3, true, false)
	c.begin("agreement after follower reconnects")
	c.one(101, 3, false)

	leader := c.checkOneLeader()
	c.disconnect((leader + 1) % 3)
	c.one(102, 2, false)
	c.one(103, 2, false)
	time.Sleep(electionTimeout)
	c.one(104, 2, false)
	c.one(105, 2, false)

	c.connect((leader + 1) % 3)
	c.one(106, 3, true)
	time.Sleep(electionTimeout)
	c.one(107, 3, true)
}

// TestFailNoAgree: with three of five followers cut off the leader's
// command does not commit; after they rejoin, agreement resumes.
func TestFailNoAgree(t *testing.T) {
	const n = 5
	c := newCluster(t, n, true, false)
	c.begin("no agreement if too many followers disconnect")
	c.one(10, n, false)

	leader := c.checkOneLeader()
	c.disconnect((leader + 1) % n)
	c.disconnect((leader + 2) % n)
	c.disconnect((leader + 3) % n)
	index, _, ok := c.raft(leader).Start(20)
	if !ok {
		c.fatalf("leader rejected Start")
	}
	if index != 2 {
		c.fatalf("got index %d, want 2", index)
	}
	time.Sleep(2 * electionTimeout)
	if nd, _ := c.nCommitted(index); nd > 0 {
		c.fatalf("%d committed without a majority", nd)
	}

	c.connect((leader + 1) % n)
	c.connect((leader + 2) % n)
	c.connect((leader + 3) % n)
	// The disconnected majority may have chosen a leader and forgotten
	// index 2; the next command lands at 2 or 3.
	leader2 := c.checkOneLeader()
	index2, _, ok2 := c.raft(leader2).Start(30)
	if !ok2 {
		c.fatalf("leader2 rejected Start")
	}
	if index2 < 2 || index2 > 3 {
		c.fatalf("unexpected index %d", index2)
	}
	c.one(1000, n, true)
}

// TestConcurrentStarts: five concurrent Starts in one term all commit.
func TestConcurrentStarts(t *testing.T) {
	c := newCluster(t, 3, true, false)
	c.begin("concurrent Start()s")
	leader := c.checkOneLeader()
	rf := c.raft(leader)
	_, term, ok := rf.Start(1)
	if !ok {
		c.fatalf("leader rejected Start")
	}
	var wg sync.WaitGroup
	indices := make(chan int, 5)
	for i := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			index, term1, ok := rf.Start(100 + i)
			if ok && term1 == term {
				indices <- index
			}
		}()
	}
	wg.Wait()
	close(indices)
	for i := range c.n {
		if t1, _ := c.raft(i).GetState(); t1 > term {
			c.fatalf("term moved on during the test (no failures)")
		}
	}
	var got []int
	for index := range indices {
		cmd := c.wait(index, c.n, term)
		v, ok := cmd.(int)
		if !ok {
			c.fatalf("value %v is not an int", cmd)
		}
		if v == -1 {
			c.fatalf("term changed during the test (no failures)")
		}
		got = append(got, v)
	}
	for i := range 5 {
		found := false
		for _, v := range got {
			if v == 100+i {
				found = true
			}
		}
		if !found {
			c.fatalf("command %d missing in %v", 100+i, got)
		}
	}
}

// TestRejoin: a partitioned leader with uncommitted entries rejoins; its
// entries are replaced.
func TestRejoin(t *testing.T) {
	c := newCluster(t, 3, true, false)
	c.begin("rejoin of partitioned leader")
	c.one(101, 3, true)

	leader1 := c.checkOneLeader()
	c.disconnect(leader1)
	// The old leader takes commands it can never commit.
	c.raft(leader1).Start(102)
	c.raft(leader1).Start(103)
	c.raft(leader1).Start(104)

	c.one(103, 2, true)

	leader2 := c.checkOneLeader()
	c.disconnect(leader2)
	c.connect(leader1)
	c.one(104, 2, true)

	c.connect(leader2)
	c.one(105, 3, true)
}

// TestBackup: leaders back up quickly over long divergent logs (50
// entries per partition) with conflict-term hints.
func TestBackup(t *testing.T) {
	const n = 5
	c := newCluster(t, n, true, false)
	c.begin("leader backs up quickly over incorrect follower logs")
	c.one(c.rng.Int(), n, true)

	// The leader and one follower are partitioned off with 50 commands
	// that cannot commit.
	leader1 := c.checkOneLeader()
	c.disconnect((leader1 + 2) % n)
	c.disconnect((leader1 + 3) % n)
	c.disconnect((leader1 + 4) % n)
	for range 50 {
		c.raft(leader1).Start(c.rng.Int())
	}
	time.Sleep(electionTimeout / 2)
	c.disconnect((leader1 + 0) % n)
	c.disconnect((leader1 + 1) % n)

	// The other three commit 50 commands.
	c.connect((leader1 + 2) % n)
	c.connect((leader1 + 3) % n)
	c.connect((leader1 + 4) % n)
	for range 50 {
		c.one(c.rng.Int(), 3, true)
	}

	// Now another partitioned leader and one follower.
	leader2 := c.checkOneLeader()
	other := (leader1 + 2) % n
	if leader2 == other {
		other = (leader2 + 1) % n
	}
	c.disconnect(other)
	for range 50 {
		c.raft(leader2).Start(c.rng.Int())
	}
	time.Sleep(electionTimeout / 2)

	// Bring back the original leader and its follower, with the other
	// node; they commit 50 more.
	for i := range n {
		c.disconnect(i)
	}
	c.connect((leader1 + 0) % n)
	c.connect((leader1 + 1) % n)
	c.connect(other)
	for range 50 {
		c.one(c.rng.Int(), 3, true)
	}

	// Everyone.
	for i := range n {
		c.connect(i)
	}
	c.one(c.rng.Int(), n, true)
}

// TestCount: RPC counts stay low: an election, a batch of agreements and
// an idle second.
func TestCount(t *testing.T) {
	c := newCluster(t, 3, true, false)
	c.begin("RPC counts aren't too high")
	rpcs := func() int {
		total := 0
		for i := range c.n {
			total += c.rpcCount(i)
		}
		return total
	}

	leader := c.checkOneLeader()
	if total := rpcs(); total > 30 || total < 1 {
		c.fatalf("too many or too few RPCs (%d) to elect the initial leader", total)
	}

	// Eleven agreements started back to back.
	total1 := rpcs()
	rf := c.raft(leader)
	start, term, ok := rf.Start(1)
	if !ok {
		c.fatalf("leader rejected Start")
	}
	cmds := []int{1}
	for i := 1; i <= 10; i++ {
		x := c.rng.Int()
		cmds = append(cmds, x)
		index, term1, ok := rf.Start(x)
		if term1 != term || !ok {
			c.fatalf("term changed or leadership lost while starting (no failures)")
		}
		if index != start+i {
			c.fatalf("Start() got index %d, want %d", index, start+i)
		}
	}
	for i, want := range cmds {
		if got := c.wait(start+i, c.n, term); got != want {
			if got == -1 {
				c.fatalf("term changed while waiting (no failures)")
			}
			c.fatalf("wrong value %v committed for index %d; want %v", got, start+i, want)
		}
	}
	if t1 := c.checkTerms(); t1 != term {
		c.fatalf("term changed during the test (no failures)")
	}
	total2 := rpcs()
	if got := total2 - total1; got > 42 {
		c.fatalf("too many RPCs (%d) for 11 entries", got)
	}

	// Idle.
	time.Sleep(electionTimeout)
	if got := rpcs() - total2; got > 60 {
		c.fatalf("too many RPCs (%d) for 1 second of idleness", got)
	}
}
