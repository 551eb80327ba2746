package raft

import (
	"fmt"
	"slices"
)

// heldApp is an append waiting for the entries before it.
type heldApp struct {
	m   message
	age int // ticks held
}

// Limits on held appends: how many, and for how many ticks.
const (
	maxHeld    = 64
	maxHeldAge = 2
)

// handleAppend applies an append or heartbeat from the leader of the
// current term and answers it, unless it is an append that overtook the
// entries before it: that one is held for a while.
func (r *core) handleAppend(m message) {
	if m.Type == msgApp && m.Pipelined && m.Index > r.log.lastIndex() && len(r.held) < maxHeld {
		r.held = append(r.held, heldApp{m: m})
		return
	}
	r.appendAndRespond(m)
	r.releaseHeld()
}

// releaseHeld handles the held appends that now follow the log.
func (r *core) releaseHeld() {
	for i := 0; i < len(r.held); {
		if r.held[i].m.Index > r.log.lastIndex() {
			i++
			continue
		}
		m := r.held[i].m
		r.held = slices.Delete(r.held, i, i+1)
		r.appendAndRespond(m)
		i = 0
	}
}

// ageHeld rejects the held appends whose gap did not fill in time.
func (r *core) ageHeld() {
	for i := 0; i < len(r.held); {
		r.held[i].age++
		if r.held[i].age < max(maxHeldAge, r.cfg.HeartbeatTick) {
			i++
			continue
		}
		m := r.held[i].m
		r.held = slices.Delete(r.held, i, i+1)
		r.appendAndRespond(m)
	}
}

// appendAndRespond applies an append or heartbeat and answers it.
func (r *core) appendAndRespond(m message) {
	resp := message{Type: m.Type.response(), To: m.From, Context: m.Context, Ref: m.Ref}
	if lastNew, ok := r.log.maybeAppend(m.Index, m.LogTerm, m.Entries); ok {
		r.log.commitTo(min(m.Commit, lastNew))
		resp.Index = lastNew
	} else {
		resp.Reject = true
		resp.Index = m.Index
		resp.ConflictIndex, resp.ConflictTerm = r.log.conflictHint(m.Index)
	}
	r.send(resp)
}

// handleSnapshot installs a snapshot from the leader unless the log already
// commits past it, and answers it.
func (r *core) handleSnapshot(m message) {
	s := *m.Snapshot
	if s.Index > r.log.committed {
		r.log.restore(s)
		r.snapDirty = true
		r.installSnap = true
	}
	r.send(message{Type: msgSnapResp, To: m.From, Index: s.Index, Ref: m.Ref})
}

// compact replaces the log up to index, which the service has applied, by
// its snapshot data. An index at or below the current snapshot is ignored.
func (r *core) compact(index int, data []byte) error {
	r.mustNotBeInReady()
	switch {
	case index <= r.log.snap.Index:
		return nil
	case index > r.log.applied:
		return fmt.Errorf("raft: snapshot at index %d beyond applied index %d", index, r.log.applied)
	}
	r.log.compact(index, data)
	r.snapDirty = true
	return nil
}
