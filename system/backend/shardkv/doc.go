// Package shardkv is the "shardkv" backend: Faultline's sharded key/value
// store (system/shardkv with its controller, system/shardctrler) as a
// cluster under test, over TCP with the durable log.
//
// A cluster is one controller group and several replica groups (option
// "groups", default 3), each of Spec.Nodes replicas; every replica is a node
// with its own data directory, running in process mode as `bench node
// shardkv ...` (so kills and pauses are real signals) or in process as
// goroutines. Server names in configurations are the replicas' TCP
// addresses. The cluster starts with every replica group joined and
// implements backend.Membership, so the chaos controller can join, leave
// and move groups while the workload runs, as well as backend.Killer and
// (process mode) backend.Pauser. Nodes run through the shared supervisor
// (system/backend/nodeproc), their NodeConfig passed as arguments.
//
// Start makes the cluster a fresh secret (nodeproc.NewSecret, in
// Spec.Dir): replicas get its file's path in NodeConfig.SecretFile and
// authenticate their listeners and every client (peers, controllers,
// other groups) with it; the harness's clerks, controller clerk and
// fault-control callers hold its bytes.
//
// The harness's clerks share a bounded pool of caller slots (option
// "conns", default DefaultConns: raftkv's measured default): clerk i uses
// slot i mod conns, a tcp client per server address multiplexing the
// calls of every clerk of the slot, and keeps its own session,
// configuration, leader memory and last served node. Closing a clerk
// leaves the slot open; Stop closes the pool. Cluster.ClientSettings
// declares it and Cluster.Bare runs the bare loop (a clerk per client
// called directly over the same pool).
//
// It imports system/backend, system/backend/nodeproc, system/shardkv,
// system/shardctrler, system/raft, system/storage and transport.
package shardkv
