package shardctrler

import (
	"errors"
	"fmt"
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
	sc.rsm = rsm.New(servers, me, persister, (*machine)(sc), rsm.Config{})
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

// machine adapts the controller's State to rsm.StateMachine.
type machine ShardCtrler

// Apply implements rsm.StateMachine.
func (m *machine) Apply(_ int, cmd any) any {
	op, ok := cmd.(Op)
	if !ok {
		return result{Err: ErrInvalid}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.st.Apply(op)
}

// Snapshot implements rsm.StateMachine.
func (m *machine) Snapshot() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, err := wire.Marshal(m.st)
	if err != nil {
		panic(fmt.Sprintf("shardctrler: encode state: %v", err))
	}
	return b
}

// Restore implements rsm.StateMachine.
func (m *machine) Restore(snapshot []byte) error {
	st := &State{}
	if err := wire.Unmarshal(snapshot, st); err != nil {
		return fmt.Errorf("shardctrler state: %w", err)
	}
	if len(st.Configs) == 0 {
		return errors.New("shardctrler state: no configs")
	}
	for i := range st.Configs {
		if st.Configs[i].Groups == nil {
			st.Configs[i].Groups = map[int][]string{}
		}
	}
	if st.LastSeq == nil {
		st.LastSeq = map[int64]int64{}
	}
	m.mu.Lock()
	m.st = st
	m.mu.Unlock()
	return nil
}
