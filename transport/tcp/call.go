package tcp

import "sync"

// call is one outstanding RPC. Exactly one party claims it (removes it from
// its connection's pending table): the reader that got its reply, the
// caller when its context ends, the connection's sweeper when its
// deadline passes, or the connection failing. Only the claimant writes
// reply, and a claimant other than the caller sends one result on done and
// does not touch the call afterwards. After the caller has its result
// nobody refers to the call, so it is pooled.
type call struct {
	reply any
	meth  string     // "Service.Method", for the Meter and timeout errors
	done  chan error // capacity 1: one result per use
	// deadline is the sweeper gen at which the call times out (the Call
	// form, bounded by Config.CallTimeout), or 0 for none. Set before the
	// call is pending; read by the sweeper under the table's lock.
	deadline uint64
}

var callPool = sync.Pool{New: func() any { return &call{done: make(chan error, 1)} }}

func getCall(reply any, meth string, deadline uint64) *call {
	c := callPool.Get().(*call)
	c.reply, c.meth, c.deadline = reply, meth, deadline
	return c
}

func putCall(c *call) {
	c.reply = nil
	callPool.Put(c)
}
