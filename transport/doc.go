// Package transport is Faultline's RPC layer: the seam every system under
// test talks through.
//
// The caller side is one small interface in the shape of the MIT 6.824
// course's labrpc.ClientEnd: Call(svcMeth, args, reply) bool. A context-aware
// form, CallContext, says which of timeout, unreachable or remote error
// happened. The server side is a Server that registers receivers by
// reflection: every exported method shaped
//
//	func (s *T) M(args *A, reply *R)
//
// becomes the RPC "T.M". RegisterFunc adds one typed function as a
// method, called without reflection, for a hot path. Bodies are encoded
// with msgpack (package wire), by reflection or, for a type that
// implements wire.Appender and wire.Decoder, by its own code.
//
// Two implementations live in sub-packages and share this package's
// dispatcher, codec and fault model: transport/tcp (framed, multiplexed msgpack
// over TCP) and transport/simnet (an in-memory, seeded network for
// deterministic tests, in the shape of the course's labrpc network).
//
// Both implement LinkFaulter, the seam the chaos controller drives: per
// directed link delay with jitter in a chosen distribution, drops (bursty
// if asked), duplication, reordering, blocking, a bandwidth limit and, on
// tcp, connection faults (reset, stall, slow close). FaultSupport says which
// of them a LinkFaulter applies.
//
// It may import the standard library and transport/wire (msgpack) only;
// never system, workloads, chaos, bench or reports.
package transport
