package runner

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// deadlines makes the contexts of one worker's ops. Each op's context
// ends at the op's deadline with context.DeadlineExceeded, or when the
// op returns, or when the parent ends, as context.WithTimeout's would;
// but no timer is made, reset or stopped per op. The worker's one timer
// is armed for the deadline of the op in flight; when it fires, it ends
// that op if its deadline has passed, else (that op returned and a
// later one is in flight) it re-arms itself for the later op's
// deadline. With ops much shorter than the timeout, it fires about once
// per timeout. context.WithTimeout and its cancel cost the harness about
// a microsecond of CPU per op on this machine (pprof of
// BenchmarkHarnessVsBare/memory: time.AfterFunc, timer heap updates, the
// allocations of context.WithDeadline); see BenchmarkOpContext. The
// worker runs one op at a time.
type deadlines struct {
	parent context.Context
	timer  *time.Timer
	cur    atomic.Pointer[opContext] // the op in flight, if any
	armed  atomic.Bool               // the timer will fire (or is firing) for cur
	stop   func() bool               // unregisters parentDone
}

// newDeadlines returns the op contexts of a worker whose ops run under
// parent. Call close when the worker is done.
func newDeadlines(parent context.Context) *deadlines {
	d := &deadlines{parent: parent}
	d.timer = time.AfterFunc(time.Hour, d.fire)
	d.timer.Stop()
	d.stop = context.AfterFunc(parent, d.parentDone)
	return d
}

// start returns the context of an op started at now that may run for
// timeout, which the caller must end with end.
func (d *deadlines) start(now time.Time, timeout time.Duration) *opContext {
	c := &opContext{parent: d.parent, deadline: now.Add(timeout), done: make(chan struct{})}
	d.cur.Store(c)
	if !d.armed.Load() && d.armed.CompareAndSwap(false, true) {
		d.timer.Reset(timeout)
	}
	if err := d.parent.Err(); err != nil {
		c.end(err) // the parent ended before the op was in place
	}
	return c
}

// end ends c, the op start returned last, as a cancel function would.
func (d *deadlines) end(c *opContext) {
	d.cur.CompareAndSwap(c, nil)
	c.end(context.Canceled)
}

// fire is the timer's: it ends the op in flight if its deadline has
// passed, or re-arms the timer for its deadline. With no op in flight it
// leaves the timer unarmed, for the next start to arm.
func (d *deadlines) fire() {
	for {
		if c := d.cur.Load(); c != nil {
			now := time.Now()
			if now.Before(c.deadline) {
				d.timer.Reset(c.deadline.Sub(now))
				return
			}
			c.end(context.DeadlineExceeded)
			d.cur.CompareAndSwap(c, nil)
		}
		d.armed.Store(false)
		// A start that found the timer armed before the Store above
		// relies on this firing: take its op if there is one.
		if d.cur.Load() == nil || !d.armed.CompareAndSwap(false, true) {
			return
		}
	}
}

// parentDone ends the op in flight when the parent ends.
func (d *deadlines) parentDone() {
	if c := d.cur.Load(); c != nil {
		c.end(d.parent.Err())
	}
}

// close releases the timer and the parent's registration.
func (d *deadlines) close() {
	d.timer.Stop()
	d.stop()
}

// opContext is the context of one op (see deadlines). Values are the
// parent's (so context.Cause of an op context is the parent's cause, nil
// while the parent lives; Err says why the op's context ended). It implements the AfterFunc method that the context package
// looks for, so that a context derived from it (context.WithCancel, as
// client libraries do) is ended by it without a goroutine of its own.
type opContext struct {
	parent   context.Context
	deadline time.Time
	done     chan struct{}
	mu       sync.Mutex
	err      error
	after    []*afterFunc // registered by AfterFunc, run by end
}

// afterFunc is one function registered by AfterFunc.
type afterFunc struct{ f func() }

// Deadline implements context.Context.
func (c *opContext) Deadline() (time.Time, bool) { return c.deadline, true }

// Done implements context.Context.
func (c *opContext) Done() <-chan struct{} { return c.done }

// Err implements context.Context.
func (c *opContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Value implements context.Context: the parent's values.
func (c *opContext) Value(key any) any { return c.parent.Value(key) }

// AfterFunc arranges for f to run once c ends, as context.AfterFunc
// does; stop unregisters it and reports whether it had not run.
func (c *opContext) AfterFunc(f func()) (stop func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		go f()
		return func() bool { return false }
	}
	a := &afterFunc{f: f}
	c.after = append(c.after, a)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, x := range c.after {
			if x == a {
				c.after = append(c.after[:i], c.after[i+1:]...)
				return true
			}
		}
		return false
	}
}

// end ends c with err, unless it has ended already, and runs what
// AfterFunc registered.
func (c *opContext) end(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	close(c.done)
	after := c.after
	c.after = nil
	c.mu.Unlock()
	for _, a := range after {
		a.f()
	}
}
