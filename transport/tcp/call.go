package tcp

import (
	"sync"
	"time"
)

// call is one outstanding RPC. Exactly one party claims it (removes it from
// its connection's pending table): the reader that got its reply, the caller
// whose deadline passed, or the connection failing. Only the claimant writes
// reply, and a claimant other than the caller sends one result on done. After
// the caller has its result nobody refers to the call, so it is pooled.
type call struct {
	reply any
	meth  string      // "Service.Method", for the Meter
	done  chan error  // capacity 1: one result per use
	timer *time.Timer // the Call (bool form) deadline, reused
}

var callPool = sync.Pool{New: func() any {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &call{done: make(chan error, 1), timer: t}
}}

func getCall(reply any) *call {
	c := callPool.Get().(*call)
	c.reply = reply
	return c
}

func putCall(c *call) {
	c.reply = nil
	callPool.Put(c)
}
