// Command g-counter is a Maelstrom node for the g-counter workload (and
// pn-counter: deltas may be negative), built as a state-based CRDT with
// no service.
//
// Each process counts its own increments and decrements under a slot
// named by its node id and a random boot nonce, so a restarted node
// starts a fresh slot instead of shrinking its old one. Every 200 ms the
// node sends its whole state to every other node; a receiver merges by
// taking, slot by slot, the larger count. Merging is idempotent, so lost,
// duplicated or reordered state messages never miscount; a read returns
// the sum of the increments minus the sum of the decrements this node
// knows.
//
// Between nodes: {"type":"counter_state","inc":{slot:n},"dec":{slot:n}},
// sent without msg_id (no reply), shared with the Python counter node.
//
// Imports: the standard library, the examples' node library.
package main
