// Package wire is Faultline's one encoding: msgpack
// (github.com/hashicorp/go-msgpack/v2) configured identically for every
// transport, plus a small type registry so that values held in interfaces
// (a Raft log command, say) keep their dynamic type across the wire, as the
// course's labgob does.
//
// It may import the standard library and msgpack only.
package wire
