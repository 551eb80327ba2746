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

// StateMachine is the service's deterministic state. The RSM calls Apply
// and Restore from the Raft peer's event loop, in log order, and Snapshot
// from its snapshot goroutine, never two at once; the service does its own
// locking for the state its RPC handlers also read.
type StateMachine interface {
	// Apply applies one committed command and returns its result. It must
	// be deterministic: the same commands in the same order give the same
	// state and results on every replica. It runs on Raft's loop, so it
	// must be quick and must not call into the RSM or Raft. An error says
	// the command cannot be applied at all (not a refusal the client
	// should hear, which is a result): the replica stops with it rather
	// than skip an entry every other replica applies.
	Apply(index int, cmd any) (any, error)
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

// Errors of Submit and ReadBarrier.
var (
	// ErrWrongLeader: this replica is not the leader, or lost leadership
	// before the command committed. The command may still commit later.
	ErrWrongLeader = errors.New("rsm: not the leader")
	// ErrTimeout: the command did not apply in time. It may still commit.
	ErrTimeout = errors.New("rsm: timed out waiting for the command to apply")
	// ErrShutdown: the replica was killed, or stopped because a committed
	// entry could not be applied (Err says which).
	ErrShutdown = errors.New("rsm: replica shut down")
	// ErrNotReady: the leader has not yet committed an entry of its term,
	// so ReadBarrier cannot serve; read through the log with Submit.
	ErrNotReady = errors.New("rsm: leader not ready for reads")
)

// DefaultApplyTimeout is how long Submit and ReadBarrier wait by default.
const DefaultApplyTimeout = 800 * time.Millisecond

// Config tunes an RSM. Zero fields take defaults.
type Config struct {
	// MaxRaftState is the Raft state size in bytes at which the RSM
	// snapshots; <= 0 never snapshots.
	MaxRaftState int
	// ApplyTimeout bounds how long Submit and ReadBarrier wait (default
	// DefaultApplyTimeout).
	ApplyTimeout time.Duration
}

// RSM is one replica of a replicated state machine. It is the Raft peer's
// raft.Service: the peer's loop applies committed entries through it and
// reports leadership changes to it.
type RSM struct {
	cfg       Config
	sm        StateMachine
	rf        *raft.Raft    // set once ready is closed
	ready     chan struct{} // closed once rf is set
	persister raft.Persister
	reads     readBatcher

	dead  atomic.Bool
	done  chan struct{}  // closed by Kill
	snapc chan struct{}  // capacity 1: "a snapshot is due"
	wg    sync.WaitGroup // the snapshot goroutine

	mu      sync.Mutex
	applied int // index of the last applied entry or snapshot; guarded by mu
	// failed is set once a committed entry could not be applied (Apply
	// returned its error and Raft stops the replica); guarded by mu. A
	// Submit that registers its waiter after that fails at once.
	failed    bool
	snapIndex int // index of the last snapshot taken or installed; guarded by mu
	term      int // the last term Raft reported; guarded by mu
	leader    bool
	waiters   map[int]*waiter // by log index; guarded by mu
	readers   []reader        // guarded by mu
	// recent holds the results of the last applied entries, at index
	// modulo its length, for a Submit whose entry applied before it
	// registered its waiter; guarded by mu.
	recent [256]result
}

// result is the outcome of the applied entry at index, of term.
type result struct {
	index, term int
	value       any
}

// recentOutcome is what a Submit that started the entry at index in term
// gets once that index is applied. Caller holds mu.
func (r *RSM) recentOutcome(index, term int) outcome {
	rs := r.recent[index%len(r.recent)]
	switch {
	case rs.index != index:
		return outcome{err: ErrTimeout} // too long ago: the caller retries
	case rs.term != term:
		return outcome{err: ErrWrongLeader}
	}
	return outcome{value: rs.value}
}

var _ raft.Service = (*RSM)(nil)

// waiter is a Submit waiting for the entry it started at some index.
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
// with its transport server. A replica whose persisted state does not load
// starts stopped: Err says why and Stopped's channel is closed.
func New(servers []raft.Peer, me int, persister raft.Persister, sm StateMachine, cfg Config) *RSM {
	if cfg.ApplyTimeout <= 0 {
		cfg.ApplyTimeout = DefaultApplyTimeout
	}
	r := &RSM{
		cfg:       cfg,
		sm:        sm,
		persister: persister,
		ready:     make(chan struct{}),
		done:      make(chan struct{}),
		snapc:     make(chan struct{}, 1),
		waiters:   map[int]*waiter{},
	}
	rf, err := r.start(servers, me)
	if err != nil {
		// The replica cannot start from what it persisted; it stops with
		// the reason, the same on every restart, and never crashes.
		rf = raft.Halted(me, persister, err)
	}
	r.rf = rf
	r.reads.readIndex = rf.ReadIndex
	r.reads.timeout = cfg.ApplyTimeout
	close(r.ready)
	r.wg.Add(1)
	go r.snapshotter()
	return r
}

// start restores the state machine from the persisted snapshot and starts
// the Raft peer.
func (r *RSM) start(servers []raft.Peer, me int) (*raft.Raft, error) {
	if snap := r.persister.ReadSnapshot(); len(snap) > 0 {
		idx, err := restore(r.sm, snap)
		if err != nil {
			return nil, fmt.Errorf("rsm: replica %d: own snapshot: %w", me, err)
		}
		r.applied, r.snapIndex = idx, idx
	}
	rf, err := raft.New(servers, me, r.persister, r, raft.DefaultConfig())
	if err != nil {
		return nil, fmt.Errorf("rsm: replica %d: %w", me, err)
	}
	return rf, nil
}

// Raft returns the replica's Raft peer.
func (r *RSM) Raft() *raft.Raft { return r.rf }

// Err returns the error that stopped the replica on its own, such as a
// *raft.ApplyError naming the entry its state machine could not apply;
// nil while it runs and after Kill. Stopped's channel is closed then.
func (r *RSM) Err() error { return r.rf.Err() }

// Stopped returns a channel closed once the replica's Raft peer has
// stopped, by Kill or on its own (Err).
func (r *RSM) Stopped() <-chan struct{} { return r.rf.Stopped() }

// Killed reports whether Kill was called.
func (r *RSM) Killed() bool { return r.dead.Load() }

// Applied returns the index of the last entry applied (or covered by the
// snapshot last installed).
func (r *RSM) Applied() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.applied
}

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
// applied, returning Apply's result for it. Any other outcome is an error:
// ErrWrongLeader when this replica does not lead or loses leadership
// before the entry commits, ErrTimeout, ErrShutdown.
func (r *RSM) Submit(cmd any) (any, error) {
	if r.dead.Load() {
		return nil, ErrShutdown
	}
	// Start is called without mu: the loop takes mu to apply, and must
	// never wait for a handler that Start's encoding keeps busy.
	index, term, isLeader := r.rf.Start(cmd)
	if !isLeader {
		return nil, ErrWrongLeader
	}
	w := &waiter{term: term, ch: make(chan outcome, 1)}
	r.mu.Lock()
	if r.applied >= index {
		// Applied before we could register: take the result from the
		// recent ones.
		o := r.recentOutcome(index, term)
		r.mu.Unlock()
		return o.value, o.err
	}
	if r.failed {
		// The entries up to ours could not be applied: the replica is
		// stopping, and nothing will answer this waiter.
		r.mu.Unlock()
		return nil, ErrShutdown
	}
	if term < r.term || (term == r.term && !r.leader) {
		// A leadership change was reported since Start.
		r.mu.Unlock()
		return nil, ErrWrongLeader
	}
	if old := r.waiters[index]; old != nil {
		// A waiter of an older term at this index can never be answered
		// with its own entry.
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
	case o := <-w.ch: // answered while we gave up
		return o.value, o.err
	default:
	}
	if r.dead.Load() {
		return nil, ErrShutdown
	}
	return nil, ErrTimeout
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
