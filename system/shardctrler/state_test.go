package shardctrler

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"faultline/internal/labcluster"
)

func testSeed(t *testing.T) uint64 { return uint64(labcluster.Seed(t)) }

func servers(gid int) []string {
	return []string{fmt.Sprintf("g%d-a", gid), fmt.Sprintf("g%d-b", gid)}
}

// checkBalanced fails the test unless c is a valid balanced configuration.
func checkBalanced(t *testing.T, c Config) {
	t.Helper()
	if len(c.Groups) == 0 {
		for s, gid := range c.Shards {
			if gid != 0 {
				t.Fatalf("%v: shard %d on gid %d with no groups", c, s, gid)
			}
		}
		return
	}
	counts := c.counts()
	for s, gid := range c.Shards {
		if _, ok := c.Groups[gid]; !ok {
			t.Fatalf("%v: shard %d on dead gid %d", c, s, gid)
		}
	}
	lo, hi := NShards, 0
	for _, n := range counts {
		lo, hi = min(lo, n), max(hi, n)
	}
	if hi-lo > 1 {
		t.Fatalf("%v: unbalanced, counts %v", c, counts)
	}
}

// minMoves computes by brute force the fewest shards that must change group
// to go from prev's assignment to a balanced assignment over next's groups:
// try every choice of which groups hold the extra shard.
func minMoves(prev Config, groups []int) int {
	if len(groups) == 0 {
		n := 0
		for _, gid := range prev.Shards {
			if gid != 0 {
				n++
			}
		}
		return n
	}
	count := map[int]int{}
	for _, gid := range prev.Shards {
		count[gid]++
	}
	n := len(groups)
	base, extra := NShards/n, NShards%n
	best := NShards
	for mask := 0; mask < 1<<n; mask++ {
		if popcount(mask) != extra {
			continue
		}
		kept := 0
		for i, gid := range groups {
			target := base
			if mask&(1<<i) != 0 {
				target++
			}
			kept += min(count[gid], target)
		}
		best = min(best, NShards-kept)
	}
	return best
}

func popcount(x int) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

func moved(a, b Config) int {
	n := 0
	for s := range a.Shards {
		if a.Shards[s] != b.Shards[s] {
			n++
		}
	}
	return n
}

func TestConfigZero(t *testing.T) {
	s := NewState()
	r := s.Apply(Op{Kind: OpQuery, Num: -1})
	if r.Err != OK || r.Config.Num != 0 || len(r.Config.Groups) != 0 || r.Config.Shards != [NShards]int{} {
		t.Fatalf("config 0 = %+v", r)
	}
}

// TestRebalanceAgainstBruteForce drives random joins and leaves and checks
// every resulting configuration against the rules and against a brute-force
// minimum of moved shards.
func TestRebalanceAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 1))
	for round := 0; round < 100; round++ {
		s := NewState()
		seq := int64(0)
		for step := 0; step < 30; step++ {
			prev := s.latest()
			seq++
			op := Op{ClientID: 1, Seq: seq}
			live := prev.gids()
			if len(live) == 0 || rng.IntN(2) == 0 {
				op.Kind = OpJoin
				op.Servers = map[int][]string{}
				for k := 1 + rng.IntN(3); k > 0; k-- {
					gid := 1 + rng.IntN(NShards+1)
					op.Servers[gid] = servers(gid)
				}
			} else {
				op.Kind = OpLeave
				for k := 1 + rng.IntN(2); k > 0 && len(live) > 0; k-- {
					i := rng.IntN(len(live))
					op.GIDs = append(op.GIDs, live[i])
					live = slices.Delete(live, i, i+1)
				}
			}
			if r := s.Apply(op); r.Err != OK {
				t.Fatalf("round %d step %d: %v -> %v", round, step, op, r.Err)
			}
			next := s.latest()
			if next.Num != prev.Num+1 {
				t.Fatalf("config num %d after %d", next.Num, prev.Num)
			}
			checkBalanced(t, next)
			if want, got := minMoves(prev, next.gids()), moved(prev, next); got != want {
				t.Fatalf("round %d step %d: %v moved %d shards, minimum is %d\nprev %v\nnext %v",
					round, step, op.Kind, got, want, prev.Shards, next.Shards)
			}
		}
	}
}

