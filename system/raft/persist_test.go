package raft

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// restartAll crashes and restarts every peer from its persisted state.
func (c *cluster) restartAll() {
	for i := range c.n {
		c.start1(i)
	}
	for i := range c.n {
		c.connect(i)
	}
}

// TestPersist1: term, vote and log survive crashes of everyone, of the
// leader and of a follower.
func TestPersist1(t *testing.T) { persist1(newCluster(t, 3, true, false)) }

func persist1(c *cluster) {
	c.begin("basic persistence")
	c.one(11, 3, true)

	c.restartAll()
	c.one(12, 3, true)

	leader1 := c.checkOneLeader()
	c.disconnect(leader1)
	c.start1(leader1)
	c.connect(leader1)
	c.one(13, 3, true)

	leader2 := c.checkOneLeader()
	c.disconnect(leader2)
	c.one(14, 2, true)
	c.start1(leader2)
	c.connect(leader2)
	c.wait(4, 3, -1) // the restarted peer catches up

	i3 := (c.checkOneLeader() + 1) % c.n
	c.disconnect(i3)
	c.one(15, 2, true)
	c.start1(i3)
	c.connect(i3)
	c.one(16, 3, true)
}

// TestPersist2: five peers, repeated partitions with crashes of the
// minority and the majority.
func TestPersist2(t *testing.T) {
	const n = 5
	c := newCluster(t, n, true, false)
	c.begin("more persistence")
	index := 1
	for range 5 {
		c.one(10+index, n, true)
		index++
		leader1 := c.checkOneLeader()
		c.disconnect((leader1 + 1) % n)
		c.disconnect((leader1 + 2) % n)
		c.one(10+index, n-2, true)
		index++

		c.disconnect((leader1 + 0) % n)
		c.disconnect((leader1 + 3) % n)
		c.disconnect((leader1 + 4) % n)
		c.start1((leader1 + 1) % n)
		c.start1((leader1 + 2) % n)
		c.connect((leader1 + 1) % n)
		c.connect((leader1 + 2) % n)
		time.Sleep(electionTimeout)
		c.start1((leader1 + 3) % n)
		c.connect((leader1 + 3) % n)
		c.one(10+index, n-2, true)
		index++

		c.connect((leader1 + 4) % n)
		c.connect((leader1 + 0) % n)
	}
	c.one(1000, n, true)
}

// TestPersist3: a partitioned leader and a follower crash; the leader
// restarts and the cluster goes on.
func TestPersist3(t *testing.T) { persist3(newCluster(t, 3, true, false)) }

func persist3(c *cluster) {
	c.begin("partitioned leader and one follower crash, leader restarts")
	c.one(101, 3, true)

	leader := c.checkOneLeader()
	c.disconnect((leader + 2) % 3)
	c.one(102, 2, true)

	c.crash1((leader + 0) % 3)
	c.crash1((leader + 1) % 3)
	c.connect((leader + 2) % 3)
	c.start1((leader + 0) % 3)
	c.connect((leader + 0) % 3)
	c.one(103, 2, true)

	c.start1((leader + 1) % 3)
	c.connect((leader + 1) % 3)
	c.one(104, 3, true)
}

// TestFigure8: the situation of Figure 8 of the paper, played out a
// thousand times: leaders crash right after taking commands, others
// restart; an entry of an old term must never be committed by counting.
func TestFigure8(t *testing.T) {
	const n = 5
	c := newCluster(t, n, true, false)
	c.begin("Figure 8")
	c.one(c.rng.Int(), 1, true)
	nup := n
	for range 1000 {
		leader := -1
		for i := range n {
			if rf := c.raft(i); rf != nil {
				if _, _, ok := rf.Start(c.rng.Int()); ok {
					leader = i
				}
			}
		}
		if c.rng.IntN(1000) < 100 {
			time.Sleep(time.Duration(c.rng.Int64N(int64(electionTimeout / 2))))
		} else {
			time.Sleep(time.Duration(c.rng.IntN(13)) * time.Millisecond)
		}
		if leader != -1 {
			c.crash1(leader)
			nup--
		}
		if nup < 3 {
			if s := c.rng.IntN(n); c.raft(s) == nil {
				c.start1(s)
				c.connect(s)
				nup++
			}
		}
	}
	for i := range n {
		if c.raft(i) == nil {
			c.start1(i)
			c.connect(i)
		}
	}
	c.one(c.rng.Int(), n, true)
}

// TestUnreliableAgree: agreement on an unreliable network, with commands
// started concurrently.
func TestUnreliableAgree(t *testing.T) {
	const n = 5
	c := newCluster(t, n, false, false)
	c.begin("unreliable agreement")
	var wg sync.WaitGroup
	for iters := 1; iters < 50; iters++ {
		for j := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.one(100*iters+j, 1, true)
			}()
		}
		c.one(iters, 1, true)
	}
	c.net.Reliable(true)
	wg.Wait()
	c.one(100, n, true)
}

