package kvraft

import (
	"errors"
	"sync"
	"sync/atomic"

	"faultline/system/raft"
	"faultline/system/rsm"
)

// KVServer is one replica of the key/value service. Its RPC methods (service
// "KVServer") are Get, PutAppend, CAS and Status. It runs on system/rsm: the RSM
// orders operations through Raft and applies them to the Machine.
type KVServer struct {
	rsm *rsm.RSM

	mu sync.Mutex
	m  *Machine // the state machine; guarded by mu

	// readMode is a ReadMode; see SetReadMode.
	readMode atomic.Uint32
}

// StartKVServer starts a key/value replica whose Raft peer is servers[me].
// It recovers from the snapshot and Raft state in persister. maxraftstate is
// the Raft state size in bytes at which the server snapshots; -1 (or any
// value <= 0) never snapshots.
//
// The caller registers the returned server (service "KVServer") and its
// Raft() peer (service "Raft") with its transport server.
func StartKVServer(servers []raft.Peer, me int, persister raft.Persister, maxraftstate int) *KVServer {
	kv := &KVServer{m: NewMachine()}
	kv.rsm = rsm.New(servers, me, persister, (*machine)(kv), rsm.Config{MaxRaftState: maxraftstate})
	return kv
}

// Raft returns the server's Raft peer.
func (kv *KVServer) Raft() *raft.Raft { return kv.rsm.Raft() }

// Kill stops the server and its Raft peer. Pending requests answer
// ErrShutdown. Kill is idempotent and returns once the server's goroutines
// have exited.
func (kv *KVServer) Kill() { kv.rsm.Kill() }

// Killed reports whether Kill was called.
func (kv *KVServer) Killed() bool { return kv.rsm.Killed() }

// ReadMode says how a KVServer serves Gets.
type ReadMode uint32

// Read modes.
const (
	// ReadLinearizable serves a Get on the leader after a ReadIndex round
	// (or through the log): linearizable. The default.
	ReadLinearizable ReadMode = iota
	// ReadLocalUnsafe serves a Get from whatever this server has applied,
	// on any server, leader or not, without confirming anything. It is
	// deliberately wrong (stale reads) and exists so that the harness can
	// prove its checkers catch a real bug.
	ReadLocalUnsafe
)

// SetReadMode switches how this server serves Gets.
func (kv *KVServer) SetReadMode(m ReadMode) { kv.readMode.Store(uint32(m)) }

// Get is the RPC handler for reads.
//
// A Get does not write the log: the RSM's ReadBarrier confirms with a
// quorum that this server still leads and waits until it has applied up
// to the commit index the read began with; then the Get reads the
// machine. Before the leader has committed an entry of its term, the Get
// goes through the log instead.
func (kv *KVServer) Get(args *GetArgs, reply *GetReply) {
	if ReadMode(kv.readMode.Load()) != ReadLocalUnsafe {
		err := kv.rsm.ReadBarrier()
		if errors.Is(err, rsm.ErrNotReady) {
			r := kv.submit(Op{Kind: OpGet, Key: args.Key, ClientID: args.ClientID, Seq: args.Seq})
			reply.Value, reply.Err = r.value, r.err
			return
		}
		if err != nil {
			reply.Err = errOf(err)
			return
		}
	}
	kv.mu.Lock()
	reply.Value, reply.Err = kv.m.Read(args.Key)
	kv.mu.Unlock()
}

// PutAppend is the RPC handler for writes; args.Op is "Put" or "Append".
func (kv *KVServer) PutAppend(args *PutAppendArgs, reply *PutAppendReply) {
	kind := OpPut
	if args.Op == "Append" {
		kind = OpAppend
	}
	kv.mu.Lock()
	dup := kv.m.Duplicate(args.ClientID, args.Seq)
	kv.mu.Unlock()
	if dup {
		// Applied here means committed: answering is safe even on a
		// follower.
		reply.Err = OK
		return
	}
	reply.Err = kv.submit(Op{Kind: kind, Key: args.Key, Value: args.Value, ClientID: args.ClientID, Seq: args.Seq}).err
}

// CAS is the RPC handler for compare-and-set: the op goes through the log
// and the machine applies it atomically (Machine.Apply). A retried CAS
// already applied is answered with what the first found.
func (kv *KVServer) CAS(args *CASArgs, reply *CASReply) {
	kv.mu.Lock()
	dup := kv.m.Duplicate(args.ClientID, args.Seq)
	if dup {
		reply.Value, reply.Err = kv.m.CASOutcome(args.ClientID, args.Seq)
	}
	kv.mu.Unlock()
	if dup {
		return
	}
	r := kv.submit(Op{Kind: OpCAS, Key: args.Key, Value: args.To, From: args.From, Create: args.Create,
		ClientID: args.ClientID, Seq: args.Seq})
	reply.Value, reply.Err = r.value, r.err
}

// Status is the RPC handler that reports the server's Raft term, whether it
// believes it is leader, and its applied index.
func (kv *KVServer) Status(_ *StatusArgs, reply *StatusReply) {
	reply.Term, reply.IsLeader = kv.rsm.Raft().GetState()
	reply.Applied = kv.rsm.Applied()
}

// submit runs op through the log and returns the machine's answer to it.
func (kv *KVServer) submit(op Op) result {
	v, err := kv.rsm.Submit(op)
	if err != nil {
		return result{err: errOf(err)}
	}
	return v.(result)
}

// errOf maps an RSM error onto the reply codes.
func errOf(err error) Err {
	switch {
	case errors.Is(err, rsm.ErrShutdown):
		return ErrShutdown
	case errors.Is(err, rsm.ErrWrongLeader):
		return ErrWrongLeader
	default:
		return ErrTimeout
	}
}

// result is the machine's answer to one op.
type result struct {
	value string
	err   Err
}

// machine adapts the server's Machine to rsm.StateMachine.
type machine KVServer

// Apply implements rsm.StateMachine.
func (m *machine) Apply(index int, cmd any) (any, error) {
	op, err := rsm.Command[Op](cmd)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	v, e := m.m.Apply(index, op)
	m.mu.Unlock()
	return result{value: v, err: e}, nil
}

// Snapshot implements rsm.StateMachine.
func (m *machine) Snapshot() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.m.Snapshot()
}

// Restore implements rsm.StateMachine.
func (m *machine) Restore(snapshot []byte) error {
	fresh := NewMachine()
	if err := fresh.Restore(snapshot); err != nil {
		return err
	}
	m.mu.Lock()
	m.m = fresh
	m.mu.Unlock()
	return nil
}
