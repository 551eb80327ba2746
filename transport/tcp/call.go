package tcp

import (
	"sync"
	"time"
)

// call is one outstanding RPC. Exactly one party claims it (removes it from
// its connection's pending table): the reader that got its reply, the caller
// or its timer when the deadline passes, or the connection failing. Only the
// claimant writes reply, and a claimant other than the caller sends one
// result on done. After the caller has its result nobody refers to the
// call, so it is pooled; a call whose timer fired is not (see release).
type call struct {
	reply any
	meth  string     // "Service.Method", for the Meter and timeout errors
	done  chan error // capacity 1: one result per use

	// The Call (bool form) deadline: a timer running expire, so that the
	// caller waits on done alone, without a select. cc, id and peer are
	// set before the timer is armed.
	timer *time.Timer
	cc    *clientConn
	id    uint64
	peer  string
}

var callPool = sync.Pool{New: func() any {
	c := &call{done: make(chan error, 1)}
	c.timer = time.AfterFunc(time.Hour, c.expire)
	c.timer.Stop()
	return c
}}

func getCall(reply any) *call {
	c := callPool.Get().(*call)
	c.reply = reply
	return c
}

func putCall(c *call) {
	c.reply, c.cc = nil, nil
	callPool.Put(c)
}

// arm starts the call's deadline: after timeout, unless disarmed first,
// the call fails with a timeout error if it is still pending.
func (c *call) arm(cc *clientConn, id uint64, peer string, timeout time.Duration) {
	c.cc, c.id, c.peer = cc, id, peer
	c.timer.Reset(timeout)
}

// expire runs on the timer's goroutine: it claims the call, if nobody
// has, and fails it.
func (c *call) expire() {
	if c.cc.claim(c.id) != nil {
		c.done <- timeoutError(c.meth, c.peer, nil)
	}
}

// release ends the caller's use of c, which has its result: it stops the
// timer and pools c, unless expire has run or is running, in which case
// expire may still read c and c is left to the garbage collector.
func (c *call) release(armed bool) {
	if armed && !c.timer.Stop() {
		return
	}
	putCall(c)
}
