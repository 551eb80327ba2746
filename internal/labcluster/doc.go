// Package labcluster is the one lab test harness, shared by the tests of
// kvraft, shardctrler, shardkv and rsm: groups of Raft-backed servers on a
// seeded simulated network, in the shape of the course's lab test
// configs. A Group starts, crashes and restarts servers (keeping a copy of
// what they persisted), partitions them, and hands out client ends whose
// reachability follows the partitions and a per-client reach. NewNet
// seeds the network from -seed (logged, so a run replays), and WaitFor and
// Within bound every wait of a test by a deadline.
//
// Several groups may share one network (the sharded KV store's controller
// group and replica groups), each with its own name prefix.
//
// It may import system/raft, transport, transport/simnet, internal/testseed
// and the standard library; only tests import it.
package labcluster
