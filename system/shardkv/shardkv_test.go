package shardkv

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"faultline/internal/kvcheck"
	"faultline/internal/labcluster"
	"faultline/system/shardctrler"
	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// TestStaticShards: with one group down, exactly the keys of the other
// group's shards answer; the rest answer once the group is back.
func TestStaticShards(t *testing.T) {
	c, _, ks, vals := newFilled(t, 2, -1, 20, true, 100, 101)

	cfg := c.mck.Query(-1)
	c.shutdownGroup(101)
	want := 0
	for _, k := range ks {
		if cfg.Shards[key2shard(k)] == 100 {
			want++
		}
	}
	if want == 0 || want == len(ks) {
		t.Fatalf("both groups should own shards: %v", cfg)
	}
	var done atomic.Int32
	var wg sync.WaitGroup
	for i, k := range ks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v := c.clerk().Get(k); v != vals[i] {
				t.Errorf("Get(%q) = %q, want %q", k, v, vals[i])
			}
			done.Add(1)
		}()
	}
	// The live group's keys all answer...
	deadline := time.Now().Add(opTimeout)
	for int(done.Load()) < want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := int(done.Load()); n < want {
		t.Fatalf("%d of %d reachable keys answered", n, want)
	}
	// ...and no key of the dead group can, however long we wait (a
	// bounded window: an answer would be a bug).
	time.Sleep(time.Second)
	if n := int(done.Load()); n != want {
		t.Fatalf("%d keys answered with group 101 down, want exactly %d", n, want)
	}
	c.startGroup(101)
	labcluster.Within(t, opTimeout, "reads after restart", wg.Wait)
}

func TestJoinLeave(t *testing.T) {
	c, ck, ks, vals := newFilled(t, 2, -1, 10, true, 100)

	c.join(101)
	c.appendAll(ck, ks, vals)
	c.checkAll(ck, ks, vals)

	c.leave(100)
	c.appendAll(ck, ks, vals)
	c.checkAll(ck, ks, vals)

	// Once group 101 holds every shard, group 100 can go away.
	c.waitMigrated()
	c.shutdownGroup(100)
	c.checkAll(ck, ks, vals)
}

// TestSnapshot restarts every server of every group and the controllers,
// and requires the data to survive from snapshots and logs.
func TestSnapshot(t *testing.T) {
	c, ck, ks, vals := newFilled(t, 3, 1000, 30, false, 100)
	c.join(101, 102)
	c.leave(100)
	for round := range 3 {
		for i, k := range ks {
			x := fmt.Sprintf("r%d", round)
			ck.Append(k, x)
			vals[i] += x
		}
	}
	c.join(100)
	c.leave(101)
	c.checkAll(ck, ks, vals)

	for _, gid := range c.gids {
		c.shutdownGroup(gid)
	}
	for i := range nCtrlers {
		c.ctrlers.ShutdownServer(i)
	}
	for i := range nCtrlers {
		c.ctrlers.StartServer(i)
	}
	c.ctrlers.ConnectAll()
	for _, gid := range c.gids {
		c.startGroup(gid)
	}
	c.checkAll(ck, ks, vals)
	for _, gid := range c.gids {
		for i, size := range c.group(gid).RaftStateSizes() {
			if size > 8*1000 {
				t.Errorf("group %d server %d raft state %d bytes > 8x maxraftstate", gid, i, size)
			}
		}
	}
}

// TestMissChange: one server of each group is down while the configuration
// changes several times; restarted, it catches up (by snapshot or log).
func TestMissChange(t *testing.T) {
	c, ck, ks, vals := newFilled(t, 3, 1000, 10, false, 100)
	c.join(101)

	for _, gid := range c.gids {
		c.group(gid).ShutdownServer(0)
	}
	c.join(102)
	c.leave(100)
	c.appendAll(ck, ks, vals)
	c.leave(101)
	c.checkAll(ck, ks, vals)
	for _, gid := range c.gids {
		g := c.group(gid)
		g.StartServer(0)
		g.ConnectAll()
	}
	// Now take a different server of each group down: the restarted ones
	// must carry the state.
	for _, gid := range c.gids {
		c.group(gid).ShutdownServer(1)
	}
	c.join(100, 101)
	c.appendAll(ck, ks, vals)
	c.checkAll(ck, ks, vals)
}

