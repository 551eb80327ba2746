package rsm

import (
	"context"
	"errors"

	"faultline/system/raft"
)

// reader is a ReadBarrier waiting until the machine has applied index.
type reader struct {
	index int
	ch    chan struct{} // closed once applied >= index
}

// ReadBarrier returns once the state machine reflects every command that
// completed before the call, so that a read of it is linearizable, without
// writing the log: the leader confirms with a quorum that it still leads
// (Raft's ReadIndex, rounds shared by concurrent reads) and waits until it
// has applied up to the commit index the read began with. It returns
// ErrNotReady before the leader has committed an entry of its term (read
// through Submit then), ErrWrongLeader, ErrTimeout or ErrShutdown.
func (r *RSM) ReadBarrier() error {
	if r.dead.Load() {
		return ErrShutdown
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.cfg.ApplyTimeout)
	defer cancel()
	index, err := r.reads.wait(ctx)
	switch {
	case errors.Is(err, raft.ErrNotReady):
		return ErrNotReady
	case errors.Is(err, raft.ErrNotLeader):
		return ErrWrongLeader
	case err != nil:
		return ErrTimeout
	}
	r.mu.Lock()
	if r.applied >= index {
		r.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	r.readers = append(r.readers, reader{index: index, ch: ch})
	r.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ErrTimeout // the reader is dropped when woken
	case <-r.done:
		return ErrShutdown
	}
}

// wakeReaders releases the reads whose index has been applied. Caller
// holds mu.
func (r *RSM) wakeReaders() {
	keep := r.readers[:0]
	for _, rd := range r.readers {
		if rd.index <= r.applied {
			close(rd.ch)
		} else {
			keep = append(keep, rd)
		}
	}
	clear(r.readers[len(keep):])
	r.readers = keep
}
