// Command durable-counter is a Maelstrom node for the g-counter and
// pn-counter workloads that keeps its own counts on local disk, in the
// directory the harness names in MAELSTROM_NODE_DIR (the maelstrom
// backend's option node-dir), so that a kill loses nothing it
// acknowledged.
//
// It is the g-counter node's CRDT (internal/counter) with one slot per
// node id, kept across restarts: every add is appended to the journal
// DIR/counter.log (one delta a line) and fsync'd before add_ok, and a
// restarted node starts its slot from the journal's sum. A torn last
// line (a kill in the middle of a write) was never acknowledged and is
// ignored.
//
// Without MAELSTROM_NODE_DIR the node keeps its counts in memory only,
// under the same slot, and is then wrong under kills on purpose: a
// restarted node counts again from zero under a slot its peers know
// larger, so the adds it acknowledged since its last push, and those it
// takes before its peers' state reaches it again, are lost. The
// g-counter checker catches that (a final read below the acknowledged
// adds); the tests run it both ways.
//
// Imports: the standard library, the examples' node library and the
// shared counter (internal/counter).
package main
