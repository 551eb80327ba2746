// Package wire is Faultline's one encoding: msgpack
// (github.com/hashicorp/go-msgpack/v2) configured identically for every
// transport, plus a small type registry so that values held in interfaces
// (a Raft log command, say) keep their dynamic type across the wire, as the
// course's labgob does.
//
// A hot message type may carry its own codec (Appender and Decoder, hand.go)
// built from the Append* functions and a Reader: Append and Unmarshal use it
// instead of reflection, which cut BenchmarkTCPParallel64's CPU per call by
// about a third. It must produce the reflective encoding byte for byte
// (fields as a map in name order) and read it back to the same value, so
// that peers and nested values need not know it; package wiretest checks
// both against reflection and fuzzes the decoder. The Reader checks every
// length against the input left before believing it, so hostile input
// cannot make a hand-written decoder allocate more than it sent.
//
// It may import the standard library and msgpack only.
package wire
