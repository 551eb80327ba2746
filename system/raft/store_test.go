package raft

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"faultline/system/storage"
)

// testPersister is a persister the harness can crash: crash kills the
// peer using it (kill) and returns the persister a restarted peer gets,
// holding what survived.
type testPersister interface {
	Persister
	crash(kill func()) testPersister
}

// storeKind names the persisters the scenario tests run on.
type storeKind int

const (
	memoryStore  storeKind = iota // MemoryPersister (used through LogStore)
	blobStore                     // a MemoryPersister seen as a plain Persister: one blob per save
	fakeLogStore                  // memLogStore: incremental, loses unsynced writes
	fileStore                     // storage.FilePersister in a temporary directory
)

func (k storeKind) String() string {
	return [...]string{"memory", "blob", "fakelog", "file"}[k]
}

// storage.FilePersister is the durable Persister and LogStore (storage
// cannot import raft to assert it itself).
var (
	_ Persister = (*storage.FilePersister)(nil)
	_ LogStore  = (*storage.FilePersister)(nil)
)

// blobTestPersister hides MemoryPersister's LogStore methods, so Raft
// saves its state as one blob through the course's method set.
type blobTestPersister struct {
	Persister
	mp *MemoryPersister
}

func newBlobTestPersister(mp *MemoryPersister) blobTestPersister {
	return blobTestPersister{Persister: struct{ Persister }{mp}, mp: mp}
}

func (p blobTestPersister) crash(kill func()) testPersister {
	c := newBlobTestPersister(p.mp.Copy())
	kill()
	return c
}

// memoryTestPersister crashes a MemoryPersister: it copies the state first,
// so whatever the dying peer writes afterwards is lost.
type memoryTestPersister struct{ *MemoryPersister }

func (p memoryTestPersister) crash(kill func()) testPersister {
	c := memoryTestPersister{p.Copy()}
	kill()
	return c
}

// memLogStore is an in-memory Persister and LogStore that keeps only
// synced writes across a crash, to check that Raft syncs before it
// acknowledges.
type memLogStore struct {
	mu       sync.Mutex
	durable  fakeImage
	pending  fakeImage
	snapshot []byte
}

type fakeImage struct {
	term, vote, snapIndex, snapTerm int
	entries                         [][]byte
}

// clone shares the entries' backing array: AppendLog never writes below
// the length of a slice another image holds (it copies to truncate).
func (im fakeImage) clone() fakeImage {
	im.entries = im.entries[:len(im.entries):len(im.entries)]
	return im
}

var (
	_ Persister = (*memLogStore)(nil)
	_ LogStore  = (*memLogStore)(nil)
)

func newMemLogStore() *memLogStore {
	return &memLogStore{durable: fakeImage{vote: none}, pending: fakeImage{vote: none}}
}

func (s *memLogStore) crash(kill func()) testPersister {
	s.mu.Lock()
	c := &memLogStore{durable: s.durable.clone(), pending: s.durable.clone(), snapshot: s.snapshot}
	s.mu.Unlock()
	kill()
	return c
}

func (s *memLogStore) SetHardState(term, votedFor int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending.term, s.pending.vote = term, votedFor
	return nil
}

func (s *memLogStore) AppendLog(index int, entries [][]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &s.pending
	keep := index - p.snapIndex - 1
	if keep < 0 || keep > len(p.entries) {
		return fmt.Errorf("append at %d outside (%d, %d]", index, p.snapIndex, p.snapIndex+len(p.entries)+1)
	}
	if keep < len(p.entries) {
		p.entries = slices.Clone(p.entries[:keep])
	}
	p.entries = append(p.entries, entries...)
	return nil
}

func (s *memLogStore) SaveSnapshot(index, term int, snapshot []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &s.pending
	if index < p.snapIndex {
		return fmt.Errorf("snapshot %d below %d", index, p.snapIndex)
	}
	if drop := index - p.snapIndex; drop >= len(p.entries) {
		p.entries = nil
	} else {
		p.entries = slices.Clone(p.entries[drop:])
	}
	p.snapIndex, p.snapTerm = index, term
	s.snapshot = slices.Clone(snapshot)
	s.durable = p.clone()
	return nil
}

func (s *memLogStore) Sync() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.durable = s.pending.clone()
	return nil
}

// SyncsInBackground makes a leader on this store sync in background
// (bgsync.go), so that the scenarios check that it still counts only what
// it holds durably: a crash loses whatever the syncer had not yet synced.
func (s *memLogStore) SyncsInBackground() bool { return true }

func (s *memLogStore) LoadState() (term, votedFor, snapIndex, snapTerm int, entries [][]byte, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pending
	return p.term, p.vote, p.snapIndex, p.snapTerm, slices.Clone(p.entries), nil
}

func (s *memLogStore) SaveRaftState([]byte) { panic("raft used SaveRaftState despite LogStore") }
func (s *memLogStore) ReadRaftState() []byte {
	panic("raft used ReadRaftState despite LogStore")
}

func (s *memLogStore) SaveStateAndSnapshot(_, _ []byte) {
	panic("raft used SaveStateAndSnapshot despite LogStore")
}

func (s *memLogStore) RaftStateSize() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 32
	for _, e := range s.durable.entries {
		n += len(e)
	}
	return n
}

func (s *memLogStore) ReadSnapshot() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.snapshot)
}

func (s *memLogStore) SnapshotSize() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.snapshot)
}

// fileTestPersister crashes a FilePersister by killing its peer, closing
// it and opening its directory again.
type fileTestPersister struct {
	*storage.FilePersister
	t   testing.TB
	dir string
}

func openFileTestPersister(t testing.TB, dir string) *fileTestPersister {
	p, err := storage.Open(dir, storage.Options{NoSync: true})
	if err != nil {
		t.Fatalf("open storage: %v", err)
	}
	return &fileTestPersister{FilePersister: p, t: t, dir: dir}
}

func (p *fileTestPersister) crash(kill func()) testPersister {
	kill()
	if err := p.Close(); err != nil {
		p.t.Errorf("close storage: %v", err)
	}
	return openFileTestPersister(p.t, p.dir)
}

// TestPersistStores runs the persistence and snapshot-crash scenarios on
// the other persisters: a plain Persister (the whole state as one blob),
// a LogStore fake that drops unsynced writes on a crash (and syncs a
// leader's log in background), and system/storage's FilePersister.
func TestPersistStores(t *testing.T) {
	for _, kind := range []storeKind{blobStore, fakeLogStore, fileStore} {
		t.Run(kind.String(), func(t *testing.T) {
			t.Run("Persist1", func(t *testing.T) { persist1(newClusterOn(t, 3, true, false, kind)) })
			t.Run("Persist3", func(t *testing.T) { persist3(newClusterOn(t, 3, true, false, kind)) })
			t.Run("SnapshotInstallCrash", func(t *testing.T) {
				snapRounds(newClusterOn(t, 3, true, true, kind), "install snapshots (crash)", false, true)
			})
			t.Run("SnapshotAllCrash", func(t *testing.T) { snapAllCrash(newClusterOn(t, 3, false, true, kind)) })
		})
	}
}
