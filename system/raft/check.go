package raft

import (
	"errors"
	"fmt"
	"math"
)

// maxTerm and maxIndex bound every term and index a peer accepts from
// another (2^62-1 on 64-bit platforms). No honest cluster comes near them,
// so one past them, and any sum of an index and a count of entries, never
// overflows; a message beyond them is forged or corrupt and is dropped
// (check). A peer whose term reached maxTerm no longer campaigns.
const (
	maxTerm  = math.MaxInt / 2
	maxIndex = math.MaxInt / 2
)

// errMalformed says a message from a peer breaks the protocol's own rules
// (an absurd term or index, entries out of term order, an unknown sender);
// it is dropped unanswered.
var errMalformed = errors.New("raft: malformed message")

// check validates a message from a peer before it touches any state:
// every term and index within bounds and consistent with the message's
// term, entries in term order, a sender inside the cluster. What an honest
// peer sends always passes.
func (r *core) check(m message) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %v from %d: %s", errMalformed, m.Type, m.From, fmt.Sprintf(format, args...))
	}
	switch {
	case m.From < 0 || m.From >= r.n || m.From == r.id:
		return bad("sender outside the cluster of %d or this peer", r.n)
	case m.Term < 0 || m.Term > maxTerm:
		return bad("term %d outside [0, %d]", m.Term, maxTerm)
	case m.LogTerm < 0 || m.LogTerm > m.Term:
		return bad("log term %d outside [0, term %d]", m.LogTerm, m.Term)
	case m.Index < 0 || m.Index > maxIndex || m.Commit < 0 || m.Commit > maxIndex:
		return bad("index %d or commit %d outside [0, %d]", m.Index, m.Commit, maxIndex)
	case m.ConflictIndex < 0 || m.ConflictIndex > maxIndex || m.ConflictTerm < none || m.ConflictTerm > maxTerm:
		return bad("conflict hint (%d, %d) out of bounds", m.ConflictIndex, m.ConflictTerm)
	case len(m.Entries) > maxIndex-m.Index:
		return bad("%d entries after index %d pass %d", len(m.Entries), m.Index, maxIndex)
	case m.Type == msgSnap && m.Snapshot == nil:
		return bad("no snapshot")
	}
	if s := m.Snapshot; s != nil && (s.Index < 0 || s.Index > maxIndex || s.Term < 0 || s.Term > m.Term) {
		return bad("snapshot (%d, %d) outside [0, %d] x [0, term %d]", s.Index, s.Term, maxIndex, m.Term)
	}
	prev := m.LogTerm
	for i, e := range m.Entries {
		if e.Term < prev || e.Term > m.Term {
			return bad("entry %d has term %d outside [%d, term %d]", m.Index+1+i, e.Term, prev, m.Term)
		}
		prev = e.Term
	}
	return nil
}
