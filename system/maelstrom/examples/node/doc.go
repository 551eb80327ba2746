// Package node is a small library for writing Maelstrom nodes in Go: the
// example nodes under system/maelstrom/examples/go are built on it.
//
// A Node reads messages, one JSON object a line, from its input (a node
// process's stdin), answers init by itself, and runs the Handler
// registered for each request's body type in its own goroutine (a
// one-way message, without msg_id, is handled in arrival order on the
// reading goroutine, so its handler must not block). A
// handler returns the reply body (the Node adds msg_id and in_reply_to)
// or an error: a *maelstrom.RPCError is answered with its code, any other
// error as Maelstrom's crash (13, indefinite); Decoded wraps a handler
// that wants its body decoded into a struct. Nodes talk to other nodes
// and to services with Send (no reply expected), Call (a request that
// waits for its reply, bounded by a context and the node's RPC timeout)
// and RPC (the same with a callback). KV speaks to Maelstrom's key-value
// services (lin-kv, seq-kv, lww-kv).
//
// Everything a Node writes goes to its output (stdout) as protocol
// messages; its own log lines go to stderr.
//
// Imports: the standard library and faultline/system/maelstrom (the wire
// types and error codes).
package node
