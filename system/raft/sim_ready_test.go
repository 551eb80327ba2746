package raft

import "slices"

// earlyCrashRate is the chance, in runs with crashes, that a leader
// crashes after sending its requests and before persisting its own new
// entries (ready.leaderEarly).
const earlyCrashRate = 0.01

// processReady does what a driver does: persist, send, apply.
func (s *sim) processReady(nd *simNode) {
	c := nd.c
	s.record(nd)
	rd := c.ready()
	if rd.leaderEarly(c) {
		// A leader's requests leave while it writes its log, as the
		// driver sends them; it may crash before the write lands.
		for _, m := range rd.msgs {
			if m.Ref == 0 {
				s.send(m)
			}
		}
		if s.faulting && s.p.crashRate > 0 && s.rng.Float64() < earlyCrashRate {
			s.logf("%d: crash before persisting its own entries", nd.id)
			s.stats.crashes++
			nd.c = nil
			nd.downAt = s.now
			return
		}
	}
	st := &nd.store
	if rd.snapshot != nil {
		sn := *rd.snapshot
		if sn.Index < st.snap.Index {
			s.fatalf("node %d persists snapshot %d below stored %d", nd.id, sn.Index, st.snap.Index)
		}
		if sn.Index >= st.last() {
			st.entries = nil
		} else {
			st.entries = slices.Clone(st.entries[sn.Index-st.snap.Index:])
		}
		st.snap = sn
	}
	if rd.entriesIndex != 0 {
		if rd.entriesIndex <= st.snap.Index || rd.entriesIndex > st.last()+1 {
			s.fatalf("node %d appends at %d to stored log (%d, %d]", nd.id, rd.entriesIndex, st.snap.Index, st.last())
		}
		st.entries = append(st.entries[:rd.entriesIndex-st.snap.Index-1:rd.entriesIndex-st.snap.Index-1], rd.entries...)
	}
	if rd.hardState != nil {
		st.hs = *rd.hardState
	}
	// Storage must now hold exactly the core's log.
	if st.snap.Index != c.log.snap.Index || st.snap.Term != c.log.snap.Term || len(st.entries) != len(c.log.entries) {
		s.fatalf("node %d: storage (%d, %d]+%d != log (%d, %d]+%d", nd.id, st.snap.Index, st.last(), len(st.entries), c.log.snap.Index, c.log.lastIndex(), len(c.log.entries))
	}
	for i := range st.entries {
		if st.entries[i].Term != c.log.entries[i].Term || string(st.entries[i].Data) != string(c.log.entries[i].Data) {
			s.fatalf("node %d: stored entry %d differs from log", nd.id, st.snap.Index+1+i)
		}
	}
	if st.hs != c.hardState() {
		s.fatalf("node %d: stored hard state %+v != %+v", nd.id, st.hs, c.hardState())
	}
	for _, m := range rd.msgs {
		if m.Ref != 0 || !rd.leaderEarly(c) {
			s.send(m)
		}
	}
	if rd.installSnapshot {
		if rd.snapshot.Index <= nd.applied {
			s.fatalf("node %d installs snapshot %d at applied %d", nd.id, rd.snapshot.Index, nd.applied)
		}
		nd.hash = s.snapHash(*rd.snapshot)
		nd.applied = rd.snapshot.Index
		s.stats.installs++
		s.logf("%d: install snapshot %d", nd.id, nd.applied)
	}
	for i, e := range rd.committed {
		idx := rd.committedIndex + i
		if idx != nd.applied+1 {
			s.fatalf("node %d applies %d after %d", nd.id, idx, nd.applied)
		}
		if idx >= len(s.committed) || s.committed[idx].Term != e.Term || string(s.committed[idx].Data) != string(e.Data) {
			s.fatalf("node %d applies index %d (t%d %q) that is not the committed entry", nd.id, idx, e.Term, e.Data)
		}
		nd.hash = chain(nd.hash, idx, e.Data)
		nd.applied = idx
		switch {
		case idx == len(s.hashAt):
			s.hashAt = append(s.hashAt, nd.hash)
			s.stats.commits++
		case s.hashAt[idx] != nd.hash:
			s.fatalf("node %d: state after applying %d differs from another node's", nd.id, idx)
		}
	}
	for _, r := range rd.reads {
		if r.err != nil {
			s.logf("%d: read %d failed: %v", nd.id, r.ctx, r.err)
			continue
		}
		want := s.readIssued[r.ctx]
		if r.index < want {
			s.fatalf("node %d: read %d at index %d, but %d was committed when it began", nd.id, r.ctx, r.index, want)
		}
		s.stats.reads++
		s.logf("%d: read %d ok at %d", nd.id, r.ctx, r.index)
	}
	c.advance(rd)
}
