package rsm

import (
	"fmt"

	"faultline/system/raft"
)

// Apply implements raft.Service: it applies committed entries and installed
// snapshots in log order, answers the Submit waiting for each entry, wakes
// reads whose index is reached, and asks for a snapshot when Raft's state
// has grown past MaxRaftState. It runs on Raft's loop. An entry the state
// machine cannot apply (or a snapshot that does not restore) stops there:
// every waiting Submit fails with ErrShutdown and the *raft.ApplyError
// naming the index goes back to Raft, which stops the replica (Err).
func (r *RSM) Apply(msgs []raft.ApplyMsg) error {
	r.mu.Lock()
	var err error
	for i := range msgs {
		if err = r.apply(&msgs[i]); err != nil {
			r.failed = true
			r.failWaiters(func(int, *waiter) bool { return true }, ErrShutdown)
			break
		}
	}
	if len(r.readers) > 0 {
		r.wakeReaders()
	}
	due := r.cfg.MaxRaftState > 0 && r.applied > r.snapIndex
	r.mu.Unlock()
	if err == nil && due && r.persister.RaftStateSize() >= r.cfg.MaxRaftState {
		select {
		case r.snapc <- struct{}{}:
		default:
		}
	}
	return err
}

// apply applies one message. Caller holds mu.
func (r *RSM) apply(msg *raft.ApplyMsg) error {
	switch {
	case msg.SnapshotValid:
		if msg.SnapshotIndex <= r.applied {
			return nil
		}
		if _, err := restore(r.sm, msg.Snapshot); err != nil {
			return &raft.ApplyError{Index: msg.SnapshotIndex, Err: fmt.Errorf("rsm: installed snapshot: %w", err)}
		}
		r.applied = msg.SnapshotIndex
		r.snapIndex = max(r.snapIndex, msg.SnapshotIndex)
		// Entries up to the snapshot were applied elsewhere; their
		// waiters cannot learn their results here.
		r.failWaiters(func(i int, _ *waiter) bool { return i <= msg.SnapshotIndex }, ErrWrongLeader)
	case msg.CommandValid:
		if msg.CommandIndex <= r.applied {
			return nil
		}
		var v any
		if _, ok := msg.Command.(noop); !ok {
			var err error
			if v, err = r.sm.Apply(msg.CommandIndex, msg.Command); err != nil {
				return &raft.ApplyError{Index: msg.CommandIndex, Err: fmt.Errorf("rsm: state machine: %w", err)}
			}
		}
		r.applied = msg.CommandIndex
		r.recent[msg.CommandIndex%len(r.recent)] = result{index: msg.CommandIndex, term: msg.CommandTerm, value: v}
		if w := r.waiters[msg.CommandIndex]; w != nil {
			delete(r.waiters, msg.CommandIndex)
			// Same index and term: the very entry the waiter started
			// (Raft's log matching property).
			if w.term == msg.CommandTerm {
				w.ch <- outcome{value: v}
			} else {
				w.ch <- outcome{err: ErrWrongLeader}
			}
		}
	}
	return nil
}

// Lead implements raft.Service: Raft's leadership event. Waiting Submits
// of another term, or of a term this replica no longer leads, fail at once
// (their entries may never commit; the client does better elsewhere). A
// new leader proposes a no-op: it commits entries of earlier terms only
// once an entry of its own term commits (Raft §5.4.2), and after a restart
// the log tail may hold the very entries that decide whether a request is
// served.
func (r *RSM) Lead(term int, isLeader bool) {
	r.mu.Lock()
	r.term, r.leader = term, isLeader
	if len(r.waiters) > 0 {
		r.failWaiters(func(_ int, w *waiter) bool { return !isLeader || w.term != term }, ErrWrongLeader)
	}
	r.mu.Unlock()
	if isLeader {
		<-r.ready
		r.rf.Start(noop{})
	}
}

// snapshotter takes the snapshots Apply asks for, off Raft's loop, until
// Kill.
func (r *RSM) snapshotter() {
	defer r.wg.Done()
	for {
		select {
		case <-r.done:
			return
		case <-r.snapc:
		}
		r.mu.Lock()
		index := r.applied
		if index <= r.snapIndex {
			r.mu.Unlock()
			continue
		}
		snap := encodeSnapshot(index, r.sm.Snapshot())
		r.snapIndex = index
		r.mu.Unlock()
		r.rf.Snapshot(index, snap)
	}
}
