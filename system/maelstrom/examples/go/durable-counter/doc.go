// Command durable-counter is a Maelstrom node for the g-counter and
// pn-counter workloads that keeps its count on local disk, in the
// directory the harness names in MAELSTROM_NODE_DIR (the maelstrom
// backend's option node-dir), so that a kill loses nothing it
// acknowledged.
//
// Each node owns the count of the adds it took, and only that: an add is
// appended to the journal DIR/counter.log (one delta a line) and fsync'd
// before add_ok; a restarted node (fresh init) starts from the journal's
// sum. A torn last line (a kill in the middle of a write) was never
// acknowledged and is cut. A read asks every other node for its count
// ({"type":"count"} answered by count_ok with "value") and answers the
// sum; if a node does not answer, the read fails with code 11
// (temporarily unavailable: nothing was read).
//
// Without MAELSTROM_NODE_DIR the node keeps its count in memory only and
// is then wrong under kills on purpose: a restarted node counts again
// from zero, and every add it acknowledged before is lost. The g-counter
// checker catches that (a final read below the acknowledged adds); the
// tests run the node both ways.
//
// Imports: the standard library, faultline/system/maelstrom (error codes)
// and the examples' node library.
package main
