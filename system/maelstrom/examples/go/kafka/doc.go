// Command kafka is a Maelstrom node for the kafka workload, kept in
// Maelstrom's lin-kv service so that any node can serve any request and
// a killed node loses nothing acknowledged (the handlers are
// internal/kafka's).
//
// The log of key K is one lin-kv value, "log/K": a JSON array whose index
// is the offset. send reads the array and compare-and-sets it to the
// array with the message appended, retrying on a lost race (code 22), so
// offsets are dense, unique and increasing. The committed offset of K is
// "commit/K", raised (never lowered) the same way by commit_offsets.
//
// An operation that gets no answer from lin-kv in time is answered with
// code 0 (timeout, indefinite); one that lost every race for five seconds
// is answered with 11 (temporarily unavailable, definite: every attempt
// was refused).
//
// Imports: the standard library, the examples' node library, the shared
// kafka handlers (internal/kafka), faultline/system/maelstrom (error
// codes).
package main
