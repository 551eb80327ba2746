// Command broken-broadcast is a broadcast node that is wrong on purpose:
// it sends each new value to each neighbour exactly once, as a one-way
// gossip message (no msg_id) that nobody acknowledges, and never sends it
// again. A value sent while a link is cut (a partition, a lost message)
// never reaches the nodes behind that link, so reads there miss an
// acknowledged broadcast. The broadcast checker must catch it under
// --nemesis partition (or lossy links): final reads lack values.
//
// Everything else is the correct node's (internal/broadcast).
//
// Imports: the standard library, the examples' node library, the shared
// broadcast handlers (internal/broadcast).
package main
