// Command g-set is a Maelstrom node for the g-set workload: a grow-only
// set. "add" with an element keeps it; "read" answers read_ok with every
// element in "value".
//
// It is the broadcast node with the g-set workload's names: the element
// is kept and gossiped to every other node (g-set has no topology
// message) by internal/broadcast's handlers and its Reliable gossip, which
// resends each element to each peer every 100 ms until acknowledged, so
// elements survive lost messages and partitions.
//
// Imports: the examples' node library and the shared set handlers
// (internal/broadcast).
package main
