// Package maelstrom runs nodes that speak Maelstrom's protocol (Jepsen's
// Maelstrom: JSON messages, one per line, on a node's stdin and stdout) as
// real processes, and routes their messages through a router that applies
// Faultline's link faults and partitions per directed link.
//
// The pieces, one concept per file:
//
//   - message.go: the wire shapes (Message, Header, error bodies and
//     Maelstrom's error codes with their definite/indefinite meaning) and
//     the bounded line reader every decoder of node output goes through.
//   - endpoint.go: the seam between the router and what it delivers to
//     (node processes, clients c1, c2, ..., and services such as lin-kv).
//   - router.go: the Router, the simulated network: endpoints attached by
//     id, Send over directed links, asynchronous delivery; links.go its
//     link-fault table (transport.LinkFaulter, Faultline's one link-fault
//     model and its draws); sched.go its one delivery goroutine (a heap by
//     due time); peek.go its allocation-free read of a body's header;
//     routerlog.go its message log (Maelstrom's --log-net-send and
//     --log-net-recv), written behind a bounded queue.
//   - stats.go, journal.go: NetStats (all, client and server traffic, by
//     type, drops by cause) and the journal of the first seconds of a run
//     for the message-sequence diagram.
//   - client.go: Client, the harness's client endpoint (c1, c2, ...):
//     calls matched to replies by in_reply_to.
//   - service.go, kv.go, seqkv.go, lwwkv.go: Maelstrom's services lin-kv,
//     seq-kv, lww-kv and lin-tso as endpoints answering over the router;
//     servicestore.go: StoreService, a key/value service whose state is a
//     Store (a raftkv cluster, in the maelstrom backend's option lin-kv),
//     answering as the service's own map would.
//
// Node ids follow Maelstrom: nodes n0 .. n(N-1), clients c1, c2, ...,
// services by their names ("lin-kv", "seq-kv", "lww-kv", "lin-tso").
//
// Imports: the standard library and faultline/transport (link faults and
// their draws). Never workloads, chaos, reports or bench.
package maelstrom
