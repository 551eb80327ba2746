package maelstrom

import "sync/atomic"

// NodeStats counts what went through one node's pipes over all its lives.
type NodeStats struct {
	// ID is the node's id.
	ID string `json:"id"`
	// Starts counts its processes started; Inits those that answered
	// init; Exits those that exited by themselves.
	Starts int64 `json:"starts"`
	Inits  int64 `json:"inits"`
	Exits  int64 `json:"exits"`
	// Delivered counts the messages its queue accepted (each life's init
	// among them); Written those written to its stdin.
	Delivered int64 `json:"delivered"`
	Written   int64 `json:"written"`
	// DroppedFull counts the messages refused because its queue was full
	// (the node was slow); DroppedDown those refused while it was down.
	DroppedFull int64 `json:"dropped_full"`
	DroppedDown int64 `json:"dropped_down"`
	// Received counts the valid messages it wrote, passed on to the
	// network; Problems its bad lines and pipe errors.
	Received int64 `json:"received"`
	Problems int64 `json:"problems"`
}

// nodeCounters are a Node's live counts.
type nodeCounters struct {
	starts, inits, exits     atomic.Int64
	delivered, written       atomic.Int64
	droppedFull, droppedDown atomic.Int64
	received, problems       atomic.Int64
}

// Stats returns the node's counts so far.
func (n *Node) Stats() NodeStats {
	c := &n.stats
	return NodeStats{ID: n.cfg.ID, Starts: c.starts.Load(), Inits: c.inits.Load(), Exits: c.exits.Load(),
		Delivered: c.delivered.Load(), Written: c.written.Load(),
		DroppedFull: c.droppedFull.Load(), DroppedDown: c.droppedDown.Load(),
		Received: c.received.Load(), Problems: c.problems.Load()}
}
