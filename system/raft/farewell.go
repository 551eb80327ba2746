package raft

import (
	"errors"
	"sync"
)

// A leader that stops on a committed entry it cannot apply must still tell
// its followers that the entry is committed: they apply up to it and stop
// on it too, which is the whole point of stopping rather than skipping.
// The commit broadcast it made when the entry committed is not enough:
// those calls are still starting when the stop would cancel them (the
// leader applies right after sending), and a follower with appends in
// flight is not told the commit index until they are answered, which a
// stopped leader no longer steps. So the stop sends a farewell, and only
// once it is answered (or times out) abandons the peer's calls.

// farewell sends every follower of a leader that stops with err, an
// *ApplyError, an append that carries the log up to the commit index and
// the commit index, and cancels rf.ctx (the calls in flight) once they
// have returned or Kill is called. It reports false, having sent nothing,
// when the peer does not lead or err is another failure; the caller then
// cancels at once. rf.mu is held and rf.done is closed.
func (rf *Raft) farewell(err error) bool {
	var ae *ApplyError
	if rf.core == nil || !errors.As(err, &ae) {
		return false
	}
	msgs := rf.core.farewell()
	if len(msgs) == 0 {
		return false
	}
	var wg sync.WaitGroup
	wg.Add(len(msgs))
	rf.calls.Add(len(msgs) + 1)
	for _, m := range msgs {
		go func() {
			defer rf.calls.Done()
			defer wg.Done()
			rf.call(m)
		}()
	}
	go func() {
		defer rf.calls.Done()
		wg.Wait()
		rf.cancel()
	}()
	return true
}

// farewell returns, for a leader, an append to each follower anchored at
// the index it is known to match, carrying the entries after it up to the
// commit index and the commit index itself: whatever the follower has
// missed, it can commit everything the leader has. A follower whose match
// is compacted away gets nothing (it needs a snapshot). Unlike
// everything else the core sends, these are not queued: the driver sends
// them as the peer stops, in or out of a ready.
func (r *core) farewell() []message {
	if r.role != roleLeader {
		return nil
	}
	var out []message
	for p := range r.n {
		if p == r.id {
			continue
		}
		prev := r.prs[p].match
		prevTerm, ok := r.log.term(prev)
		if !ok {
			continue
		}
		var ents []Entry
		if prev < r.log.committed {
			ents = r.log.slice(prev+1, r.log.committed+1, r.cfg.MaxBytesPerMsg)
		}
		out = append(out, message{Type: msgApp, From: r.id, To: p, Term: r.term, Index: prev, LogTerm: prevTerm, Entries: ents, Commit: r.log.committed, Context: r.reads.seq})
	}
	return out
}
