package shardctrler

import (
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"faultline/internal/labcluster"
	"faultline/system/raft"
)

type ctrlCluster struct {
	*labcluster.Group
	t       *testing.T
	net     *labcluster.Net
	clients int
}

func newCtrlCluster(t *testing.T, n int) *ctrlCluster {
	net := labcluster.NewNet(t, true)
	g := labcluster.NewGroup(t, net.Network, "ctrler", n, func(ends []raft.Peer, me int, p raft.Persister) labcluster.Server {
		return StartServer(ends, me, p)
	})
	return &ctrlCluster{Group: g, t: t, net: net}
}

func (c *ctrlCluster) clerk() *Clerk {
	c.clients++
	return MakeClerk(c.ClientEnds(fmt.Sprintf("ck%d", c.clients)))
}

// check verifies the latest config holds exactly groups, is balanced, and
// that every shard is on one of them.
func check(t *testing.T, ck *Clerk, groups []int) Config {
	t.Helper()
	c := ck.Query(-1)
	if len(c.Groups) != len(groups) {
		t.Fatalf("config %d has %d groups, want %v", c.Num, len(c.Groups), groups)
	}
	for _, g := range groups {
		if _, ok := c.Groups[g]; !ok {
			t.Fatalf("config %d misses group %d", c.Num, g)
		}
	}
	checkBalanced(t, c)
	return c
}

func TestBasicJoinLeave(t *testing.T) {
	c := newCtrlCluster(t, 3)
	ck := c.clerk()
	labcluster.Within(t, 30*time.Second, "basic join/leave", func() {
		c0 := ck.Query(-1)
		if c0.Num != 0 || len(c0.Groups) != 0 {
			t.Errorf("initial config %v", c0)
		}
		ck.Join(map[int][]string{1: {"x", "y", "z"}})
		check(t, ck, []int{1})
		ck.Join(map[int][]string{2: {"a", "b", "c"}})
		check(t, ck, []int{1, 2})
		ck.Join(map[int][]string{2: {"a", "b", "c"}}) // re-join keeps the group
		check(t, ck, []int{1, 2})
		ck.Leave([]int{1})
		check(t, ck, []int{2})
		ck.Leave([]int{2})
		if cf := ck.Query(-1); cf.Shards != [NShards]int{} {
			t.Errorf("with no groups, shards %v", cf.Shards)
		}
	})
}

// TestHistoricalQueries checks that every old configuration still reads the
// same while each replica in turn is down.
func TestHistoricalQueries(t *testing.T) {
	c := newCtrlCluster(t, 3)
	ck := c.clerk()
	var history []Config
	labcluster.Within(t, 60*time.Second, "historical queries", func() {
		ck.Join(map[int][]string{1: {"x"}})
		ck.Join(map[int][]string{2: {"y"}})
		ck.Leave([]int{1})
		for n := 0; n <= 3; n++ {
			history = append(history, ck.Query(n))
		}
		for i := range c.N() {
			c.ShutdownServer(i)
			for _, want := range history {
				if got := ck.Query(want.Num); got.Num != want.Num || got.Shards != want.Shards ||
					!maps.EqualFunc(got.Groups, want.Groups, func(a, b []string) bool { return fmt.Sprint(a) == fmt.Sprint(b) }) {
					t.Errorf("with %d down, Query(%d) = %v, want %v", i, want.Num, got, want)
				}
			}
			c.StartServer(i)
			c.ConnectAll()
		}
	})
}

func TestMove(t *testing.T) {
	c := newCtrlCluster(t, 3)
	ck := c.clerk()
	labcluster.Within(t, 30*time.Second, "move", func() {
		ck.Join(map[int][]string{1: {"x"}})
		ck.Join(map[int][]string{2: {"y"}})
		for s := range NShards {
			gid := 1 + s%2
			ck.Move(s, gid)
		}
		cf := ck.Query(-1)
		for s := range NShards {
			if want := 1 + s%2; cf.Shards[s] != want {
				t.Fatalf("after moves shard %d on %d, want %d (%v)", s, cf.Shards[s], want, cf)
			}
		}
		// Pins hold until the next Join or Leave, which rebalances.
		ck.Move(0, 2)
		ck.Move(2, 2)
		if got := ck.Query(-1); got.counts()[2] != 7 {
			t.Fatalf("move did not pin: %v", got)
		}
		ck.Join(map[int][]string{3: {"z"}})
		check(t, ck, []int{1, 2, 3})
		// A move onto a missing group is refused and changes nothing.
		before := ck.Query(-1)
		ck.Move(0, 99)
		if after := ck.Query(-1); after.Num != before.Num {
			t.Fatalf("move to missing group made config %v", after)
		}
	})
}

