package shardctrler

import (
	"errors"
	"fmt"
	"slices"

	"faultline/internal/names"
)

// Err is the outcome of a controller operation, carried in replies.
type Err string

// Outcomes of an operation.
const (
	OK             Err = "OK"
	ErrWrongLeader Err = "ErrWrongLeader"
	ErrInvalid     Err = "ErrInvalid"
	ErrTimeout     Err = "ErrTimeout"
)

// OpKind names a controller operation.
type OpKind uint8

// The controller's operations.
const (
	OpQuery OpKind = iota + 1
	OpJoin
	OpLeave
	OpMove
)

// String returns the operation's name without its Op prefix, e.g. "Join".
func (k OpKind) String() string {
	return names.Of(k, "OpKind", OpQuery, "Query", "Join", "Leave", "Move")
}

// Op is one operation as it travels through the Raft log. Only the fields
// of its Kind are set.
type Op struct {
	Kind     OpKind
	ClientID int64
	Seq      int64
	Servers  map[int][]string // Join
	GIDs     []int            // Leave
	Shard    int              // Move
	GID      int              // Move
	Num      int              // Query
}

// result is what applying an Op produced.
type result struct {
	Err    Err
	Config Config // Query only
}

// State is the replicated state machine: the configuration history and the
// exactly-once table. It is deterministic and does no I/O; replicas that
// apply the same Ops in the same order hold equal States.
type State struct {
	Configs []Config
	// LastSeq maps a client to the highest sequence number of its mutating
	// operations applied so far.
	LastSeq map[int64]int64
}

// NewState returns the state holding only config 0.
func NewState() *State {
	return &State{
		Configs: []Config{{Num: 0, Groups: map[int][]string{}}},
		LastSeq: map[int64]int64{},
	}
}

// latest returns the newest configuration.
func (s *State) latest() Config { return s.Configs[len(s.Configs)-1] }

// query returns config num, or the latest when num is -1 or too large.
func (s *State) query(num int) Config {
	if num < 0 || num >= len(s.Configs) {
		return s.latest().Clone()
	}
	return s.Configs[num].Clone()
}

// validate rejects malformed operations before they change anything.
func validate(op Op) error {
	switch op.Kind {
	case OpQuery:
	case OpJoin:
		if len(op.Servers) == 0 {
			return errors.New("join with no groups")
		}
		for gid := range op.Servers {
			if gid <= 0 {
				return fmt.Errorf("join gid %d: gids must be positive", gid)
			}
		}
	case OpLeave:
		if len(op.GIDs) == 0 {
			return errors.New("leave with no groups")
		}
	case OpMove:
		if op.Shard < 0 || op.Shard >= NShards {
			return fmt.Errorf("move shard %d: want 0..%d", op.Shard, NShards-1)
		}
		if op.GID <= 0 {
			return fmt.Errorf("move to gid %d: gids must be positive", op.GID)
		}
	default:
		return fmt.Errorf("unknown op kind %d", op.Kind)
	}
	return nil
}

// Apply applies op and returns its result. A mutating op whose sequence
// number this client already applied is a duplicate and changes nothing.
func (s *State) Apply(op Op) result {
	if err := validate(op); err != nil {
		return result{Err: ErrInvalid}
	}
	if op.Kind == OpQuery {
		return result{Err: OK, Config: s.query(op.Num)}
	}
	if op.Seq <= s.LastSeq[op.ClientID] {
		return result{Err: OK}
	}
	next := s.latest().Clone()
	next.Num++
	switch op.Kind {
	case OpJoin:
		for gid, servers := range op.Servers {
			next.Groups[gid] = slices.Clone(servers)
		}
		next.rebalance()
	case OpLeave:
		for _, gid := range op.GIDs {
			delete(next.Groups, gid)
		}
		next.rebalance()
	case OpMove:
		if _, ok := next.Groups[op.GID]; !ok {
			// Moving a shard onto a group that does not exist would strand it.
			s.LastSeq[op.ClientID] = op.Seq
			return result{Err: ErrInvalid}
		}
		next.Shards[op.Shard] = op.GID
	}
	s.Configs = append(s.Configs, next)
	s.LastSeq[op.ClientID] = op.Seq
	return result{Err: OK}
}
