package shardkv

import (
	"maps"
	"slices"

	"faultline/internal/names"
	"faultline/system/shardctrler"
	"faultline/transport/wire"
)

// OpKind names an operation in a group's log.
type OpKind uint8

// Operations: client requests, and the steps of reconfiguration.
const (
	OpGet OpKind = iota + 1
	OpPut
	OpAppend
	// OpConfig moves the group to the next configuration.
	OpConfig
	// OpInstall installs pulled shards (new owner).
	OpInstall
	// OpDelete drops handed-over shards (previous owner).
	OpDelete
	// OpForget records that the previous owner deleted them (new owner).
	OpForget
)

// String returns the operation's name without its Op prefix, e.g.
// "Install".
func (k OpKind) String() string {
	return names.Of(k, "OpKind", OpGet, "Get", "Put", "Append", "Config", "Install", "Delete", "Forget")
}

// Op is one entry of a group's log. Only the fields of its Kind are set.
type Op struct {
	Kind     OpKind
	Key      string
	Value    string
	ClientID int64
	Seq      int64

	Config    shardctrler.Config // OpConfig
	ConfigNum int                // OpInstall, OpDelete, OpForget
	Shards    []int              // OpDelete, OpForget
	Data      map[int]*ShardData // OpInstall (pointers: see wire.ErrUnsafeType)
}

func init() {
	wire.Register(Op{})
}

// result is what applying an Op gave.
type result struct {
	Err   Err
	Value string
}

// Apply applies op and returns its result. It is deterministic.
func (s *State) Apply(op Op) result {
	switch op.Kind {
	case OpGet, OpPut, OpAppend:
		return s.applyClient(op)
	case OpConfig:
		return s.applyConfig(op.Config)
	case OpInstall:
		return s.applyInstall(op.ConfigNum, op.Data)
	case OpDelete:
		return s.applyDelete(op.ConfigNum, op.Shards)
	case OpForget:
		return s.applyForget(op.ConfigNum, op.Shards)
	}
	return result{Err: ErrNotReady}
}

func (s *State) applyClient(op Op) result {
	shard := key2shard(op.Key)
	if !s.owns(shard) {
		return result{Err: ErrWrongGroup}
	}
	d := &s.Shards[shard].Data
	switch op.Kind {
	case OpGet:
		v, ok := d.KV[op.Key]
		if !ok {
			return result{Err: ErrNoKey}
		}
		return result{Err: OK, Value: v}
	default:
		if op.Seq <= d.LastSeq[op.ClientID] {
			return result{Err: OK} // duplicate
		}
		d.LastSeq[op.ClientID] = op.Seq
		if op.Kind == OpPut {
			d.KV[op.Key] = op.Value
		} else {
			d.KV[op.Key] += op.Value
		}
		return result{Err: OK}
	}
}

// applyConfig moves to cfg if it is the next configuration and every
// handover of the current one is complete.
func (s *State) applyConfig(cfg shardctrler.Config) result {
	if cfg.Num != s.Config.Num+1 || !s.settled() {
		return result{Err: ErrNotReady}
	}
	for i := range s.Shards {
		was := s.Config.Shards[i] == s.GID
		now := cfg.Shards[i] == s.GID
		sh := &s.Shards[i]
		switch {
		case was && now:
			// stays Serving
		case !was && now:
			if s.Config.Shards[i] == 0 {
				sh.Status = Serving // nobody held it: it starts empty
			} else {
				sh.Status = Pulling
			}
		case was && !now:
			if cfg.Shards[i] == 0 {
				// Nobody will take it over: drop it.
				sh.Status, sh.Data = Absent, newShardData()
			} else {
				sh.Status = Frozen
			}
		}
	}
	s.Prev, s.Config = s.Config, cfg.Clone()
	return result{Err: OK}
}

// applyInstall installs shards pulled for configuration num.
func (s *State) applyInstall(num int, data map[int]*ShardData) result {
	if num != s.Config.Num {
		return result{Err: ErrNotReady}
	}
	for _, i := range slices.Sorted(maps.Keys(data)) {
		if i < 0 || i >= len(s.Shards) || s.Shards[i].Status != Pulling || data[i] == nil {
			continue
		}
		d := data[i].clone()
		if d.KV == nil {
			d.KV = map[string]string{}
		}
		if d.LastSeq == nil {
			d.LastSeq = map[int64]int64{}
		}
		s.Shards[i] = Shard{Status: Handed, Data: d}
	}
	return result{Err: OK}
}

// applyDelete drops shards handed over in configuration num. A request for
// an older configuration is already done: a group moves on only once every
// frozen shard is deleted.
func (s *State) applyDelete(num int, shards []int) result {
	if num > s.Config.Num {
		return result{Err: ErrNotReady}
	}
	if num == s.Config.Num {
		for _, i := range shards {
			if i >= 0 && i < len(s.Shards) && s.Shards[i].Status == Frozen {
				s.Shards[i] = Shard{Status: Absent, Data: newShardData()}
			}
		}
	}
	return result{Err: OK}
}

// applyForget ends the handover of shards installed in configuration num.
func (s *State) applyForget(num int, shards []int) result {
	if num == s.Config.Num {
		for _, i := range shards {
			if i >= 0 && i < len(s.Shards) && s.Shards[i].Status == Handed {
				s.Shards[i].Status = Serving
			}
		}
	}
	return result{Err: OK}
}

// pullable returns copies of the asked shards if the group is at
// configuration num and holds them frozen; otherwise ErrNotReady.
func (s *State) pullable(num int, shards []int) (map[int]*ShardData, Err) {
	if s.Config.Num != num {
		return nil, ErrNotReady
	}
	out := make(map[int]*ShardData, len(shards))
	for _, i := range shards {
		if i < 0 || i >= len(s.Shards) || s.Shards[i].Status != Frozen {
			return nil, ErrNotReady
		}
		d := s.Shards[i].Data.clone()
		out[i] = &d
	}
	return out, OK
}
