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
type MemoryPersister struct {
	mu       sync.Mutex
	state    []byte
	snapshot []byte
}

var _ Persister = (*MemoryPersister)(nil)

// MakePersister returns an empty MemoryPersister.
func MakePersister() *MemoryPersister { return &MemoryPersister{} }

// Copy returns an independent persister holding the same state and
// snapshot.
func (p *MemoryPersister) Copy() *MemoryPersister {
	p.mu.Lock()
	defer p.mu.Unlock()
	return &MemoryPersister{state: p.state, snapshot: p.snapshot}
}

// SaveRaftState replaces the Raft state with a copy of state.
func (p *MemoryPersister) SaveRaftState(state []byte) {
	c := slices.Clone(state)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state = c
}

// ReadRaftState returns a copy of the Raft state.
func (p *MemoryPersister) ReadRaftState() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.state)
}

// RaftStateSize returns the size of the Raft state in bytes.
func (p *MemoryPersister) RaftStateSize() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.state)
}

// SaveStateAndSnapshot replaces the Raft state and the snapshot with copies
// of state and snapshot, atomically.
func (p *MemoryPersister) SaveStateAndSnapshot(state, snapshot []byte) {
	c, s := slices.Clone(state), slices.Clone(snapshot)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state, p.snapshot = c, s
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
