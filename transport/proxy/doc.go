// Package proxy puts a TCP proxy on every directed link between the nodes
// of a system whose networking Faultline does not own (etcd's peer
// traffic), and applies link faults (transport.LinkFaults) to the bytes
// that flow through it.
//
// A Mesh holds one proxy per directed link from -> to: node from dials the
// proxy's address instead of node to's, so every connection it opens to
// to, and both directions of bytes on it, pass through. Bytes from -> to are
// subject to the faults of link from -> to, bytes to -> from (the replies)
// to those of to -> from, and connection faults of from -> to act on the
// connections of the proxy. A Mesh is a transport.LinkFaulter, so the chaos
// controller drives it as it drives the tables of Faultline's own
// transports.
//
// A TCP stream hides what a packet network does: it never loses, duplicates
// or reorders bytes. So loss is shown as what TCP makes of it, a
// retransmission delay (an initial 200ms timeout, doubled for every further
// loss in a burst); reordering is a hold-back delay; a blocked link stalls
// its bytes until it is healed (as TCP keeps retransmitting through a short
// partition); duplication is refused (SupportsLink).
//
// Server is the accept loop and connection set of the relays that stand
// outside a Mesh (etcd's Fronts, the hostile tests' Relay): it serves each
// accepted connection with a handler and closes them all at Close.
//
// It may import the standard library and package transport only.
package proxy
