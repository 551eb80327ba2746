package tcp

import "sync/atomic"

// inflight bounds a server connection's requests being handled
// (Config.MaxInFlight). The connection's reader enters before it hands a
// request on, waiting while the bound is reached; each handler leaves when
// its reply is queued. Only the reader enters, so the count exceeds max by
// at most one, and only while the reader waits: the leave that brings it
// back to max is the one the reader waits for. Entering and leaving cost an
// atomic add each, where a channel of tokens cost a lock and a select.
type inflight struct {
	n    atomic.Int64
	max  int64
	room chan struct{} // capacity 1: the leave a waiting reader needs
}

func newInflight(max int) *inflight {
	return &inflight{max: int64(max), room: make(chan struct{}, 1)}
}

// enter counts one more request, waiting for room if the bound is reached.
// It reports false if done closed first.
func (f *inflight) enter(done <-chan struct{}) bool {
	if f.n.Add(1) <= f.max {
		return true
	}
	select {
	case <-f.room:
		return true
	case <-done:
		return false
	}
}

// leave counts one request less, waking the reader if it waits for room.
func (f *inflight) leave() {
	if f.n.Add(-1) == f.max {
		f.room <- struct{}{} // never blocks: one leave per wait
	}
}

// busy reports whether requests are being handled.
func (f *inflight) busy() bool { return f.n.Load() > 0 }
