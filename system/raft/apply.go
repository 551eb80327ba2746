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

// Service is the replicated service a peer drives. The peer calls it
// under its lock (direct.go), one call at a time, in the order things
// happen to the peer: it applies each batch's committed entries (those
// the peer already held durably at once, the others after it has
// persisted and sent what the batch produced), then reports a change of
// term or leadership. A Service therefore sees every entry committed
// before a leadership change before it hears of the change.
//
// Both methods run under the peer's lock, on its loop or on one of its
// RPC goroutines: they must return quickly and must never wait for the
// peer (Start and GetState do not; Snapshot, ReadIndex and Kill do, and
// must be called from another goroutine).
type Service interface {
	// Apply receives committed commands and installed snapshots in log
	// order. msgs is only valid during the call. An error means an entry
	// (or snapshot) could not be applied, and stops the peer: it should be
	// an *ApplyError naming the index and the cause, with every message
	// before that one applied.
	Apply(msgs []ApplyMsg) error
	// Lead reports that the peer's term or leadership changed: it now is
	// in term and leads it or not. It is not called for the state the
	// peer starts in (a follower).
	Lead(term int, isLeader bool)
}

// ApplyChannel returns a Service, for one peer, that sends what the peer
// applies on ch from a goroutine of its own (the course's apply channel),
// so the loop never waits for the receiver. Leadership changes are not
// sent: ApplyMsg has no place for them.
func ApplyChannel(ch chan<- ApplyMsg) Service {
	return &applyChannel{ch: ch, signal: make(chan struct{}, 1)}
}

// applyChannel is an unbounded FIFO between the loop, which must never
// block on the service, and a goroutine feeding the channel.
type applyChannel struct {
	ch     chan<- ApplyMsg
	mu     sync.Mutex
	items  []ApplyMsg
	signal chan struct{} // capacity 1: "items is not empty"
}

// Apply implements Service.
func (a *applyChannel) Apply(msgs []ApplyMsg) error {
	a.mu.Lock()
	a.items = append(a.items, msgs...)
	a.mu.Unlock()
	select {
	case a.signal <- struct{}{}:
	default:
	}
	return nil
}

// Lead implements Service; the channel carries no leadership changes.
func (a *applyChannel) Lead(int, bool) {}

// run feeds the channel until done is closed. New starts it.
func (a *applyChannel) run(done <-chan struct{}) {
	for {
		select {
		case <-done:
			return
		case <-a.signal:
		}
		a.mu.Lock()
		items := a.items
		a.items = nil
		a.mu.Unlock()
		for _, msg := range items {
			if !a.deliver(msg, done) {
				return
			}
		}
	}
}

func (a *applyChannel) deliver(msg ApplyMsg, done <-chan struct{}) bool {
	select {
	case a.ch <- msg:
		return true
	default:
	}
	select {
	case a.ch <- msg:
		return true
	case <-done:
		return false
	}
}

// runner is a Service with a goroutine of its own, which the peer runs
// until Kill.
type runner interface {
	run(done <-chan struct{})
}
