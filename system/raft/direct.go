package raft

// The peer's lock (Raft.mu) guards the core, the storage and every field
// the loop owns. Whoever holds it steps events and then runs process,
// which persists, sends and applies what they lead to. The loop goroutine
// takes it for the events it waits on; a request handler, an RPC's
// response and a finished background sync take it themselves when it is
// free (direct), sparing two goroutine hand-offs per append on a follower
// (handler to loop and back) and one per response on the leader, and hand
// their event to the loop through its channel only when someone else
// holds it, so that the holder's batch (drain) or the loop's next one
// takes it. Proposals are the exception: Start never takes the lock, so
// a service is never applied to on the goroutine that proposes.

// lockLive takes the peer's lock and reports whether the peer still runs;
// when it does not, it releases the lock again.
func (rf *Raft) lockLive() bool {
	rf.mu.Lock()
	if rf.killed() {
		rf.mu.Unlock()
		return false
	}
	return true
}

// direct steps an event on the calling goroutine if the peer's lock is
// free: it takes the lock, runs step and then process, and reports true.
// It reports false, having done nothing, when another goroutine holds the
// lock; the caller then hands the event to the loop. An error from step
// or process stops the peer.
func (rf *Raft) direct(step func() error) bool {
	if !rf.mu.TryLock() {
		return false
	}
	defer rf.mu.Unlock()
	if rf.killed() {
		return true
	}
	err := step()
	if err == nil {
		err = rf.process(false)
	}
	if err != nil {
		rf.fail(err)
	}
	return true
}

// process does the work the events stepped so far lead to: it takes the
// events already waiting (drain), appends the pending proposals when a
// follower can take them (or on a tick, force), starts read rounds,
// persists, sends and applies what the core asks for, and publishes the
// core's term and leadership. It then tells Start, through propsOpen,
// whether proposals would leave at once, and goes round again while they
// would and some are waiting. rf.mu is held.
func (rf *Raft) process(force bool) error {
	for {
		rf.releaseHeld()
		rf.drain()
		rf.flushProposals(force)
		rf.flushReads()
		if rf.core.hasReady() {
			if err := rf.handleReady(); err != nil {
				return err
			}
		}
		for _, s := range rf.snapWaits {
			close(s.done)
		}
		clear(rf.snapWaits)
		rf.snapWaits = rf.snapWaits[:0]
		rf.publish()
		// Start reads propsOpen after it queues a proposal, and this
		// reads the queue after storing it: either Start wakes the loop
		// or this round takes the proposal.
		open := rf.core.role != roleLeader || rf.core.sendsAppendNow()
		rf.propsOpen.Store(open)
		if !open || !rf.props.waiting() {
			return nil
		}
		force = false
	}
}

// waiting reports whether proposals are queued.
func (p *proposals) waiting() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.pending) > 0
}
