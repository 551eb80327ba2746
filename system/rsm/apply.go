package rsm

import (
	"fmt"

	"faultline/system/raft"
)

// Apply implements raft.Service: it applies committed entries and installed
// snapshots in log order, answers the Submit waiting for each entry, wakes
// reads whose index is reached, and asks for a snapshot when Raft's state
// has grown past MaxRaftState. It runs on Raft's loop.
func (r *RSM) Apply(msgs []raft.ApplyMsg) {
	r.mu.Lock()
	for i := range msgs {
		r.apply(&msgs[i])
	}
	if len(r.readers) > 0 {
		r.wakeReaders()
	}
	due := r.cfg.MaxRaftState > 0 && r.applied > r.snapIndex
	r.mu.Unlock()
	if due && r.persister.RaftStateSize() >= r.cfg.MaxRaftState {
		select {
		case r.snapc <- struct{}{}:
		default:
		}
	}
}

// apply applies one message. Caller holds mu.
func (r *RSM) apply(msg *raft.ApplyMsg) {
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
		// Entries up to the snapshot were applied elsewhere; their
		// waiters cannot learn their results here.
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
