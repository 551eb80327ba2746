// Package counter is the state-based counter CRDT that the g-counter
// node (go/g-counter) and the durable counter node (go/durable-counter)
// share: the handlers of add and read (g-counter and pn-counter), the
// merge of counter_state messages, and the push of the whole state to
// every other node every 200 ms.
//
// Each process counts its own increments and decrements under one slot;
// a receiver merges slot by slot with max, so lost, duplicated or
// reordered state messages never miscount. What a node's slot is, and
// whether its own counts survive a crash, is the node's own: g-counter
// draws a fresh slot at every boot and keeps nothing; durable-counter
// keeps one slot per node id and records each add in a Journal before it
// answers.
//
// Between nodes: {"type":"counter_state","inc":{slot:n},"dec":{slot:n}},
// sent without msg_id (no reply), shared with the Python counter node.
//
// Imports: the standard library and the examples' node library.
package counter
