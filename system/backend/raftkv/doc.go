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
//
// Authentication: Start makes the cluster a fresh secret
// (nodeproc.NewSecret, in Spec.Dir); nodes get its file's path in
// NodeConfig.SecretFile, the harness's clients (Client, the admin,
// fault-control and Stats callers) its bytes. Every connection to a node
// proves the secret before a frame is decoded; ListenerStats reports, per
// node, the connections it rejected.
//
// Backend options (Spec.Options): "maxraftstate", the Raft state size in
// bytes that triggers a snapshot (default 4 MiB; -1 never snapshots).
//
// It imports system/backend, system/backend/nodeproc, system/kvraft,
// system/raft, system/storage, transport and transport/tcp.
package raftkv
