package shardkv

import (
	"maps"

	"faultline/internal/names"
	"faultline/system/shardctrler"
)

// ShardStatus is where a shard stands in the group's current configuration.
type ShardStatus uint8

// Shard statuses.
const (
	// Absent: the group does not own the shard and holds no data for it.
	Absent ShardStatus = iota // absent
	// Serving: the group owns the shard and serves it.
	Serving // serving
	// Pulling: the group owns the shard but waits for its data from the
	// previous owner; it does not serve it yet.
	Pulling // pulling
	// Frozen: the group owned the shard in the previous configuration and
	// keeps its data, unserved, until the new owner has installed it.
	Frozen // frozen
	// Handed: the group owns and serves the shard, which it pulled, and has
	// not yet told the previous owner to delete its copy.
	Handed // handed
)

// String returns the status's name in lower case, e.g. "serving".
func (s ShardStatus) String() string {
	return names.Of(s, "ShardStatus", Absent, "absent", "serving", "pulling", "frozen", "handed")
}

// serves reports whether a shard in this status answers clients.
func (s ShardStatus) serves() bool { return s == Serving || s == Handed }

// ShardData is one shard's content: its key/value pairs and its duplicate
// table, which travel together so exactly-once survives a move.
type ShardData struct {
	KV map[string]string
	// LastSeq maps a client to the highest Put/Append sequence number
	// applied to this shard.
	LastSeq map[int64]int64
}

func newShardData() ShardData {
	return ShardData{KV: map[string]string{}, LastSeq: map[int64]int64{}}
}

func (d ShardData) clone() ShardData {
	return ShardData{KV: maps.Clone(d.KV), LastSeq: maps.Clone(d.LastSeq)}
}

// Shard is a shard's status and data in one group.
type Shard struct {
	Status ShardStatus
	Data   ShardData
}

// State is a group's replicated state machine. It is deterministic and does
// no I/O.
type State struct {
	GID    int
	Config shardctrler.Config // current configuration
	Prev   shardctrler.Config // the one before it (who held what)
	Shards [shardctrler.NShards]Shard
}

// NewState returns the state of group gid before any configuration.
func NewState(gid int) *State {
	s := &State{GID: gid, Config: emptyConfig(), Prev: emptyConfig()}
	for i := range s.Shards {
		s.Shards[i].Data = newShardData()
	}
	return s
}

func emptyConfig() shardctrler.Config {
	return shardctrler.Config{Groups: map[int][]string{}}
}

// settled reports whether every handover of the current configuration is
// complete, so the next configuration may be applied.
func (s *State) settled() bool {
	for _, sh := range s.Shards {
		if sh.Status == Pulling || sh.Status == Frozen || sh.Status == Handed {
			return false
		}
	}
	return true
}

// owns reports whether the group serves shard now.
func (s *State) owns(shard int) bool {
	return s.Config.Shards[shard] == s.GID && s.Shards[shard].Status.serves()
}

// ShardsIn lists the shards in status st, in order.
func (s *State) ShardsIn(st ShardStatus) []int {
	var out []int
	for i, sh := range s.Shards {
		if sh.Status == st {
			out = append(out, i)
		}
	}
	return out
}

// normalize replaces the nil maps a decoded State may carry with empty ones.
func (s *State) normalize() {
	for _, c := range []*shardctrler.Config{&s.Config, &s.Prev} {
		if c.Groups == nil {
			c.Groups = map[int][]string{}
		}
	}
	for i := range s.Shards {
		d := &s.Shards[i].Data
		if d.KV == nil {
			d.KV = map[string]string{}
		}
		if d.LastSeq == nil {
			d.LastSeq = map[int64]int64{}
		}
	}
}