// TestConcurrentJoinLeave has 10 clerks each join and leave groups at once.
func TestConcurrentJoinLeave(t *testing.T) {
	c := newCtrlCluster(t, 3)
	c.concurrently(10, "concurrent join/leave", func(i int, ck *Clerk) int {
		gid := 100 + i
		ck.Join(map[int][]string{gid + 1000: {"x"}})
		ck.Join(map[int][]string{gid: {"y"}})
		ck.Leave([]int{gid + 1000})
		return gid
	})
}

// concurrently runs f with n clerks at once, within a deadline, then checks
// that the latest configuration holds exactly the groups f returned.
func (c *ctrlCluster) concurrently(n int, what string, f func(i int, ck *Clerk) (gid int)) {
	c.t.Helper()
	clerks := make([]*Clerk, n)
	for i := range clerks {
		clerks[i] = c.clerk()
	}
	labcluster.Within(c.t, 60*time.Second, what, func() {
		want := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				want[i] = f(i, clerks[i])
			}()
		}
		wg.Wait()
		check(c.t, clerks[0], want)
	})
}

// TestMinimalTransfers checks that joins and leaves move only the shards
// they must.
func TestMinimalTransfers(t *testing.T) {
	c := newCtrlCluster(t, 3)
	ck := c.clerk()
	labcluster.Within(t, 60*time.Second, "minimal transfers", func() {
		for g := 1; g <= 5; g++ {
			ck.Join(map[int][]string{g: {"x"}})
		}
		before := ck.Query(-1)
		for g := 6; g <= 10; g++ {
			ck.Join(map[int][]string{g: {"x"}})
		}
		after := ck.Query(-1)
		// After the joins each group holds one shard: every shard that an
		// old group kept must still be where it was.
		for s := range NShards {
			if after.Shards[s] <= 5 && after.Shards[s] != before.Shards[s] {
				t.Fatalf("join moved shard %d between old groups: %v -> %v", s, before.Shards, after.Shards)
			}
		}
		if got, want := moved(before, after), minMoves(before, after.gids()); got != want {
			t.Fatalf("joins moved %d shards, minimum %d", got, want)
		}
		ck.Leave([]int{6, 7, 8, 9, 10})
		final := ck.Query(-1)
		for s := range NShards {
			if after.Shards[s] <= 5 && final.Shards[s] != after.Shards[s] {
				t.Fatalf("leave moved shard %d of a staying group: %v -> %v", s, after.Shards, final.Shards)
			}
		}
	})
}

func TestMultiJoinLeave(t *testing.T) {
	c := newCtrlCluster(t, 3)
	ck := c.clerk()
	labcluster.Within(t, 60*time.Second, "multi join/leave", func() {
		ck.Join(map[int][]string{1: {"a"}, 2: {"b"}, 3: {"c"}})
		check(t, ck, []int{1, 2, 3})
		ck.Join(map[int][]string{4: {"d"}, 5: {"e"}})
		check(t, ck, []int{1, 2, 3, 4, 5})
		ck.Leave([]int{1, 3, 5})
		check(t, ck, []int{2, 4})
	})
}

func TestConcurrentMultiJoinLeave(t *testing.T) {
	c := newCtrlCluster(t, 3)
	c.concurrently(10, "concurrent multi join/leave", func(i int, ck *Clerk) int {
		gid := 10 * (i + 1)
		ck.Join(map[int][]string{gid: {"x"}, gid + 1: {"y"}, gid + 2: {"z"}})
		ck.Leave([]int{gid + 1, gid + 2})
		return gid
	})
}

// TestMinorityMakesNoProgress checks that a partitioned minority cannot
// change the configuration, and that the majority can.
func TestMinorityMakesNoProgress(t *testing.T) {
	c := newCtrlCluster(t, 5)
	ck := c.clerk()
	labcluster.Within(t, 60*time.Second, "partition", func() {
		ck.Join(map[int][]string{1: {"a"}})
		c.Partition([]int{0, 1}, []int{2, 3, 4})
		// A clerk that can reach only the minority blocks.
		minority := MakeClerk(c.ClientEndsTo("minority", []int{0, 1}))
		majority := MakeClerk(c.ClientEndsTo("majority", []int{2, 3, 4}))
		done := make(chan struct{})
		go func() { defer close(done); minority.Join(map[int][]string{2: {"b"}}) }()
		majority.Join(map[int][]string{3: {"c"}})
		got := majority.Query(-1)
		if _, ok := got.Groups[2]; ok || len(got.Groups) != 2 {
			t.Errorf("majority config %v: the minority's join committed", got)
		}
		select {
		case <-done:
			t.Error("a join finished in the minority partition")
		default:
		}
		c.ConnectAll()
		c.SetClientReach("minority", c.All())
		<-done
		check(t, ck, []int{1, 2, 3})
	})
}
