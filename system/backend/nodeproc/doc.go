// Package nodeproc is Faultline's one process supervisor: it runs a
// backend's nodes as child OS processes in their own process groups (so
// that the chaos controller's kills and pauses are real signals: SIGKILL
// loses whatever the node had not made durable, SIGSTOP freezes it
// mid-flight) or in this process. Every backend under system/backend
// (raftkv, shardkv, etcd, memory, mapreduce) starts, kills, restarts,
// pauses and stops its nodes through it.
//
// Set holds a cluster's nodes and gives it Kill, Restart, Pause, Resume
// and Stop by node name, and tells it of a node process that exited by
// itself. A node process's group dies with it: nothing it forked outlives
// it. A node process may talk to the harness over stdin and stdout pipes
// (Command.Stdin and Stdout; SetConfig.Stdio makes fresh ones at every
// start and SetConfig.Started names the process they reach), as the
// Maelstrom backend's nodes do; its stderr still goes to its log. A node's configuration travels to its process in one encoding:
// EncodeArgs renders a config struct as the arguments of `bench node
// BACKEND ...`, DecodeArgs (or RunNode) parses them back in the node.
// Serve, RunNode and StderrLogger are the node side of a node command;
// Poll waits for a starting node; the Faults and Stats services let the
// harness reach into node processes. DiskNode is the body of a node that
// serves a Raft-replicated service from its data directory (its storage
// and Host, opened and closed together), shared by raftkv and shardkv.
//
// Authentication: every backend's Start makes its cluster a fresh per-run
// secret with NewSecret, which writes it to tcp.SecretFile (mode 0600) in
// the cluster's directory. The file's path, never the secret, goes into the
// nodes' arguments (a NodeConfig's SecretFile field); the node reads it
// with LoadSecret (tcp.ReadSecretFile) and its Host, the one place a node
// builds its tcp.Config, sets it on the listener and every client it dials
// (peers, replica groups, fault control). On the harness side,
// Secret.Config is the tcp.Config of every client the harness makes:
// clerks, admin and status callers, the fault-control (RemoteFaults) and
// Stats callers. In-process nodes read the same file. A connection that
// does not prove the secret is closed before a frame is decoded; the
// Stats service reports the node's tcp.ListenerStats, so the harness can
// count rejected connections (NodeStats).
//
// Network (the backend option "network") says where a cluster's nodes
// listen: loopback ports, or with netns each node a host of its own in a
// network namespace (system/backend/kernelnet), its process started
// there (Command.Netns) and its links faulted by the kernel.
//
// It imports system/backend, system/backend/kernelnet, system/storage,
// transport and transport/tcp.
package nodeproc
