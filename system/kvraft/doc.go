// Package kvraft is a fault-tolerant key/value service replicated with
// package raft: the shape of the MIT 6.824 course's lab 3, done for real.
//
// Every KVServer runs one Raft peer. Clients send Get, Put and Append to the
// leader, which starts an Op in the Raft log and answers once that very entry
// (same index and term) has been applied; every replica applies the same ops
// in the same order to a deterministic state machine (Machine), so replicas
// agree. Reads go through the log too, which makes them linearizable without
// clocks.
//
// Exactly-once: each client has a random id and numbers its operations; the
// machine remembers, per client, the highest sequence number it applied and
// skips older or repeated ones. That table is part of the snapshot, so
// duplicates are caught across leader changes, restarts and snapshots.
//
// Snapshots: when the Raft state reaches maxraftstate bytes the server hands
// Raft a snapshot of the machine, and Raft drops the log prefix. A restarted
// server recovers from the snapshot plus the log tail.
//
// Two clients are provided: Clerk, the lab's, which retries forever, and
// Client, which is bounded by a context and reports an unknown outcome when
// the context ends (it implements the harness's backend.Client).
package kvraft
