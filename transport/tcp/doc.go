// Package tcp is Faultline's real-network transport: RPCs over TCP with
// msgpack bodies, implementing transport.ContextCaller on the client side and
// serving a transport.Server on the listening side.
//
// # Wire format
//
// Every message is one frame:
//
//	uint32 length   big-endian, the number of bytes that follow it
//	uint8  type     request, reply or error
//	uint64 id       the request id, echoed by the reply
//	payload         request: uint16 method length, method name, msgpack args
//	                reply:   msgpack reply
//	                error:   the error text (UTF-8)
//
// The request id lets many concurrent calls share one connection: calls are
// pipelined, and replies come back in whatever order the handlers finish. A
// frame longer than Config.MaxFrameSize, a truncated frame or one that does
// not parse closes only the connection it arrived on, with a logged reason.
// Arguments that do not decode, or an unknown service or method, are answered
// with an error frame that reaches the caller as a *transport.RemoteError; the
// connection stays up.
//
// # Concurrency
//
// A Client keeps a small pool of connections per peer (Config.Conns),
// connects lazily on the first call and reconnects with exponential backoff
// after a failure. Each connection has one reader and one writer goroutine;
// the writer batches frames and flushes only when no more are queued. The
// listener runs every request in its own goroutine, so a handler may block
// (a Raft RPC waiting for a lock) without holding up other calls.
//
// # Faults
//
// A Faults table (shared by the clients that name it in their Config) injects
// every fault of transport.LinkFaults on the client side, message by
// message: delay in a uniform, normal or pareto shape, independent or bursty
// drops, duplication, reordering, blocking, a bandwidth limit (by encoded
// frame size) and connection faults on the client's own connections (reset,
// stall, slow close). Requests are subject to the link Config.Node -> peer,
// replies to the link peer -> Config.Node, applied when the reply reaches
// the client. A Client applies them through a narrow interceptor
// (intercept.go) that it has only when its Config names a table: without
// one the client's path costs a nil check, with a healthy table one atomic
// load per message.
//
// It may import the standard library, package transport and transport/wire
// (msgpack) only.
package tcp