// concurrentAppends runs clients that append to random keys until stop is
// closed, recording every append, and returns a function that waits for
// them and verifies every key against the log.
func (c *cluster) concurrentAppends(n int, ks []string, rec *kvcheck.Recorder) (stop func()) {
	log := kvcheck.NewAppends()
	quit := make(chan struct{})
	var wg sync.WaitGroup
	for cli := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ck := c.clerk()
			for j := 0; ; j++ {
				select {
				case <-quit:
					return
				default:
				}
				k := ks[c.net.IntN(len(ks))]
				tok := kvcheck.Token(cli, j)
				call := rec.Now()
				ck.Append(k, tok)
				rec.Add(cli, checker.Input{Kind: history.Append, Key: k, Value: tok}, "", call, rec.Now())
				log.Add(k, cli, j, true)
				if c.net.IntN(4) == 0 {
					call := rec.Now()
					v := ck.Get(k)
					rec.Add(cli, checker.Input{Kind: history.Get, Key: k}, v, call, rec.Now())
				}
			}
		}()
	}
	return func() {
		close(quit)
		labcluster.Within(c.t, 2*opTimeout, "clients finishing", wg.Wait)
		ck := c.clerk()
		labcluster.Within(c.t, opTimeout, "final reads", func() {
			for _, k := range ks {
				call := rec.Now()
				v := ck.Get(k)
				rec.Add(1000, checker.Input{Kind: history.Get, Key: k}, v, call, rec.Now())
				log.Verify(c.t, k, v)
			}
		})
	}
}

// reconfigure joins and leaves groups for d, optionally crashing and
// restarting whole groups.
func (c *cluster) reconfigure(d time.Duration, restarts bool) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		gid := c.gids[c.net.IntN(len(c.gids))]
		if c.net.IntN(2) == 0 {
			c.join(gid)
		} else if len(c.mck.Query(-1).Groups) > 1 {
			c.leave(gid)
		}
		if restarts && c.net.IntN(3) == 0 {
			g := c.gids[c.net.IntN(len(c.gids))]
			c.shutdownGroup(g)
			c.startGroup(g)
		}
		time.Sleep(time.Duration(100+c.net.IntN(200)) * time.Millisecond)
	}
	// End with every group joined so that every shard can be served.
	c.join(c.gids...)
}

// concurrentRun has 5 clients append to 10 keys while groups join and
// leave for 5 s (and restart, if restarts), then verifies every append.
func concurrentRun(t *testing.T, unreliable, restarts bool, maxraftstate int) (*cluster, []string, *kvcheck.Recorder) {
	c := newCluster(t, 3, unreliable, maxraftstate)
	c.join(100)
	ks := keys(10)
	rec := kvcheck.NewRecorder()
	stop := c.concurrentAppends(5, ks, rec)
	c.reconfigure(5*time.Second, restarts)
	stop()
	return c, ks, rec
}

func testConcurrent(t *testing.T, unreliable, restarts, linearizable bool, maxraftstate int) {
	_, _, rec := concurrentRun(t, unreliable, restarts, maxraftstate)
	if linearizable {
		rec.Check(t, 30*time.Second)
	}
}

func TestConcurrent1(t *testing.T) { testConcurrent(t, false, false, false, 100) }
func TestConcurrent2(t *testing.T) { testConcurrent(t, false, true, false, -1) }
func TestConcurrent3(t *testing.T) { testConcurrent(t, false, true, true, 300) }
func TestUnreliable1(t *testing.T) { testConcurrent(t, true, false, false, 100) }
func TestUnreliable2(t *testing.T) { testConcurrent(t, true, true, false, 100) }
func TestUnreliable3(t *testing.T) { testConcurrent(t, true, false, true, 100) }

