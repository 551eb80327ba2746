package shardctrler

import (
	"fmt"
	"maps"
	"slices"
)

// NShards is the number of shards.
const NShards = 10

// Config is one configuration: which group serves each shard, and the
// servers of each group. Config 0 has no groups and every shard on gid 0.
// Shards is an array, so configurations compare with == and !=, apart from
// Groups.
type Config struct {
	Num    int              // config number
	Shards [NShards]int     // shard -> gid
	Groups map[int][]string // gid -> servers[]
}

// Clone returns a deep copy of c: callers may keep and modify it.
func (c Config) Clone() Config {
	out := Config{Num: c.Num, Shards: c.Shards, Groups: make(map[int][]string, len(c.Groups))}
	for gid, servers := range c.Groups {
		out.Groups[gid] = slices.Clone(servers)
	}
	return out
}

// String describes c on one line in a stable form.
func (c Config) String() string {
	return fmt.Sprintf("config %d shards %v groups %v", c.Num, c.Shards, slices.Sorted(maps.Keys(c.Groups)))
}

// gids returns the group ids of c in ascending order.
func (c Config) gids() []int {
	return slices.Sorted(maps.Keys(c.Groups))
}

// counts returns how many shards each live group holds (0 for none).
func (c Config) counts() map[int]int {
	n := make(map[int]int, len(c.Groups))
	for gid := range c.Groups {
		n[gid] = 0
	}
	for _, gid := range c.Shards {
		if _, ok := c.Groups[gid]; ok {
			n[gid]++
		}
	}
	return n
}

// rebalance reassigns shards so that every shard is on a live group (when
// there is one), the per-group counts differ by at most one, and the number
// of shards that change group is the least possible. It is deterministic:
// every choice is ordered by shard number and gid, never by map order.
func (c *Config) rebalance() {
	gids := c.gids()
	if len(gids) == 0 {
		c.Shards = [NShards]int{}
		return
	}
	count := c.counts()

	// Targets: the first NShards%n groups, heaviest first, get one extra
	// shard. Giving the extras to the groups that already hold the most
	// keeps moves to the minimum. With more groups than shards, the
	// heaviest NShards groups keep one shard each and the rest get none.
	order := slices.Clone(gids)
	slices.SortStableFunc(order, func(a, b int) int {
		if count[a] != count[b] {
			return count[b] - count[a]
		}
		return a - b
	})
	target := make(map[int]int, len(order))
	base, extra := NShards/len(order), NShards%len(order)
	for i, gid := range order {
		target[gid] = base
		if i < extra {
			target[gid]++
		}
	}

	// Free shards held by dead groups and the surplus of overloaded groups,
	// taking the highest-numbered shards of a group first.
	var free []int
	held := make(map[int]int, len(gids))
	for shard := NShards - 1; shard >= 0; shard-- {
		gid := c.Shards[shard]
		if _, live := c.Groups[gid]; !live {
			free = append(free, shard)
			continue
		}
		if count[gid]-held[gid] > target[gid] {
			held[gid]++
			free = append(free, shard)
		}
	}
	slices.Sort(free)

	// Fill underloaded groups in gid order with the freed shards in shard
	// order.
	next := 0
	for _, gid := range gids {
		have := count[gid] - held[gid]
		for ; have < target[gid] && next < len(free); have++ {
			c.Shards[free[next]] = gid
			next++
		}
	}
	if next != len(free) {
		panic(fmt.Sprintf("shardctrler: rebalance left %d shards unassigned in %v", len(free)-next, c))
	}
}
