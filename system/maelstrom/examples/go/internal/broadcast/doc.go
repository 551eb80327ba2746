// Package broadcast is the part of a set node that the broadcast node
// (go/broadcast), the g-set node (go/g-set) and the broken broadcast node
// (go/broken-broadcast) share: the handlers of the workload's add and
// read (Workload: Broadcast or GSet), of topology and of gossip, the set
// of values, and the neighbours. How a new value is passed on to the
// neighbours is a Spread: Reliable (the correct nodes) resends until
// acknowledged; the broken node sends once.
//
// Between nodes: {"type":"gossip","messages":[...]}, answered by
// gossip_ok when it has a msg_id (the Python broadcast and g-set nodes
// speak the same, so they can share a cluster).
//
// Imports: the standard library, faultline/system/maelstrom (error codes)
// and the examples' node library.
package broadcast
