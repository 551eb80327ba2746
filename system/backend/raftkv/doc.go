// Package raftkv is the Faultline backend that runs package kvraft for real:
// every node is a kvraft server whose Raft peer talks to the others over
// transport/tcp on loopback and keeps its log in a storage.FilePersister
// (write-ahead log plus snapshots) in its own directory.
//
// Nodes run either as goroutines of the harness (backend.ModeInProcess) or
// as separate OS processes (backend.ModeProcess) through the shared
// supervisor (system/backend/nodeproc), started from Spec.Exec plus the
// node's NodeConfig as arguments (nodeproc.EncodeArgs); the harness's node
// subcommand hands those arguments to RunNode.
//
// Beyond backend.Cluster the cluster has these powers:
//
//   - backend.Killer: in process mode SIGKILL of the node's process group,
//     and Restart re-executes it on the same data directory and address. In
//     in-process mode Kill stops the node's server, Raft peer, listener and
//     persister at once (records written to the operating system survive, as
//     they would a process kill), and Restart reopens its directory.
//   - backend.Pauser: SIGSTOP/SIGCONT in process mode, returning once the
//     kernel reports the node stopped (or running). In-process nodes
//     cannot be frozen; Pause returns backend.ErrUnsupported.
//   - backend.LeaderFinder: asks every node for its Raft term and role and
//     names the leader of the highest term.
//   - backend.Stats: Raft RPCs sent by the running nodes, counted per method
//     (calls only; the TCP transport does not expose byte counts).
//   - backend.StorageFaulter (process mode, started with
//     Spec.StorageFaults; storage.go): a faultfs mounted over every node's
//     data directory, its bytes in the directory beside it
//     (BackingSuffix), for power loss, disk-full, io-error, slow-disk and
//     corrupt faults; Stop unmounts, and every Start unmounts the stale
//     mounts a killed harness left beside its directory.
//
// Authentication: Start makes the cluster a fresh secret
// (nodeproc.NewSecret, in Spec.Dir); nodes get its file's path in
// NodeConfig.SecretFile, the harness's clients (Client, the admin,
// fault-control and Stats callers) its bytes. Every connection to a node
// proves the secret before a frame is decoded; ListenerStats reports, per
// node, the connections it rejected.
//
// Connections: the harness's clerks share a bounded pool of caller slots
// (nodeproc.NewCallerPool), each a tcp client per node, which multiplexes
// the concurrent calls of every clerk of the slot on one connection:
// clerk i uses slot i mod conns, and keeps its own session (client id and
// sequence numbers), leader memory and last served node. A clerk's Close
// leaves the slot open; the cluster's Stop closes the pool.
// Cluster.ClientSettings (backend.ClientSetup) declares it, and
// Cluster.Bare (backend.Barer) runs the bare loop: a kvraft clerk per
// client called directly over the same pool.
//
// DefaultConns (4) was chosen by measurement on the 2-core development
// machine: one in-process 3-node cluster, fsync off, 64 closed-loop
// clerks, linearizable Get then Put of 10k uniform keys of 128 B, pools
// of 1, 2, 4, 8, 16 and 64 slots, 1 s each, the sizes' order alternating
// round by round, median of 9 rounds (BenchmarkConns, go test -run '^$'
// -bench BenchmarkConns/raftkv -benchtime 3x ./bench/): Get
// 11563, 15402, 16587, 13859, 10081 and 3927 ops/s; Put 8854, 4917, 7388,
// 3431, 5025 and 1607 ops/s. A connection per clerk (64, what the backend
// did before) is 4x slower than 4 shared ones; the machine was shared and
// loaded, so only that order is trusted.
//
// Backend options (Spec.Options): "maxraftstate", the Raft state size in
// bytes that triggers a snapshot (default 4 MiB; -1 never snapshots);
// "reads" ("linearizable" or "unsafe-local", see NodeConfig.Reads); and
// "conns", the caller slots the clerks share (1 to backend.MaxConns,
// default DefaultConns).
//
// It imports system/backend, system/backend/nodeproc, system/kvraft,
// system/raft, system/storage, system/storage/faultfs, transport and
// transport/tcp.
package raftkv
