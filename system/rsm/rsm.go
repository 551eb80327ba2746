package rsm

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"faultline/system/raft"
	"faultline/transport/wire"
)

// StateMachine is the service's deterministic state. The RSM calls its
// methods from one goroutine, in log order; the service does its own
// locking for the state it also reads from RPC handlers.
type StateMachine interface {
	// Apply applies one committed command and returns its result. It must
	// be deterministic: the same commands in the same order give the same
	// state and results on every replica.
	Apply(index int, cmd any) any
	// Snapshot encodes the whole state, including everything applied up to
	// the last Apply.
	Snapshot() []byte
	// Restore replaces the state with a snapshot made by Snapshot.
	Restore(snapshot []byte) error
}

// noop is the entry a new leader proposes to commit its predecessors'
// entries; it never reaches the state machine.
type noop struct{}

func init() { wire.Register(noop{}) }

// Errors of Submit.
var (
	// ErrWrongLeader: this replica is not the leader, or lost leadership
	// before the command committed. The command may still commit later.
	ErrWrongLeader = errors.New("rsm: not the leader")
	// ErrTimeout: the command did not apply in time. It may still commit.
	ErrTimeout = errors.New("rsm: timed out waiting for the command to apply")
	// ErrShutdown: the replica was killed.
	ErrShutdown = errors.New("rsm: replica shut down")
)

// Config tunes an RSM. Zero fields take defaults.
type Config struct {
	// MaxRaftState is the Raft state size in bytes at which the RSM
	// snapshots; <= 0 never snapshots.
	MaxRaftState int
	// ApplyTimeout bounds how long Submit waits (default 800ms).
	ApplyTimeout time.Duration
	// LeaderCheck is how often waiting Submits are failed fast after a
	// change of term or leadership (default 40ms).
	LeaderCheck time.Duration
}

// RSM is one replica of a replicated state machine.
type RSM struct {
	cfg       Config
	sm        StateMachine
	rf        *raft.Raft
	persister raft.Persister
	applyCh   chan raft.ApplyMsg

	dead atomic.Bool
	done chan struct{}
	wg   sync.WaitGroup

	mu        sync.Mutex
	applied   int // index of the last applied entry or snapshot; guarded by mu
	snapIndex int // index of the last snapshot taken or installed; guarded by mu
	waiters   map[int]*waiter
}

type waiter struct {
	term int
	ch   chan outcome // buffered 1; receives exactly one outcome
}

type outcome struct {
	value any
	err   error
}

// New starts a replica whose Raft peer is servers[me], recovering sm from
// the snapshot in persister. The caller registers Raft() (service "Raft")
// with its transport server.
func New(servers []raft.Peer, me int, persister raft.Persister, sm StateMachine, cfg Config) *RSM {
	if cfg.ApplyTimeout <= 0 {
		cfg.ApplyTimeout = 800 * time.Millisecond
	}
	if cfg.LeaderCheck <= 0 {
		cfg.LeaderCheck = 40 * time.Millisecond
	}
	r := &RSM{
		cfg:       cfg,
		sm:        sm,
		persister: persister,
		applyCh:   make(chan raft.ApplyMsg, 256),
		done:      make(chan struct{}),
		waiters:   map[int]*waiter{},
	}
	if snap := persister.ReadSnapshot(); len(snap) > 0 {
		idx, err := restore(sm, snap)
		if err != nil {
			panic(fmt.Sprintf("rsm: own snapshot does not decode: %v", err))
		}
		r.applied, r.snapIndex = idx, idx
	}
	r.rf = raft.Make(servers, me, persister, r.applyCh)
	r.wg.Add(2)
	go r.applier()
	go r.monitor()
	return r
}

// Raft returns the replica's Raft peer.
func (r *RSM) Raft() *raft.Raft { return r.rf }

// Killed reports whether Kill was called.
func (r *RSM) Killed() bool { return r.dead.Load() }

// Kill stops the replica and its Raft peer and fails pending Submits with
// ErrShutdown. It returns once the replica's goroutines have exited.
func (r *RSM) Kill() {
	if r.dead.Swap(true) {
		r.wg.Wait()
		return
	}
	r.rf.Kill()
	close(r.done)
	r.wg.Wait()
	r.mu.Lock()
	r.failWaiters(func(int, *waiter) bool { return true }, ErrShutdown)
	r.mu.Unlock()
}

