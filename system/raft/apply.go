package raft

import "sync"

// ApplyMsg is what a peer sends on its apply channel: a committed command
// (CommandValid) or a snapshot received from the leader that the service
// must install (SnapshotValid). Messages come in log order, each index
// exactly once per incarnation; a snapshot replaces everything up to
// SnapshotIndex and is followed by the entries after it.
type ApplyMsg struct {
	CommandValid bool
	Command      any
	CommandIndex int
	CommandTerm  int

	SnapshotValid bool
	Snapshot      []byte
	SnapshotTerm  int
	SnapshotIndex int
}

// applyItem is a batch of committed entries starting at index, or a
// snapshot to install.
type applyItem struct {
	index   int
	entries []Entry
	snap    *snapshot
}

// applyQueue is an unbounded FIFO between the driver loop, which must never
// block on the service, and the applier goroutine.
type applyQueue struct {
	mu     sync.Mutex
	items  []applyItem
	signal chan struct{} // capacity 1: "items is not empty"
}

func newApplyQueue() *applyQueue {
	return &applyQueue{signal: make(chan struct{}, 1)}
}

func (q *applyQueue) push(it applyItem) {
	q.mu.Lock()
	q.items = append(q.items, it)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

// take removes and returns everything queued.
func (q *applyQueue) take() []applyItem {
	q.mu.Lock()
	defer q.mu.Unlock()
	items := q.items
	q.items = nil
	return items
}