// TestChallenge1Delete: shards moved away are deleted, so the total state of
// 3 groups of 3 servers stays under the course's bound.
func TestChallenge1Delete(t *testing.T) {
	c := newCluster(t, 3, false, 1)
	ck := c.clerk()
	c.join(100, 101, 102)
	const n = 30
	ks := keys(n)
	vals := make([]string, n)
	for i, k := range ks {
		vals[i] = c.randValue(1000)
		ck.Put(k, vals[i])
	}
	for iter := range 10 {
		c.leave(100 + iter%3)
		c.join(100 + iter%3)
	}
	c.checkAll(ck, ks, vals)
	// Every group must have finished deleting what it handed over. Wait for
	// the bound with a deadline: the last deletions may still be in flight.
	const bound = 117000
	deadline := time.Now().Add(opTimeout)
	for c.totalStateSize() > bound && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if total := c.totalStateSize(); total > bound {
		t.Fatalf("total state of 9 servers is %d bytes, over %d: shards not deleted", total, bound)
	}
	// The bound must also be meaningful: the live data alone is 30 KB per
	// replica, 90 KB over the three copies the keys live in.
	if min := 3 * n * 1000; c.totalStateSize() < min {
		t.Fatalf("total state %d bytes is below the live data %d: data lost?", c.totalStateSize(), min)
	}
}

// TestChallenge1Concurrent: deletion under concurrent appends and changes.
func TestChallenge1Concurrent(t *testing.T) {
	c, ks, _ := concurrentRun(t, false, false, 1)
	live := 0
	ck := c.clerk()
	for _, k := range ks {
		live += len(ck.Get(k))
	}
	bound := 3*live + 60000
	deadline := time.Now().Add(opTimeout)
	for c.totalStateSize() > bound && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if total := c.totalStateSize(); total > bound {
		t.Fatalf("total state %d bytes over %d (live data %d bytes)", total, bound, live)
	}
}

// TestChallenge2: shards that stay put keep serving while a configuration
// change is stuck, and a shard that arrived serves at once even though
// another shard of the same configuration can never arrive.
func TestChallenge2(t *testing.T) {
	c, ck, ks, vals := newFilled(t, 3, -1, 30, true, 100, 101)
	before := c.mck.Query(-1)

	// Group 100 dies: nothing it holds can ever be handed over.
	c.shutdownGroup(100)
	c.join(102)
	after := c.mck.Query(-1)
	stuck, unaffected, arrived := 0, 0, 0
	for s := range shardctrler.NShards {
		switch {
		case before.Shards[s] == 100 && after.Shards[s] != 100:
			stuck++
		case before.Shards[s] == 101 && after.Shards[s] == 101:
			unaffected++
		case before.Shards[s] == 101 && after.Shards[s] == 102:
			arrived++
		}
	}
	if stuck == 0 || unaffected == 0 || arrived == 0 {
		t.Fatalf("scenario needs stuck, unaffected and arriving shards: %v -> %v", before.Shards, after.Shards)
	}
	labcluster.Within(t, opTimeout, "serving unaffected and arrived shards", func() {
		for i, k := range ks {
			s := key2shard(k)
			if before.Shards[s] != 101 {
				continue
			}
			if v := ck.Get(k); v != vals[i] {
				t.Errorf("Get(%q) = %q, want %q", k, v, vals[i])
			}
			ck.Append(k, "+")
			vals[i] += "+"
		}
	})
	c.checkAllShards(ck, ks, vals, func(s int) bool { return before.Shards[s] == 101 })
	// Once group 100 is back, the stuck shards arrive too.
	c.startGroup(100)
	c.checkAll(ck, ks, vals)
}

func (c *cluster) checkAllShards(ck *Clerk, ks, vals []string, pick func(int) bool) {
	c.t.Helper()
	labcluster.Within(c.t, opTimeout, "reading picked shards", func() {
		for i, k := range ks {
			if pick(key2shard(k)) {
				if v := ck.Get(k); v != vals[i] {
					c.t.Errorf("Get(%q) = %q, want %q", k, v, vals[i])
				}
			}
		}
	})
}
