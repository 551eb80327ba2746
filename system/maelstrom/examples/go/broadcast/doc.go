// Command broadcast is a Maelstrom node for the broadcast workload.
//
// A value a client broadcasts (or a neighbour gossips) is kept and queued
// for every neighbour in the topology but the one it came from (the
// handlers and the gossip are internal/broadcast's: Serve, Reliable). Every 100 ms the node sends each
// neighbour one gossip request with all values that neighbour has not
// acknowledged yet, at most one request in flight per neighbour; a value
// leaves a neighbour's queue only when a gossip_ok acknowledges it. So a
// value survives lost messages and partitions: it is resent until the
// link heals.
//
// Imports: the standard library, the examples' node library, the shared
// broadcast handlers (internal/broadcast).
package main
