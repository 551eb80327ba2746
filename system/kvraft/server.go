package kvraft

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"faultline/system/raft"
)

// applyTimeout bounds how long an RPC handler waits for its entry to be
// applied before answering ErrTimeout (the client then retries, possibly
// elsewhere; retries are deduplicated).
const applyTimeout = 800 * time.Millisecond

// leaderCheckInterval is how often the server asks Raft whether it is still
// leader in the same term, to fail waiting requests fast after a leader
// change.
const leaderCheckInterval = 40 * time.Millisecond

// KVServer is one replica of the key/value service. Its RPC methods (service
// "KVServer") are Get, PutAppend and Status.
type KVServer struct {
	me           int
	rf           *raft.Raft
	persister    raft.Persister
	maxraftstate int
	applyCh      chan raft.ApplyMsg

	dead atomic.Bool
	done chan struct{}  // closed by Kill
	wg   sync.WaitGroup // the apply and monitor goroutines

	mu sync.Mutex
	// m is the state machine; guarded by mu.
	m *Machine
	// waiters maps a log index to the request waiting for it; guarded by mu.
	waiters map[int]*waiter
	// reads coalesces concurrent Gets into shared ReadIndex rounds.
	reads readBatcher
	// readMode is a ReadMode; see SetReadMode.
	readMode atomic.Uint32
	// readers are Gets waiting for the machine to reach their read index;
	// guarded by mu.
	readers []reader
	// snapIndex is the index of the last snapshot handed to Raft.
	snapIndex int
}

// reader is a Get waiting until the machine has applied index.
type reader struct {
	index int
	ch    chan struct{} // closed once applied >= index
}

// waiter is an RPC handler waiting for the entry it started at some index.
type waiter struct {
	term     int
	clientID int64
	seq      int64
	ch       chan result // buffered 1; receives exactly one result
}

type result struct {
	value string
	err   Err
}

// StartKVServer starts a key/value replica whose Raft peer is servers[me].
// It recovers from the snapshot and Raft state in persister. maxraftstate is
// the Raft state size in bytes at which the server snapshots; -1 (or any
// value <= 0) never snapshots.
//
// The caller registers the returned server (service "KVServer") and its
// Raft() peer (service "Raft") with its transport server.
func StartKVServer(servers []raft.Peer, me int, persister raft.Persister, maxraftstate int) *KVServer {
	kv := &KVServer{
		me:           me,
		persister:    persister,
		maxraftstate: maxraftstate,
		applyCh:      make(chan raft.ApplyMsg, 256),
		done:         make(chan struct{}),
		m:            NewMachine(),
		waiters:      map[int]*waiter{},
	}
	if snap := persister.ReadSnapshot(); len(snap) > 0 {
		if err := kv.m.Restore(snap); err != nil {
			panic(err) // our own snapshot must decode
		}
		kv.snapIndex = kv.m.Applied()
	}
	kv.rf = raft.Make(servers, me, persister, kv.applyCh)
	kv.reads.readIndex = kv.rf.ReadIndex
	kv.wg.Add(2)
	go kv.applier()
	go kv.monitor()
	return kv
}

// Raft returns the server's Raft peer.
func (kv *KVServer) Raft() *raft.Raft { return kv.rf }

// Kill stops the server and its Raft peer. Pending requests answer
// ErrShutdown. Kill is idempotent and returns once the server's goroutines
// have exited.
func (kv *KVServer) Kill() {
	if kv.dead.Swap(true) {
		kv.wg.Wait()
		return
	}
	kv.rf.Kill()
	close(kv.done)
	kv.wg.Wait()
	kv.mu.Lock()
	kv.failWaiters(func(int, *waiter) bool { return true }, ErrShutdown)
	kv.mu.Unlock()
}

// Killed reports whether Kill was called.
func (kv *KVServer) Killed() bool { return kv.dead.Load() }

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
// A Get does not write the log: the leader confirms with a quorum that it
// is still leader (Raft's ReadIndex), waits until it has applied up to the
// commit index it had when the read began, and reads its machine. Before
// the leader has committed an entry of its term, the Get goes through the
// log instead.
func (kv *KVServer) Get(args *GetArgs, reply *GetReply) {
	if ReadMode(kv.readMode.Load()) == ReadLocalUnsafe {
		kv.mu.Lock()
		reply.Value, reply.Err = kv.m.Read(args.Key)
		kv.mu.Unlock()
		return
	}
	r := kv.read(Op{Kind: OpGet, Key: args.Key, ClientID: args.ClientID, Seq: args.Seq})
	reply.Value, reply.Err = r.value, r.err
}