// Submit proposes cmd and waits until the entry Raft placed it in is
// applied, returning Apply's result for it.
func (r *RSM) Submit(cmd any) (any, error) {
	if r.dead.Load() {
		return nil, ErrShutdown
	}
	index, term, isLeader := r.rf.Start(cmd)
	if !isLeader {
		return nil, ErrWrongLeader
	}
	w := &waiter{term: term, ch: make(chan outcome, 1)}
	r.mu.Lock()
	if r.applied >= index {
		// Applied before we registered: its result is gone. Callers
		// retry; their commands are idempotent by sequence number.
		r.mu.Unlock()
		return nil, ErrTimeout
	}
	if old := r.waiters[index]; old != nil {
		old.ch <- outcome{err: ErrWrongLeader}
	}
	r.waiters[index] = w
	r.mu.Unlock()

	timer := time.NewTimer(r.cfg.ApplyTimeout)
	defer timer.Stop()
	select {
	case o := <-w.ch:
		return o.value, o.err
	case <-timer.C:
	case <-r.done:
	}
	r.mu.Lock()
	if r.waiters[index] == w {
		delete(r.waiters, index)
	}
	r.mu.Unlock()
	select {
	case o := <-w.ch:
		return o.value, o.err
	default:
	}
	if r.dead.Load() {
		return nil, ErrShutdown
	}
	return nil, ErrTimeout
}

func (r *RSM) applier() {
	defer r.wg.Done()
	for {
		select {
		case <-r.done:
			return
		case msg := <-r.applyCh:
			r.apply(msg)
			for more := true; more; {
				select {
				case msg = <-r.applyCh:
					r.apply(msg)
				default:
					more = false
				}
			}
			r.maybeSnapshot()
		}
	}
}

func (r *RSM) apply(msg raft.ApplyMsg) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case msg.SnapshotValid:
		if msg.SnapshotIndex <= r.applied {
			return
		}
		if _, err := restore(r.sm, msg.Snapshot); err != nil {
			panic(fmt.Sprintf("rsm: installed snapshot does not decode: %v", err))
		}
		r.applied = msg.SnapshotIndex
		r.snapIndex = max(r.snapIndex, msg.SnapshotIndex)
		r.failWaiters(func(i int, _ *waiter) bool { return i <= msg.SnapshotIndex }, ErrWrongLeader)
	case msg.CommandValid:
		if msg.CommandIndex <= r.applied {
			return
		}
		var v any
		if _, ok := msg.Command.(noop); !ok {
			v = r.sm.Apply(msg.CommandIndex, msg.Command)
		}
		r.applied = msg.CommandIndex
		if w := r.waiters[msg.CommandIndex]; w != nil {
			delete(r.waiters, msg.CommandIndex)
			if w.term == msg.CommandTerm {
				w.ch <- outcome{value: v}
			} else {
				w.ch <- outcome{err: ErrWrongLeader}
			}
		}
	}
}

// failWaiters answers err to every waiter pick selects. Caller holds mu.
func (r *RSM) failWaiters(pick func(int, *waiter) bool, err error) {
	for i, w := range r.waiters {
		if pick(i, w) {
			delete(r.waiters, i)
			w.ch <- outcome{err: err}
		}
	}
}

func (r *RSM) maybeSnapshot() {
	if r.cfg.MaxRaftState <= 0 || r.persister.RaftStateSize() < r.cfg.MaxRaftState {
		return
	}
	r.mu.Lock()
	index := r.applied
	if index <= r.snapIndex {
		r.mu.Unlock()
		return
	}
	snap := encodeSnapshot(index, r.sm.Snapshot())
	r.snapIndex = index
	r.mu.Unlock()
	r.rf.Snapshot(index, snap)
}

// monitor fails waiting Submits as soon as Raft reports a new term or lost
// leadership: their entries may never commit. It also has every new leader
// propose a no-op, so that entries of earlier terms commit.
func (r *RSM) monitor() {
	defer r.wg.Done()
	t := time.NewTicker(r.cfg.LeaderCheck)
	defer t.Stop()
	noopTerm := -1
	for {
		select {
		case <-r.done:
			return
		case <-t.C:
		}
		term, isLeader := r.rf.GetState()
		if isLeader && term != noopTerm {
			// A new leader commits entries of earlier terms only once an
			// entry of its own term commits (Raft §5.4.2). After a restart
			// the log tail may hold the very entries that decide whether
			// this group serves a request; without an entry of its own
			// the leader might never commit them.
			r.rf.Start(noop{})
			noopTerm = term
		}
		r.mu.Lock()
		if len(r.waiters) > 0 {
			r.failWaiters(func(_ int, w *waiter) bool { return !isLeader || w.term != term }, ErrWrongLeader)
		}
		r.mu.Unlock()
	}
}
