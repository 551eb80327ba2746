package storage

import "fmt"

// SaveRaftState replaces the course-shaped Raft state blob. It is durable
// and atomic when it returns (temporary file, fsync, rename, fsync of the
// directory). state is copied. The method set has no error result, so it
// panics if the write fails or the persister is closed: carrying on would
// silently break durability.
func (p *FilePersister) SaveRaftState(state []byte) {
	p.ioMu.Lock()
	defer p.ioMu.Unlock()
	man, err := p.manifest()
	if err == nil {
		man.state = append([]byte(nil), state...)
		err = p.writeManifestLocked(man)
	}
	if err != nil {
		panic(fmt.Sprintf("storage: SaveRaftState: %v", p.fail(err)))
	}
}

// ReadRaftState returns the blob of the last SaveRaftState or
// SaveStateAndSnapshot, or nil if there was none. The slice is shared: the
// caller must not modify it.
func (p *FilePersister) ReadRaftState() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.man.state) == 0 {
		return nil
	}
	return p.man.state
}

// RaftStateSize returns the logical size in bytes of the persisted Raft
// state: the course-shaped state blob, plus 16 bytes of hard state once one
// was set, plus the bytes of every log entry above the snapshot index
// (including writes not yet synced). Services compare it with their limit to
// decide when to snapshot.
func (p *FilePersister) RaftStateSize() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.man.state) + int(p.logBytes)
	if p.hs != (hardState{votedFor: -1}) {
		n += 16
	}
	return n
}

// SaveStateAndSnapshot replaces the course-shaped state blob and the
// snapshot together, atomically and durably: after a crash both old or both
// new values are found. It does not move the snapshot index of LoadState or
// compact the log. Both slices are copied. Like SaveRaftState it panics if
// the write fails or the persister is closed.
func (p *FilePersister) SaveStateAndSnapshot(state, snapshot []byte) {
	p.ioMu.Lock()
	defer p.ioMu.Unlock()
	man, err := p.manifest()
	oldGen := man.snapGen
	snap := append([]byte(nil), snapshot...)
	if err == nil {
		man.state = append([]byte(nil), state...)
		man, err = p.writeSnapshotLocked(man, snap)
	}
	if err != nil {
		panic(fmt.Sprintf("storage: SaveStateAndSnapshot: %v", p.fail(err)))
	}
	p.mu.Lock()
	p.man, p.snapshot = man, snap
	p.mu.Unlock()
	p.removeSnapshotFile(oldGen)
}

// ReadSnapshot returns the last snapshot saved by SaveSnapshot or
// SaveStateAndSnapshot, or nil if there is none. The slice is shared: the
// caller must not modify it.
func (p *FilePersister) ReadSnapshot() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.snapshot) == 0 {
		return nil
	}
	return p.snapshot
}

// SnapshotSize returns the length of the snapshot ReadSnapshot returns.
func (p *FilePersister) SnapshotSize() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.snapshot)
}

// manifest returns a copy of the current manifest, or why the persister is
// unusable.
func (p *FilePersister) manifest() (manifest, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.man, p.usableLocked()
}
