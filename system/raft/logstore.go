package raft

import (
	"encoding/binary"
	"errors"
	"fmt"

	"faultline/transport/wire"
)

// LogStore is the incremental storage Raft uses when its Persister also
// implements it (system/storage's FilePersister does). Entries are opaque
// byte strings to the store (Raft's encoding of term and command).
type LogStore interface {
	// SetHardState records the current term and vote (-1 for none). It may
	// be buffered until Sync.
	SetHardState(term, votedFor int) error
	// AppendLog stores entries[i] at index index+i, first dropping every
	// entry at or after index. It may be buffered until Sync. index is at
	// most one past the last stored entry and above the snapshot index.
	AppendLog(index int, entries [][]byte) error
	// SaveSnapshot stores snapshot as the image up to index (whose entry
	// has term term) and drops the entries at or below index; entries above
	// it are kept. It is atomic and durable on return.
	SaveSnapshot(index, term int, snapshot []byte) error
	// Sync makes everything written before the call durable.
	Sync() error
	// LoadState returns what was stored: the hard state, the snapshot's
	// index and term, and the entries from snapIndex+1 on.
	LoadState() (term, votedFor, snapIndex, snapTerm int, entries [][]byte, err error)
}

// errBadEntry says a stored entry does not decode.
var errBadEntry = errors.New("raft: malformed stored entry")

// appendEntry appends the stored form of e (uvarint term, then data).
func appendEntry(dst []byte, e Entry) []byte {
	dst = binary.AppendUvarint(dst, uint64(e.Term))
	return append(dst, e.Data...)
}

// decodeEntry parses the stored form of an entry. Data aliases b.
func decodeEntry(b []byte) (Entry, error) {
	t, n := binary.Uvarint(b)
	if n <= 0 || t > 1<<62 {
		return Entry{}, fmt.Errorf("%w: bad term prefix", errBadEntry)
	}
	return Entry{Term: int(t), Data: b[n:]}, nil
}

// persistedState is the blob a plain Persister stores.
type persistedState struct {
	Term      int
	Vote      int
	SnapIndex int
	SnapTerm  int
	Entries   [][]byte
}

// stateStore is a LogStore over a plain Persister: it keeps the whole state
// in memory and saves all of it, as one blob, on every Sync that follows a
// change.
type stateStore struct {
	p     Persister
	st    persistedState
	dirty bool
}

var _ LogStore = (*stateStore)(nil)

func newStateStore(p Persister) (*stateStore, error) {
	s := &stateStore{p: p, st: persistedState{Vote: none}}
	if b := p.ReadRaftState(); len(b) > 0 {
		if err := wire.Unmarshal(b, &s.st); err != nil {
			return nil, fmt.Errorf("raft: persisted state: %w", err)
		}
	}
	return s, nil
}

func (s *stateStore) SetHardState(term, votedFor int) error {
	s.st.Term, s.st.Vote = term, votedFor
	s.dirty = true
	return nil
}

func (s *stateStore) AppendLog(index int, entries [][]byte) error {
	keep := index - s.st.SnapIndex - 1
	if keep < 0 || keep > len(s.st.Entries) {
		return fmt.Errorf("raft: append at %d outside stored log (%d, %d]", index, s.st.SnapIndex, s.st.SnapIndex+len(s.st.Entries))
	}
	s.st.Entries = append(s.st.Entries[:keep:keep], entries...)
	s.dirty = true
	return nil
}

func (s *stateStore) SaveSnapshot(index, term int, snapshot []byte) error {
	if drop := index - s.st.SnapIndex; drop >= len(s.st.Entries) {
		s.st.Entries = nil
	} else if drop > 0 {
		s.st.Entries = append([][]byte(nil), s.st.Entries[drop:]...)
	}
	s.st.SnapIndex, s.st.SnapTerm = index, term
	b, err := wire.Marshal(&s.st)
	if err != nil {
		return err
	}
	s.p.SaveStateAndSnapshot(b, snapshot)
	s.dirty = false
	return nil
}

func (s *stateStore) Sync() error {
	if !s.dirty {
		return nil
	}
	b, err := wire.Marshal(&s.st)
	if err != nil {
		return err
	}
	s.p.SaveRaftState(b)
	s.dirty = false
	return nil
}

func (s *stateStore) LoadState() (term, votedFor, snapIndex, snapTerm int, entries [][]byte, err error) {
	return s.st.Term, s.st.Vote, s.st.SnapIndex, s.st.SnapTerm, s.st.Entries, nil
}
