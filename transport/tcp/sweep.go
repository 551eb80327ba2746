package tcp

import (
	"sync/atomic"
	"time"
)

// sweepTicks is the number of sweeps per Config.CallTimeout: a Call times
// out at most about two sweeps, an eighth of its timeout, late, and never
// early.
const sweepTicks = 16

// sweeper times out a connection's Call-form calls (those bounded by
// Config.CallTimeout) with one timer for the whole connection instead of
// one per call: the timer ticks every CallTimeout/sweepTicks while calls
// are pending, each tick advances gen, and a call registered at gen g
// expires at the tick that makes gen reach g+sweepTicks+1, at least
// sweepTicks ticks, so at least CallTimeout, after it started. A call thus
// costs an atomic load instead of a timer's start and stop (whose timer
// heap each scheduling round of the runtime also checks).
type sweeper struct {
	tick  time.Duration
	gen   atomic.Uint64 // ticks so far
	armed atomic.Bool   // the timer is running, or about to sweep
	timer *time.Timer
}

// init readies s to sweep cc's pending table for calls bounded by timeout.
func (s *sweeper) init(cc *clientConn, timeout time.Duration) {
	s.tick = max(timeout/sweepTicks, time.Millisecond)
	s.timer = time.AfterFunc(time.Hour, cc.sweep)
	s.timer.Stop()
}

// deadline returns the gen at which a call starting now expires.
func (s *sweeper) deadline() uint64 { return s.gen.Load() + sweepTicks + 1 }

// arm starts the timer unless it runs already; a call calls it once its
// deadline is in the pending table.
func (s *sweeper) arm() {
	if !s.armed.Load() && s.armed.CompareAndSwap(false, true) {
		s.timer.Reset(s.tick)
	}
}

// sweep runs on the timer's goroutine: it advances gen, fails the calls
// whose deadline it reached, and ticks again while calls with a deadline
// are pending. When none are, it stops, and the next call arms it; the
// second look after disarming catches a call that registered between the
// scan and the disarm, which saw the timer armed.
func (cc *clientConn) sweep() {
	s := &cc.sweeper
	gen := s.gen.Add(1)
	expired, left := cc.pending.expire(gen)
	for _, cl := range expired {
		cl.done <- timeoutError(cl.meth, cc.c.name, nil)
	}
	if left == 0 {
		s.armed.Store(false)
		if !cc.pending.anyDeadline() {
			return
		}
		if !s.armed.CompareAndSwap(false, true) {
			return // a call armed it meanwhile
		}
	}
	if !cc.dead.Load() {
		s.timer.Reset(s.tick)
	} else {
		s.armed.Store(false)
	}
}