// TestApplyDeterministic applies the same random operations to two states
// and requires them to be identical after every step, so no map iteration
// order leaks into the configurations.
func TestApplyDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 2))
	a, b := NewState(), NewState()
	for step := 0; step < 2000; step++ {
		op := Op{ClientID: int64(rng.IntN(3)), Seq: int64(step + 1)}
		switch rng.IntN(4) {
		case 0, 1:
			op.Kind = OpJoin
			op.Servers = map[int][]string{}
			for k := 1 + rng.IntN(5); k > 0; k-- {
				gid := 1 + rng.IntN(20)
				op.Servers[gid] = servers(gid)
			}
		case 2:
			op.Kind = OpLeave
			op.GIDs = []int{1 + rng.IntN(20), 1 + rng.IntN(20)}
		case 3:
			op.Kind = OpMove
			op.Shard, op.GID = rng.IntN(NShards), 1+rng.IntN(20)
		}
		ra, rb := a.Apply(op), b.Apply(op)
		if !reflect.DeepEqual(ra, rb) || !reflect.DeepEqual(a.latest(), b.latest()) {
			t.Fatalf("step %d: replicas diverged after %v", step, op.Kind)
		}
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("replica states differ at the end")
	}
}

func TestMoveAndDuplicates(t *testing.T) {
	s := NewState()
	s.Apply(Op{Kind: OpJoin, ClientID: 7, Seq: 1, Servers: map[int][]string{1: servers(1), 2: servers(2)}})
	if r := s.Apply(Op{Kind: OpMove, ClientID: 7, Seq: 2, Shard: 3, GID: 2}); r.Err != OK {
		t.Fatalf("move: %v", r.Err)
	}
	c := s.latest()
	if c.Shards[3] != 2 || c.Num != 2 {
		t.Fatalf("after move: %v", c)
	}
	// A retried move (same seq) is not applied again.
	s.Apply(Op{Kind: OpMove, ClientID: 7, Seq: 2, Shard: 3, GID: 1})
	if got := s.latest(); got.Num != 2 || got.Shards[3] != 2 {
		t.Fatalf("duplicate applied: %v", got)
	}
	// Query returns copies: changing them does not change the state.
	q := s.Apply(Op{Kind: OpQuery, Num: 2}).Config
	q.Shards[0] = 99
	q.Groups[1][0] = "changed"
	if got := s.latest(); got.Shards[0] == 99 || got.Groups[1][0] == "changed" {
		t.Fatal("query result aliases the state")
	}
	// Historical queries keep old configs; too-large numbers give the latest.
	if got := s.Apply(Op{Kind: OpQuery, Num: 1}).Config; got.Num != 1 || got.Shards[3] == 2 && got.Shards == s.latest().Shards {
		t.Fatalf("query 1 = %v", got)
	}
	if got := s.Apply(Op{Kind: OpQuery, Num: 1000}).Config; got.Num != 2 {
		t.Fatalf("query 1000 = %v", got)
	}
}

func TestInvalidOps(t *testing.T) {
	cases := []Op{
		{Kind: OpJoin},
		{Kind: OpJoin, Servers: map[int][]string{0: {"x"}}},
		{Kind: OpLeave},
		{Kind: OpMove, Shard: NShards, GID: 1},
		{Kind: OpMove, Shard: -1, GID: 1},
		{Kind: OpMove, Shard: 0, GID: 5}, // no such group
		{Kind: 99},
	}
	for i, op := range cases {
		s := NewState()
		op.ClientID, op.Seq = 1, 1
		if r := s.Apply(op); r.Err != ErrInvalid {
			t.Errorf("case %d %v: err %v, want ErrInvalid", i, op.Kind, r.Err)
		}
		if len(s.Configs) != 1 {
			t.Errorf("case %d: invalid op created a config", i)
		}
	}
}

func TestMoreGroupsThanShards(t *testing.T) {
	s := NewState()
	join := map[int][]string{}
	for gid := 1; gid <= NShards+3; gid++ {
		join[gid] = servers(gid)
	}
	s.Apply(Op{Kind: OpJoin, ClientID: 1, Seq: 1, Servers: join})
	c := s.latest()
	checkBalanced(t, c)
	seen := map[int]bool{}
	for _, gid := range c.Shards {
		if seen[gid] {
			t.Fatalf("gid %d holds two shards with spare groups: %v", gid, c.Shards)
		}
		seen[gid] = true
	}
	// Leaving every group puts all shards back on gid 0.
	var all []int
	for gid := range join {
		all = append(all, gid)
	}
	s.Apply(Op{Kind: OpLeave, ClientID: 1, Seq: 2, GIDs: all})
	if got := s.latest(); got.Shards != [NShards]int{} {
		t.Fatalf("after leaving all: %v", got.Shards)
	}
}