// read serves a Get through ReadIndex, falling back to the log.
func (kv *KVServer) read(op Op) result {
	if kv.dead.Load() {
		return result{err: ErrShutdown}
	}
	ctx, cancel := context.WithTimeout(context.Background(), applyTimeout)
	defer cancel()
	index, err := kv.reads.wait(ctx)
	switch {
	case errors.Is(err, raft.ErrNotReady):
		return kv.submit(op)
	case errors.Is(err, raft.ErrNotLeader):
		return result{err: ErrWrongLeader}
	case err != nil:
		return result{err: ErrTimeout}
	}
	kv.mu.Lock()
	if kv.m.Applied() < index {
		ch := make(chan struct{})
		kv.readers = append(kv.readers, reader{index: index, ch: ch})
		kv.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return result{err: ErrTimeout} // the reader is dropped when woken
		case <-kv.done:
			return result{err: ErrShutdown}
		}
		kv.mu.Lock()
	}
	v, e := kv.m.Read(op.Key)
	kv.mu.Unlock()
	return result{value: v, err: e}
}

// wakeReaders releases the Gets whose read index has been applied. Caller
// holds mu.
func (kv *KVServer) wakeReaders() {
	applied := kv.m.Applied()
	keep := kv.readers[:0]
	for _, r := range kv.readers {
		if r.index <= applied {
			close(r.ch)
		} else {
			keep = append(keep, r)
		}
	}
	clear(kv.readers[len(keep):])
	kv.readers = keep
}

// PutAppend is the RPC handler for writes; args.Op is "Put" or "Append".
func (kv *KVServer) PutAppend(args *PutAppendArgs, reply *PutAppendReply) {
	kind := OpPut
	if args.Op == "Append" {
		kind = OpAppend
	}
	r := kv.submit(Op{Kind: kind, Key: args.Key, Value: args.Value, ClientID: args.ClientID, Seq: args.Seq})
	reply.Err = r.err
}

// Status is the RPC handler that reports the server's Raft term, whether it
// believes it is leader, and its applied index.
func (kv *KVServer) Status(_ *StatusArgs, reply *StatusReply) {
	reply.Term, reply.IsLeader = kv.rf.GetState()
	kv.mu.Lock()
	reply.Applied = kv.m.Applied()
	kv.mu.Unlock()
}

// submit starts op in Raft and waits for that entry to be applied.
func (kv *KVServer) submit(op Op) result {
	if kv.dead.Load() {
		return result{err: ErrShutdown}
	}
	if op.Kind != OpGet {
		kv.mu.Lock()
		dup := kv.m.Duplicate(op.ClientID, op.Seq)
		kv.mu.Unlock()
		if dup {
			// Applied here means committed: answering is safe even on a
			// follower.
			return result{err: OK}
		}
	}
	// Start is called without kv.mu, so that Raft delivering to applyCh
	// can never wait on a handler that waits on Raft.
	index, term, isLeader := kv.rf.Start(op)
	if !isLeader {
		return result{err: ErrWrongLeader}
	}
	w := &waiter{term: term, clientID: op.ClientID, seq: op.Seq, ch: make(chan result, 1)}
	kv.mu.Lock()
	if kv.m.Applied() >= index {
		// Applied before we could register: the result is gone. The
		// client retries; a retried write is deduplicated.
		kv.mu.Unlock()
		return result{err: ErrTimeout}
	}
	if old := kv.waiters[index]; old != nil {
		// A stale waiter from an older term at the same index can never
		// be answered with its own entry.
		old.ch <- result{err: ErrWrongLeader}
	}
	kv.waiters[index] = w
	kv.mu.Unlock()

	timer := time.NewTimer(applyTimeout)
	defer timer.Stop()
	select {
	case r := <-w.ch:
		return r
	case <-timer.C:
	case <-kv.done:
	}
	kv.mu.Lock()
	if kv.waiters[index] == w {
		delete(kv.waiters, index)
	}
	kv.mu.Unlock()
	select {
	case r := <-w.ch: // answered while we gave up
		return r
	default:
	}
	if kv.dead.Load() {
		return result{err: ErrShutdown}
	}
	return result{err: ErrTimeout}
}

