package raft

import (
	"slices"
	"sync"
)

// Persister is where a peer keeps its state across crashes, in the shape
// of the course's persister: an opaque Raft state blob and the service's
// snapshot, each save replacing the old value atomically.
//
// A Persister that also implements LogStore is used through it instead, so
// that the log is written incrementally.
type Persister interface {
	SaveRaftState(state []byte)
	ReadRaftState() []byte
	RaftStateSize() int
	SaveStateAndSnapshot(state, snapshot []byte)
	ReadSnapshot() []byte
	SnapshotSize() int
}

// MemoryPersister is an in-memory Persister, safe for concurrent use. Tests
// simulate a crash by handing a restarted peer a Copy, so that the old
// instance cannot write into the new one's state.
//
// It also implements LogStore, which Raft uses: appends then cost only what
// they write, where the course's method set rewrites the whole state on
// every change. Both views show one state: ReadRaftState encodes what came
// through LogStore, and LogStore decodes a state saved with SaveRaftState.
// Writes through LogStore are durable at once (Sync does nothing): a Copy
// holds everything written before it.
type MemoryPersister struct {
	mu       sync.Mutex
	raw      []byte    // state as saved by SaveRaftState, when im is nil
	im       *logImage // state as written through LogStore
	snapshot []byte
}

var (
	_ Persister = (*MemoryPersister)(nil)
	_ LogStore  = (*MemoryPersister)(nil)
)

// MakePersister returns an empty MemoryPersister.
func MakePersister() *MemoryPersister { return &MemoryPersister{} }

// Copy returns an independent persister holding the same state and
// snapshot.
func (p *MemoryPersister) Copy() *MemoryPersister {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := &MemoryPersister{raw: p.raw, snapshot: p.snapshot}
	if p.im != nil {
		im := p.im.clone()
		c.im = &im
	}
	return c
}

// SaveRaftState replaces the Raft state with a copy of state.
func (p *MemoryPersister) SaveRaftState(state []byte) {
	c := slices.Clone(state)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.raw, p.im = c, nil
}

// ReadRaftState returns a copy of the Raft state.
func (p *MemoryPersister) ReadRaftState() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.im != nil {
		return p.im.encode()
	}
	return slices.Clone(p.raw)
}

// RaftStateSize returns the size of the Raft state in bytes.
func (p *MemoryPersister) RaftStateSize() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.im != nil {
		return p.im.size()
	}
	return len(p.raw)
}

// SaveStateAndSnapshot replaces the Raft state and the snapshot with copies
// of state and snapshot, atomically.
func (p *MemoryPersister) SaveStateAndSnapshot(state, snapshot []byte) {
	c, s := slices.Clone(state), slices.Clone(snapshot)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.raw, p.im, p.snapshot = c, nil, s
}

// ReadSnapshot returns a copy of the snapshot.
func (p *MemoryPersister) ReadSnapshot() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.snapshot)
}

// SnapshotSize returns the size of the snapshot in bytes.
func (p *MemoryPersister) SnapshotSize() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.snapshot)
}

// image returns the structured state, decoding a saved blob first; p.mu
// is held.
func (p *MemoryPersister) image() (*logImage, error) {
	if p.im == nil {
		im := newLogImage()
		if len(p.raw) > 0 {
			if err := im.decode(p.raw); err != nil {
				return nil, err
			}
		}
		p.im, p.raw = &im, nil
	}
	return p.im, nil
}

// SetHardState implements LogStore.
func (p *MemoryPersister) SetHardState(term, votedFor int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	im, err := p.image()
	if err != nil {
		return err
	}
	im.term, im.vote = term, votedFor
	return nil
}

// AppendLog implements LogStore.
func (p *MemoryPersister) AppendLog(index int, entries [][]byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	im, err := p.image()
	if err != nil {
		return err
	}
	return im.appendLog(index, entries)
}

// SaveSnapshot implements LogStore.
func (p *MemoryPersister) SaveSnapshot(index, term int, snapshot []byte) error {
	s := slices.Clone(snapshot)
	p.mu.Lock()
	defer p.mu.Unlock()
	im, err := p.image()
	if err != nil {
		return err
	}
	im.compact(index, term)
	p.snapshot = s
	return nil
}

// Sync implements LogStore; writes are already in place.
func (p *MemoryPersister) Sync() error { return nil }

// LoadState implements LogStore.
func (p *MemoryPersister) LoadState() (term, votedFor, snapIndex, snapTerm int, entries [][]byte, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	im, err := p.image()
	if err != nil {
		return 0, 0, 0, 0, nil, err
	}
	return im.term, im.vote, im.snapIndex, im.snapTerm, im.entries(), nil
}
