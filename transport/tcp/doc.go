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
// A Client keeps a pool of connections per peer (Config.Conns, one by
// default), connects lazily on the first call and reconnects with
// exponential backoff after a failure. Each connection has one reader and
// one writer goroutine; senders append their frames to one batch buffer
// and the writer writes the whole batch in one syscall while the next one
// fills (writer.go), so frames sent together share a write (about 20 per
// write with 64 callers). One connection is the default because it batches best:
// with 64 callers on two cores it wrote 12.5 frames per flush against 8
// for two connections, and spent about 15% less CPU per call; more
// connections pay off only when one connection's reader or writer is the
// bottleneck (many cores, large messages). The
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
// # Authentication
//
// With Config.Secret set (on the Listener and on every Client of it), a
// connection proves knowledge of the cluster's per-run secret before a
// single frame is decoded (handshake.go): the client sends a hello with a
// fresh nonce, the server answers with its own nonce and
// HMAC-SHA256(secret, "server" | hello | its nonce), the client checks it
// and answers HMAC-SHA256(secret, "client" | hello | server nonce), and the
// server acknowledges. Nonces come from crypto/rand, MACs are compared in
// constant time, every message has a fixed size, and the hello opens with a
// magic and version checked byte by byte, so junk (an HTTP request, a frame
// from a client without the secret) is refused at its first wrong byte. A
// connection that fails is closed, logged at Warn (never with the secret)
// and counted in ListenerStats.Rejected; a Client's call fails with
// transport.ErrUnreachable wrapping ErrAuth.
//
// Config.TLS adds encryption, for clusters whose traffic crosses hosts:
// mutual TLS 1.3 with certificates from a CA derived from the same secret
// (tls.go), so the secret remains the only thing to distribute.
//
// A nil Secret means no authentication, which keeps the callers that do not
// pass one yet working; a cluster opts in with one field. Making the
// secret mandatory (with an explicit insecure option) would have had to
// change every caller at once, in packages this one does not own.
//
// Plumbing a secret into a cluster, one field per cluster: the harness
// makes it once per run and writes it into the cluster's directory,
//
//	secret := tcp.NewSecret()
//	path, err := tcp.WriteSecretFile(clusterDir, secret) // mode 0600, O_EXCL
//
// passes path (never the secret: it must not appear in argv or logs) to
// processes it starts, which load it with tcp.ReadSecretFile (it refuses a
// file group or others can read, a symlink, or a short one), and sets
// Config.Secret = secret in every tcp.Config the cluster builds: its
// listeners, its peers' Clients, its clerks and the fault-control
// service's clients. The in-process backends pass the []byte directly.
//
// Cost, measured on the 2-core development machine while other work ran
// (BenchmarkHandshake, BenchmarkRatioParallel64, BenchmarkTCPParallel64TLS):
// with the HMAC handshake on, BenchmarkRatioParallel64 gave a median of
// 2.60x net/rpc's call rate against 2.66x without authentication, in
// interleaved runs (the handshake is per connection, not per call); 64
// callers over TLS spent about 12-14 µs of CPU per call against 8-12 µs
// without it. Setting up a connection
// takes about 0.5 ms of wall time with no authentication, about 0.1 ms more
// with the HMAC handshake (~90 µs of CPU) and about 4-5 ms with TLS
// (~1.5 ms of CPU, most of it certificate verification and key exchange).
// Once connected, the HMAC mode costs nothing per call (frames are sent as
// before), while TLS encrypts and decrypts every frame. Connections are
// long-lived and pooled, so HMAC is the default: it authenticates at a
// fraction of TLS's setup cost with no steady-state cost, which is all a
// cluster confined to one host needs; TLS is there for traffic that leaves
// the host.
//
// # Limits and deadlines
//
// A Listener bounds what a peer without the secret can hold (admit.go,
// connreader.go):
//
//   - At most Config.MaxHandshakes connections authenticate at once. A
//     newcomer past the limit closes the oldest of them (counted in
//     Evicted): an attacker holding every slot is pushed out by each new
//     connection, so peers and clients, whose handshake takes a round trip,
//     still get in.
//   - The handshake must finish within Config.HandshakeTimeout.
//   - At most Config.MaxConns authenticated connections are open; one more
//     is closed when it has authenticated (OverLimit).
//   - A frame must arrive within Config.FrameTimeout of its first read that
//     had to wait: a slowloris trickling a byte at a time is dropped
//     (SlowFrames).
//   - A connection with no frame for Config.IdleTimeout, and no request
//     handled in that time, is closed (Idle); its Client redials on the
//     next call.
//
// An idle connection holds no buffers: the writer takes its bufio.Writer
// from a pool per batch, and the reader gives its bufio.Reader back after
// a second without a frame and waits for the next one on a single byte.
// An idle authenticated connection costs about 12 KB of heap and stacks
// for both ends together (TestIdleConnMemory), against 143 KB before.
//
// # Against net/rpc and grpc-go
//
// BenchmarkRatioParallel64 runs 64 concurrent callers of one echo (the
// arguments N: 7, S: "AppendEntries") over loopback against four
// contenders in alternating slices of 4096 calls in one process, so that
// all see the same machine load: this transport (HMAC handshake, one
// connection) carrying a payload with a hand-written codec
// (wire.Appender and wire.Decoder) to a handler registered with
// transport.RegisterFunc (tcp), as grpc's generated code does; the same
// with the payload encoded and the method dispatched by reflection
// (tcp-reflect), as net/rpc does; grpc-go unary calls (protobuf, callers
// sharing one ClientConn and, separately, a pool of two, the same HMAC
// handshake as grpc transport credentials; bench_grpc_test.go says how and
// why); and net/rpc (gob, one client). It reports each one's calls/s, tcp
// over net/rpc (x-netrpc) and over the faster grpc-go pool (x-grpc), and
// tcp-reflect over net/rpc (x-netrpc-reflect):
//
//	go test -run XXX -bench Ratio -benchtime 200000x -count 4 ./transport/tcp/
//	go test -run XXX -bench GRPCPool64 -benchtime 50000x -count 4 ./transport/tcp/  # grpc's pool size
//
// Medians of four rounds at a load average of 11-25 (other helpers
// building and testing): 5.3x net/rpc (4.5-6.8) and 16x the faster grpc-go
// pool (14-18), ours ~122k calls/s, net/rpc ~21k, grpc-go ~7.5k; by
// reflection 3.4x net/rpc (2.9-5.5), ~76k calls/s. At 4-11: 5.6x
// (5.1-6.6) and 14x (13-16), ours ~219k, net/rpc ~38k, grpc-go ~16k; by
// reflection 4.1x (3.4-5.1). In an earlier run at 16-32: 5.0x (4.8-5.5),
// 14x and 3.6x (3.1-4.2). Before the changes below,
// at 17-24: 2.8x (2.1-3.4) and 7.0x; at 3.5-5.8: 3.6x and 7.2x.
//
// The CPU profile of BenchmarkTCPParallel64 put about 30% of the time in
// msgpack (17% decoding args and replies, 10% encoding), 15-19% in read
// and write syscalls, 8% in reflect.Value.Call and most of the rest in
// channel operations and the scheduler. What came off, each measured as
// the median cpu-ns/op of six alternating runs of the two builds: the
// payload's hand-written codec (about a third of the CPU per call;
// x-netrpc from 3.8 to 4.0-5.5 at a load of 5), the writer's batch
// buffer in place of a channel of frames (5%: 3000 to 2855 at
// GOMAXPROCS=1), one deadline sweeper per connection in place of a timer
// per call (3% at GOMAXPROCS=1, 7% at 2: 3260 to 3040) and RegisterFunc's
// direct call (10% at GOMAXPROCS=1: 2443 to 2190). What is left: read and
// write syscalls about 24% (about 20 frames per write), the hand-offs of
// a request to its handler goroutine and of a reply to its caller (channel
// operations, parking and waking) and the scheduler most of the rest; the
// codec about 6%. The block profile shows no lock contention: callers
// wait for replies and idle handlers for requests.
//
// Earlier changes (before the hand-written codec): the benchmark's own
// handler bookkeeping (5%, now BenchEcho, the handler every contender
// runs), the caller's three-way select on its reply, its timer and its
// context, contention on the pending-call table's one mutex (16 shards
// now), the in-flight token channel (an atomic count now) and wire's
// sync.Map type check (a copy-on-write map). Decoding replies in the
// callers instead of the connection's reader lost in four rounds out of
// four and was dropped.
//
// It may import the standard library, package transport and transport/wire
// (msgpack) only; its tests also import grpc-go and protobuf, the
// benchmark's contender.
package tcp