// applier applies committed entries and installed snapshots in log order,
// answers waiting requests, and snapshots when the Raft state grows past
// maxraftstate.
func (kv *KVServer) applier() {
	defer kv.wg.Done()
	for {
		select {
		case <-kv.done:
			return
		case msg := <-kv.applyCh:
			kv.apply(msg)
			// Drain what is already queued before considering a
			// snapshot, so a burst costs one snapshot, not many.
			for more := true; more; {
				select {
				case msg = <-kv.applyCh:
					kv.apply(msg)
				default:
					more = false
				}
			}
			kv.mu.Lock()
			if len(kv.readers) > 0 {
				kv.wakeReaders()
			}
			kv.mu.Unlock()
			kv.maybeSnapshot()
		}
	}
}

func (kv *KVServer) apply(msg raft.ApplyMsg) {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	switch {
	case msg.SnapshotValid:
		if msg.SnapshotIndex <= kv.m.Applied() {
			return
		}
		if err := kv.m.Restore(msg.Snapshot); err != nil {
			panic(err) // a snapshot some replica of ours made must decode
		}
		kv.snapIndex = max(kv.snapIndex, msg.SnapshotIndex)
		// Entries up to the snapshot were applied elsewhere; their
		// waiters cannot learn their results here.
		kv.failWaiters(func(i int, _ *waiter) bool { return i <= msg.SnapshotIndex }, ErrWrongLeader)
	case msg.CommandValid:
		if msg.CommandIndex <= kv.m.Applied() {
			return
		}
		op, ok := msg.Command.(Op)
		if !ok {
			kv.m.Skip(msg.CommandIndex)
			kv.answer(msg.CommandIndex, msg.CommandTerm, nil, result{err: ErrWrongLeader})
			return
		}
		v, err := kv.m.Apply(msg.CommandIndex, op)
		kv.answer(msg.CommandIndex, msg.CommandTerm, &op, result{value: v, err: err})
	}
}

// answer wakes the waiter at index, if any: with r when the applied entry is
// the one it started (same term and operation), else with ErrWrongLeader.
// Caller holds mu.
func (kv *KVServer) answer(index, term int, op *Op, r result) {
	w := kv.waiters[index]
	if w == nil {
		return
	}
	delete(kv.waiters, index)
	if op == nil || w.term != term || w.clientID != op.ClientID || w.seq != op.Seq {
		r = result{err: ErrWrongLeader}
	}
	w.ch <- r
}

// failWaiters answers err to every waiter for which pick is true. Caller
// holds mu.
func (kv *KVServer) failWaiters(pick func(int, *waiter) bool, err Err) {
	for i, w := range kv.waiters {
		if pick(i, w) {
			delete(kv.waiters, i)
			w.ch <- result{err: err}
		}
	}
}

func (kv *KVServer) maybeSnapshot() {
	if kv.maxraftstate <= 0 || kv.persister.RaftStateSize() < kv.maxraftstate {
		return
	}
	kv.mu.Lock()
	index := kv.m.Applied()
	if index <= kv.snapIndex {
		kv.mu.Unlock()
		return
	}
	snap := kv.m.Snapshot()
	kv.snapIndex = index
	kv.mu.Unlock()
	kv.rf.Snapshot(index, snap)
}

// monitor fails waiting requests as soon as Raft reports a new term or lost
// leadership: their entries may never commit, and the client does better
// trying the new leader than waiting for the timeout.
func (kv *KVServer) monitor() {
	defer kv.wg.Done()
	t := time.NewTicker(leaderCheckInterval)
	defer t.Stop()
	for {
		select {
		case <-kv.done:
			return
		case <-t.C:
		}
		term, isLeader := kv.rf.GetState()
		kv.mu.Lock()
		if len(kv.waiters) > 0 {
			kv.failWaiters(func(_ int, w *waiter) bool { return !isLeader || w.term != term }, ErrWrongLeader)
		}
		kv.mu.Unlock()
	}
}
