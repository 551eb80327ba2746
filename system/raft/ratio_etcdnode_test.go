package raft

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	etcdraft "go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// WAL record types of the etcd-raft contender (etcd's walpb entryType and
// stateType).
const (
	etcdRecEntry = 1
	etcdRecState = 2
)

// etcdNode is one etcd-raft node of the benchmark: a raft.Node, its
// MemoryStorage, in the fsync variant a write-ahead log, its streams to
// the peers and the goroutine running the Ready loop.
type etcdNode struct {
	id       uint64
	node     etcdraft.Node
	storage  *etcdraft.MemoryStorage
	wal      *benchWAL // nil in the in-memory variant
	streams  *etcdStreams
	waits    etcdWaits
	isLeader atomic.Bool

	confState raftpb.ConfState
	done      chan struct{}
	wg        sync.WaitGroup
	stopOnce  sync.Once
}

// newEtcdNode makes node id's storage and listener; dir is where its WAL
// goes, "" for the in-memory variant.
func newEtcdNode(id uint64, dir string) (*etcdNode, error) {
	en := &etcdNode{id: id, storage: etcdraft.NewMemoryStorage(), done: make(chan struct{})}
	if dir != "" {
		w, err := openBenchWAL(dir)
		if err != nil {
			return nil, err
		}
		en.wal = w
	}
	st, err := listenEtcdStreams()
	if err != nil {
		en.closeWAL()
		return nil, err
	}
	en.streams = st
	return en, nil
}

// start starts the node as a member of peers, its streams to the others
// (addresses by ID) and its Ready loop.
func (en *etcdNode) start(peers []etcdraft.Peer, others map[uint64]string) error {
	en.node = etcdraft.StartNode(etcdConfig(en.id, en.storage), peers)
	if err := en.streams.start(others, en.node.Step, en.node.ReportUnreachable); err != nil {
		return err
	}
	en.wg.Go(en.run)
	return nil
}

// run is the Ready loop as go.etcd.io/raft's README and etcd's server
// (server/etcdserver/raft.go, raftNode.start) drive it: tick; on each
// Ready, a leader sends its messages first (it may write its log in
// parallel with replicating it, §10.2.1 of the Raft thesis); then the
// snapshot, hard state and entries are saved (to the WAL, fdatasynced when
// Ready.MustSync says so, then to MemoryStorage); a follower sends its
// messages only after that; the committed entries are applied; Advance.
func (en *etcdNode) run() {
	ticker := time.NewTicker(etcdTick)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
			en.node.Tick()
		case rd := <-en.node.Ready():
			if rd.SoftState != nil {
				en.isLeader.Store(rd.RaftState == etcdraft.StateLeader)
			}
			leader := en.isLeader.Load()
			if leader {
				en.streams.send(rd.Messages)
			}
			if err := en.save(rd); err != nil {
				panic(fmt.Sprintf("etcd-raft node %d: %v", en.id, err))
			}
			if !leader {
				en.streams.send(rd.Messages)
			}
			en.apply(rd.CommittedEntries)
			en.node.Advance()
		case <-en.done:
			return
		}
	}
}

// save persists what rd asks for: the WAL first (when there is one), then
// MemoryStorage, which the raft library reads.
func (en *etcdNode) save(rd etcdraft.Ready) error {
	if en.wal != nil {
		for i := range rd.Entries {
			e := &rd.Entries[i]
			en.wal.record(1+e.Size(), func(b []byte) {
				b[0] = etcdRecEntry
				_, _ = e.MarshalTo(b[1:])
			})
		}
		if !etcdraft.IsEmptyHardState(rd.HardState) {
			hs := &rd.HardState
			en.wal.record(1+hs.Size(), func(b []byte) {
				b[0] = etcdRecState
				_, _ = hs.MarshalTo(b[1:])
			})
		}
		if err := en.wal.commit(rd.MustSync); err != nil {
			return err
		}
	}
	if !etcdraft.IsEmptySnap(rd.Snapshot) {
		if err := en.storage.ApplySnapshot(rd.Snapshot); err != nil {
			return fmt.Errorf("apply snapshot: %w", err)
		}
		en.confState = rd.Snapshot.Metadata.ConfState
	}
	if !etcdraft.IsEmptyHardState(rd.HardState) {
		if err := en.storage.SetHardState(rd.HardState); err != nil {
			return fmt.Errorf("set hard state: %w", err)
		}
	}
	if err := en.storage.Append(rd.Entries); err != nil {
		return fmt.Errorf("append: %w", err)
	}
	return nil
}

// etcdTrailing is how many applied entries a node keeps behind each
// snapshot for slow followers (etcd's SnapshotCatchUpEntries, scaled to
// the benchmark's snapshotEvery).
const etcdTrailing = snapshotEvery

// apply applies committed entries: configuration changes go to the node,
// commands wake their proposers, and every snapshotEvery entries the node
// snapshots and compacts its MemoryStorage, as the other contenders do.
func (en *etcdNode) apply(ents []raftpb.Entry) {
	for i := range ents {
		e := &ents[i]
		switch e.Type {
		case raftpb.EntryConfChange:
			var cc raftpb.ConfChange
			if err := cc.Unmarshal(e.Data); err != nil {
				panic(fmt.Sprintf("etcd-raft node %d: conf change: %v", en.id, err))
			}
			en.confState = *en.node.ApplyConfChange(cc)
		case raftpb.EntryNormal:
			if len(e.Data) == len(benchCmd) {
				en.waits.trigger(binary.BigEndian.Uint64(e.Data[:8]))
			}
		}
		if e.Index%snapshotEvery == 0 {
			en.compact(e.Index)
		}
	}
}

// compact snapshots the (empty) state at index and drops the entries
// more than etcdTrailing behind it.
func (en *etcdNode) compact(index uint64) {
	if _, err := en.storage.CreateSnapshot(index, &en.confState, nil); err != nil {
		return
	}
	if index > etcdTrailing {
		_ = en.storage.Compact(index - etcdTrailing)
	}
}

// stop stops the Ready loop and the node.
func (en *etcdNode) stop() {
	en.stopOnce.Do(func() {
		close(en.done)
		en.wg.Wait()
		if en.node != nil {
			en.node.Stop()
		}
	})
}

func (en *etcdNode) closeWAL() {
	if en.wal != nil {
		_ = en.wal.close()
	}
}