// TestFigure8Unreliable: Figure 8 on an unreliable network with long
// reordering of replies: leaders are cut off instead of crashed.
func TestFigure8Unreliable(t *testing.T) {
	const n = 5
	c := newCluster(t, n, false, false)
	c.begin("Figure 8 (unreliable)")
	c.one(c.rng.IntN(10000), 1, true)
	nup := n
	for iters := range 1000 {
		if iters == 200 {
			c.net.LongReordering(true)
		}
		leader := -1
		for i := range n {
			if _, _, ok := c.raft(i).Start(c.rng.IntN(10000)); ok && c.isConnected(i) {
				leader = i
			}
		}
		if c.rng.IntN(1000) < 100 {
			time.Sleep(time.Duration(c.rng.Int64N(int64(electionTimeout / 2))))
		} else {
			time.Sleep(time.Duration(c.rng.IntN(13)) * time.Millisecond)
		}
		if leader != -1 && c.rng.IntN(1000) < int(electionTimeout/time.Millisecond)/2 {
			c.disconnect(leader)
			nup--
		}
		if nup < 3 {
			if s := c.rng.IntN(n); !c.isConnected(s) {
				c.connect(s)
				nup++
			}
		}
	}
	for i := range n {
		if !c.isConnected(i) {
			c.connect(i)
		}
	}
	t.Logf("faults done after %v", time.Since(c.start))
	c.one(c.rng.IntN(10000), n, true)
	t.Logf("agreement after %v", time.Since(c.start))
}

// churn runs clients proposing commands while peers are cut off,
// crashed and restarted at random; afterwards every command a client saw
// committed must be in the log.
func churn(t *testing.T, reliable bool) {
	const n = 5
	c := newCluster(t, n, reliable, false)
	if reliable {
		c.begin("churn")
	} else {
		c.begin("unreliable churn")
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	results := make([][]int, 3)
	for client := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := client * 1_000_000
			for !stop.Load() {
				x++
				index := -1
				for i := range n {
					if rf := c.raft(i); rf != nil {
						if idx, _, ok := rf.Start(x); ok {
							index = idx
						}
					}
				}
				if index == -1 {
					time.Sleep(time.Duration(79+client*17) * time.Millisecond)
					continue
				}
				// Wait a while for it to commit; it may not.
				for _, to := range []time.Duration{10, 20, 50, 100, 200} {
					if nd, cmd := c.nCommitted(index); nd > 0 {
						if v, ok := cmd.(int); ok && v == x {
							results[client] = append(results[client], x)
						}
						break
					}
					time.Sleep(to * time.Millisecond)
				}
			}
		}()
	}
	for range 20 {
		if c.rng.IntN(1000) < 200 {
			c.disconnect(c.rng.IntN(n))
		}
		if c.rng.IntN(1000) < 500 {
			if i := c.rng.IntN(n); c.raft(i) == nil {
				c.start1(i)
			}
			c.connect(c.rng.IntN(n))
		}
		if c.rng.IntN(1000) < 200 {
			if i := c.rng.IntN(n); c.raft(i) != nil {
				c.crash1(i)
			}
		}
		// Faults must come slower than elections, or nothing commits.
		time.Sleep(electionTimeout * 7 / 10)
	}
	time.Sleep(electionTimeout)
	c.net.Reliable(true)
	for i := range n {
		if c.raft(i) == nil {
			c.start1(i)
		}
		c.connect(i)
	}
	stop.Store(true)
	wg.Wait()
	time.Sleep(electionTimeout)

	last := c.one(c.rng.Int(), n, true)
	var really []int
	for index := 1; index <= last; index++ {
		v := c.wait(index, n, -1)
		x, ok := v.(int)
		if !ok {
			c.fatalf("value %v at %d is not an int", v, index)
		}
		really = append(really, x)
	}
	seen := map[int]bool{}
	for _, x := range really {
		seen[x] = true
	}
	committed := 0
	for _, vs := range results {
		for _, x := range vs {
			if !seen[x] {
				c.fatalf("committed command %d is missing from the log", x)
			}
			committed++
		}
	}
	if committed == 0 {
		c.fatalf("no command committed during churn")
	}
	t.Logf("%d commands committed by clients, log length %d", committed, last)
}

// TestReliableChurn: churn on a reliable network.
func TestReliableChurn(t *testing.T) { churn(t, true) }

// TestUnreliableChurn: churn on an unreliable network.
func TestUnreliableChurn(t *testing.T) { churn(t, false) }
