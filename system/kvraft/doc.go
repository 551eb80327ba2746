// Package kvraft is a fault-tolerant key/value service replicated with
// package raft: the shape of the MIT 6.824 course's lab 3, done for real.
//
// Every KVServer runs one Raft peer. Clients send Get, Put, Append and CAS
// (compare-and-set: set a key to a value if it holds another, or, with
// create, if it holds none; Maelstrom's lin-kv cas) to the leader, which
// starts an Op in the Raft log and answers once that very entry (same
// index and term) has been applied; every replica applies the same ops
// in the same order to a deterministic state machine (Machine), so replicas
// agree. Writes go through the log; reads use Raft's ReadIndex (the leader
// confirms its leadership with a quorum round, then serves from its machine
// once it has applied up to the commit index of the read's start), falling
// back to the log before the leader has committed an entry of its term.
// Either way reads are linearizable without clocks or leases.
//
// The server runs on system/rsm, the one replicated-state-machine driver:
// a handler answers only from the entry it started (the applied entry at
// its index must carry its term, otherwise it answers ErrWrongLeader and
// the client retries), and Raft's leadership events fail waiting handlers
// at once. Many clients' operations are started concurrently and Raft
// batches them. The rsm package documents the path of a Put, stage by
// stage.
//
// Exactly-once: each client has a random id and numbers its operations; the
// machine remembers, per client, the highest sequence number it applied and
// skips older or repeated ones; it also keeps the outcome of each client's
// last CAS, so that a repeated CAS is answered as the first was. That
// table is part of the snapshot, so duplicates are caught across leader
// changes, restarts and snapshots.
//
// Snapshots: when the Raft state reaches maxraftstate bytes the server hands
// Raft a snapshot of the machine, and Raft drops the log prefix. A restarted
// server recovers from the snapshot plus the log tail.
//
// Two clients are provided: Clerk, the lab's, which retries forever, and
// Client, which is bounded by a context and reports an unknown outcome when
// the context ends (system/backend/raftkv adapts it to the harness's
// backend.Client).
//
// # Imports
//
// kvraft imports system/rsm, system/raft, transport, transport/wire and
// internal/names; it never imports system/backend (system/backend/raftkv
// runs it as a cluster of processes and adapts Client to the harness's
// backend.Client).
package kvraft
