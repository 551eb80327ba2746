package raft

// backgroundSyncer is a LogStore whose Sync may run on another goroutine
// while the loop goes on writing, and is slow enough (an fsync) to be
// worth overlapping with the loop's other work. system/storage's
// FilePersister is one.
type backgroundSyncer interface {
	SyncsInBackground() bool
}

// syncJob asks the syncer to make the log durable up to index; the
// syncer sends it back with Sync's error. gen is the loop's syncGen when
// the job was made: a result from an older generation says nothing about
// the log as it is now (a synchronous Sync has since covered it).
type syncJob struct {
	gen   uint64
	index int
	err   error
}

// Background sync (a leader writing its log in parallel with replicating
// it, §10.2.1 of the Raft thesis, without its loop waiting for the fsync).
// When the store syncs in background and the cluster has more than one
// peer, a leader's ready that only appends entries (ready.leaderEarly)
// sends its requests, writes its entries and hands the Sync to the syncer
// goroutine; the loop goes on stepping responses and proposals meanwhile.
// The leader's own entries must be durable before anything counts on
// them, so the loop holds back every acknowledgement of an index above
// durable (the last index known synced) until a sync covers it: a commit
// needs a follower's acknowledgement (quorums of more than one peer), so
// nothing commits, and nothing is applied or answered, beyond what the
// leader holds durably. Every other write (a hard state, a snapshot, a
// follower's entries, which it acknowledges) is synced in the loop, which
// covers every earlier write too.

// startSync asks the syncer to sync up to index, or records the wish when
// a sync is under way (syncDone sends it on).
func (rf *Raft) startSync(index int) {
	rf.syncWant = max(rf.syncWant, index)
	if rf.syncBusy {
		return
	}
	rf.syncBusy = true
	rf.syncReq <- syncJob{gen: rf.syncGen, index: rf.syncWant}
}

// syncer runs the background syncs, one at a time.
func (rf *Raft) syncer() {
	defer rf.wg.Done()
	for {
		select {
		case <-rf.done:
			return
		case j := <-rf.syncReq:
			j.err = rf.store.Sync()
			if rf.direct(func() error { return rf.syncDone(j) }) {
				continue
			}
			select {
			case rf.syncedc <- j:
			case <-rf.done:
				return
			}
		}
	}
}

// syncDone takes a background sync's result: the log is durable up to
// j.index (unless a synchronous Sync has overtaken it), so the
// acknowledgements held for it can be stepped. It starts the next sync
// if more was written meanwhile (or the result was stale).
func (rf *Raft) syncDone(j syncJob) error {
	rf.syncBusy = false
	if j.err != nil {
		return j.err
	}
	if j.gen == rf.syncGen {
		rf.durable = max(rf.durable, j.index)
	}
	if rf.syncWant > rf.durable {
		rf.startSync(rf.syncWant)
	}
	rf.releaseHeld()
	return nil
}

// synced records a synchronous Sync: everything written so far, up to the
// log's last index, is durable, and any background result still to come
// is stale.
func (rf *Raft) synced() {
	rf.durable = rf.core.log.lastIndex()
	rf.syncGen++
	rf.syncWant = 0
}

// holdAck reports whether m, a response from a peer, must wait for the
// leader's own log to be durable up to the index it acknowledges, and if
// so holds it.
func (rf *Raft) holdAck(m message) bool {
	switch m.Type {
	case msgAppResp, msgHeartbeatResp, msgSnapResp:
	default:
		return false
	}
	if m.Reject || m.Index <= rf.durable || rf.core.role != roleLeader {
		return false
	}
	rf.held = append(rf.held, m)
	return true
}

// releaseHeld steps the held acknowledgements that durable now covers (all
// of them once this peer no longer leads).
func (rf *Raft) releaseHeld() {
	if len(rf.held) == 0 {
		return
	}
	keep := rf.held[:0]
	for _, m := range rf.held {
		if m.Index <= rf.durable || rf.core.role != roleLeader {
			_ = rf.stepPeer(m)
		} else {
			keep = append(keep, m)
		}
	}
	clear(rf.held[len(keep):])
	rf.held = keep
}
