// Package history is Faultline's record of what happened during a run: every
// client operation with its invocation and completion times and its outcome,
// and every fault or other event the harness injected.
//
// # Model
//
// An Op is one client operation, in the shape of a Jepsen history entry
// collapsed to one record: the client, the kind (get/put/append for
// key/value workloads, read/write/cas for register workloads), the key, the
// argument (Value, plus Expect for cas), the result (Output, for reads), the
// invoke and complete times, the Outcome and the node that served it.
//
// Times are int64 nanoseconds since the start of the run, read from a
// monotonic clock (see Clock). Outcomes follow Jepsen: OK means the operation
// took effect and Output is its result; Fail means it definitely did not take
// effect; Info means the client does not know (a timeout, a lost connection),
// so the operation may take effect at any time after its invocation, even
// after Complete, which then only records when the client stopped waiting.
//
// An Event is a fault window or a point event (kind, start, stop, nodes,
// description), recorded so that reports can shade fault windows beside the
// operations.
//
// # File format
//
// A history is one JSON-lines stream holding both kinds of record, in any
// order; each line is an object whose "type" field is "op" or "event":
//
//	{"type":"op","client":3,"kind":"append","key":"k1","value":"c3.s17;","invoke":1200,"complete":5100,"outcome":"ok","node":"n2"}
//	{"type":"op","client":4,"kind":"get","key":"k1","output":"c3.s17;","invoke":5300,"complete":7000,"outcome":"ok"}
//	{"type":"event","kind":"partition","start":4000,"stop":9000,"nodes":["n1"],"desc":"isolate n1"}
//
// Empty string fields are omitted. Unknown fields, unknown kinds and outcomes
// and impossible times are rejected by the Reader with the line number.
// Writer is safe for concurrent use by many client goroutines and buffers
// its output; a Batch in front of it lets one client encode its ops
// without the Writer's lock and hand them over some 4 KiB at a time.
// Reader streams, one record at a time. ReadAll and ReadFile return the
// ops as one slice; ReadKeyed and ReadKeyedFile split them by
// key while reading (Keyed: per key, the ops in stream order with their
// stream positions), which is how the checker takes a large history: one
// decode, no flat copy. The reader interns keys, node names and error
// texts, so a long history holds each once.
//
// # Append tokens
//
// The append workload appends unique, self-delimiting tokens (see Token):
// "c<client>.s<seq>;". A value is a concatenation of tokens, so any read of a
// key reveals the exact order of every append it contains.
//
// # Imports
//
// history imports the standard library only, so that every layer above
// (reports included) can read histories.
package history
