// Package raft is Faultline's Raft (Ongaro and Ousterhout, "In Search of an
// Understandable Consensus Algorithm"), with the API of the MIT 6.824
// course's Raft lab: Make, Start, GetState, Snapshot, Kill and an apply
// channel of ApplyMsg, RPC handlers "Raft.RequestVote",
// "Raft.AppendEntries" and "Raft.InstallSnapshot" on *Raft.
//
// # Structure
//
// The protocol lives in a deterministic core (core.go, log.go,
// progress.go, read.go, ready.go): a state machine moved only by step
// (a message) and tick (logical time). It emits, through ready, the hard
// state and log suffix to persist, messages to send, entries to apply and
// read results; advance acknowledges them. It has no goroutines, clocks or
// I/O, and draws election timeouts from a source seeded by Config.Seed, so
// a seeded simulator (sim_test.go) replays any run exactly.
//
// The driver (driver.go) is the only place with goroutines: one event loop
// owns the core and the storage, one goroutine carries each RPC in flight
// (a slow or unreachable peer delays nobody else), and an applier feeds
// the apply channel without holding locks. The loop takes every event that
// is waiting (proposals, requests, responses, ticks) before it acts, so
// that proposals made meanwhile travel in one AppendEntries per follower
// and one storage Sync covers them all (group commit); responses are sent
// only once what they acknowledge is persisted.
//
// # Protocol details
//
// Leaders replicate to each follower in one of three modes: probing (one
// append in flight until the follower's position is found), replicating
// (appends pipelined, up to Config.MaxInflight in flight) and snapshot
// (an InstallSnapshot in flight). Rejections carry a conflict term and
// index, so a leader skips a whole term per round trip. Only entries of
// the current term are committed by counting replicas (§5.4.2). Idle
// leaders send a heartbeat every Config.HeartbeatTick ticks (100 ms by
// default), anchored at the follower's known match index; election
// timeouts are drawn from [ElectionTick, 2*ElectionTick) ticks (300-600 ms
// by default). There is no no-op entry at the start of a term: the
// course's tests expect the first command at index 1.
//
// # Persistence
//
// A Persister in the course's shape stores the state as one blob
// (currentTerm, votedFor, the snapshot's index and term, the log) rewritten
// on each change. If the Persister also implements LogStore (as
// system/storage's FilePersister does), the log is written incrementally
// instead, and one Sync per loop iteration covers every append made in it.
//
// # Reads
//
// ReadIndex confirms leadership with one heartbeat round and returns the
// commit index a linearizable read must wait for, without adding to the
// log (§6.4 of Ongaro's thesis).
package raft
