// Package rsm runs a deterministic state machine on Raft: the replicated
// state machine pattern shared by Faultline's services (the shard controller
// and the sharded KV groups).
//
// A service hands New its StateMachine. Submit proposes a command through
// Raft and waits until that very entry is applied (same index and term),
// returning what the state machine's Apply returned for it; any other
// outcome (lost leadership, a newer term, a timeout, shutdown) is an error,
// so a caller never receives another entry's result. The applier snapshots
// the state machine when Raft's state grows past maxraftstate and installs
// snapshots Raft delivers.
package rsm
