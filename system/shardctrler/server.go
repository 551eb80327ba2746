package shardctrler

import (
	"errors"
	"sync"

	"faultline/system/raft"
	"faultline/system/rsm"
	"faultline/transport/wire"
)

func init() {
	wire.Register(Op{})
}

// ShardCtrler is one replica of the shard controller. Its RPC methods
// (service "ShardCtrler") are Join, Leave, Move and Query.
type ShardCtrler struct {
	rsm *rsm.RSM
	mu  sync.Mutex
	st  *State // guarded by mu
}

// StartServer starts a controller replica whose Raft peer is servers[me]. The
// caller registers the returned server (service "ShardCtrler") and its
// Raft() peer (service "Raft") with its transport server.
func StartServer(servers []raft.Peer, me int, persister raft.Persister) *ShardCtrler {
	sc := &ShardCtrler{st: NewState()}
	sm := &rsm.WireState[State]{Mu: &sc.mu, State: &sc.st, Step: step, Check: (*State).normalize}
	sc.rsm = rsm.New(servers, me, persister, sm, rsm.Config{})
	return sc
}

// Raft returns the replica's Raft peer.
func (sc *ShardCtrler) Raft() *raft.Raft { return sc.rsm.Raft() }

// Kill stops the replica.
func (sc *ShardCtrler) Kill() { sc.rsm.Kill() }

// Join is the RPC handler for Join.
func (sc *ShardCtrler) Join(args *JoinArgs, reply *JoinReply) {
	reply.Err, _ = sc.submit(Op{Kind: OpJoin, ClientID: args.ClientID, Seq: args.Seq, Servers: args.Servers})
}

// Leave is the RPC handler for Leave.
func (sc *ShardCtrler) Leave(args *LeaveArgs, reply *LeaveReply) {
	reply.Err, _ = sc.submit(Op{Kind: OpLeave, ClientID: args.ClientID, Seq: args.Seq, GIDs: args.GIDs})
}

// Move is the RPC handler for Move.
func (sc *ShardCtrler) Move(args *MoveArgs, reply *MoveReply) {
	reply.Err, _ = sc.submit(Op{Kind: OpMove, ClientID: args.ClientID, Seq: args.Seq, Shard: args.Shard, GID: args.GID})
}

// Query is the RPC handler for Query. It goes through the log, so the
// answer is linearizable.
func (sc *ShardCtrler) Query(args *QueryArgs, reply *QueryReply) {
	reply.Err, reply.Config = sc.submit(Op{Kind: OpQuery, ClientID: args.ClientID, Num: args.Num})
}

func (sc *ShardCtrler) submit(op Op) (Err, Config) {
	v, err := sc.rsm.Submit(op)
	switch {
	case err == nil:
		r := v.(result)
		return r.Err, r.Config
	case errors.Is(err, rsm.ErrWrongLeader), errors.Is(err, rsm.ErrShutdown):
		return ErrWrongLeader, Config{}
	default:
		return ErrTimeout, Config{}
	}
}

// step applies one committed command to the controller's state.
func step(st *State, cmd any) (any, error) {
	op, err := rsm.Command[Op](cmd)
	if err != nil {
		return nil, err
	}
	return st.Apply(op), nil
}

// normalize checks a decoded state and makes its nil maps empty.
func (st *State) normalize() error {
	if len(st.Configs) == 0 {
		return errors.New("no configs")
	}
	for i := range st.Configs {
		if st.Configs[i].Groups == nil {
			st.Configs[i].Groups = map[int][]string{}
		}
	}
	if st.LastSeq == nil {
		st.LastSeq = map[int64]int64{}
	}
	return nil
}
