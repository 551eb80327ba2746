// Package labcluster is shared test code: a group of Raft-backed servers on
// a simulated network, in the shape of the course's lab test configs. It
// starts, crashes and restarts servers (keeping a copy of what they
// persisted), partitions them, and hands out client ends whose reachability
// follows the partitions.
//
// Several groups may share one simnet.Network (the sharded KV store's
// controller group and replica groups), each with its own name prefix.
package labcluster
