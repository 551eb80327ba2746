// Package broadcast is the part of a broadcast node that the correct
// node (go/broadcast) and the broken one (go/broken-broadcast) share:
// the handlers of topology, broadcast, gossip and read, the set of
// values, and the neighbours. How a new value is passed on to the
// neighbours is the node's own: the correct node resends until
// acknowledged, the broken one sends once.
//
// Between nodes: {"type":"gossip","messages":[...]}, answered by
// gossip_ok when it has a msg_id (the Python broadcast node speaks the
// same, so they can share a cluster).
//
// Imports: the standard library and the examples' node library.
package broadcast
