package raft

// ready is what the core asks its driver to do, in order: persist
// hardState, the log from entriesIndex on and snapshot; then send msgs;
// then hand the service the installed snapshot (when installSnapshot) and
// the committed entries; then deliver read results. The driver then calls
// advance with the same ready, and steps or ticks the core only after
// that. One exception (leaderEarly): a leader's requests may leave before
// its entries are persisted.
type ready struct {
	// hardState is the term and vote to persist, nil when unchanged.
	hardState *hardState
	// entriesIndex, when not 0, says that storage must hold exactly
	// entries from that index on: entries at or after it are replaced
	// by entries (possibly none, a pure truncation).
	entriesIndex int
	entries      []Entry
	// snapshot, when not nil, must be persisted (it drops the entries it
	// covers); installSnapshot says it came from the leader and the
	// service must install it before the committed entries.
	snapshot        *snapshot
	installSnapshot bool
	// committed holds the entries to apply, the first at committedIndex.
	committedIndex int
	committed      []Entry
	msgs           []message
	reads          []readResult
}

// leaderEarly reports whether the driver may send rd's requests (messages
// with no Ref) before persisting rd's entries, so that a leader writes its
// log in parallel with replicating it (§10.2.1 of the Raft thesis): rd
// comes from a leader and changes neither the hard state nor the snapshot,
// so its requests depend only on its entries. This is safe because the
// leader's own log is durable before anything counts on it: the driver
// steps nothing (no follower's acknowledgement, so no commit that needs
// one) until rd's write is done, and applies rd's committed entries (which
// a lone peer commits at once) only after it.
func (rd *ready) leaderEarly(r *core) bool {
	return r.role == roleLeader && rd.hardState == nil && rd.snapshot == nil
}

// hasReady reports whether ready would return anything to do.
func (r *core) hasReady() bool {
	return r.hardState() != r.persisted || r.log.needsWrite() || r.snapDirty ||
		r.log.committed > r.log.applied || len(r.msgs) > 0 || len(r.reads.results) > 0
}

// ready collects the work for the driver. The core must not be stepped or
// ticked until advance is called with it.
func (r *core) ready() ready {
	r.mustNotBeInReady()
	r.inReady = true
	var rd ready
	if hs := r.hardState(); hs != r.persisted {
		rd.hardState = &hs
	}
	if r.log.needsWrite() {
		rd.entriesIndex = r.log.unstable
		if r.log.unstable <= r.log.lastIndex() {
			rd.entries = r.log.slice(r.log.unstable, r.log.lastIndex()+1, 0)
		}
	}
	if r.snapDirty {
		s := r.log.snap
		rd.snapshot = &s
		rd.installSnapshot = r.installSnap
	}
	if r.log.committed > r.log.applied {
		rd.committedIndex = r.log.applied + 1
		rd.committed = r.log.slice(r.log.applied+1, r.log.committed+1, 0)
	}
	rd.msgs, r.msgs = r.msgs, nil
	rd.reads, r.reads.results = r.reads.results, nil
	return rd
}

// advance records that the driver has done everything rd asked.
func (r *core) advance(rd ready) {
	if !r.inReady {
		panic("raft: advance without ready")
	}
	r.inReady = false
	if rd.hardState != nil {
		r.persisted = *rd.hardState
	}
	if rd.entriesIndex != 0 {
		r.log.unstable = r.log.lastIndex() + 1
		r.log.persistedLast = r.log.lastIndex()
	}
	if rd.snapshot != nil {
		r.snapDirty = false
		r.installSnap = false
	}
	if n := len(rd.committed); n > 0 {
		r.log.applied = rd.committedIndex + n - 1
	}
}
