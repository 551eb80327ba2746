// Package shardctrler is the shard controller of the sharded KV store (the
// course's lab 4A): a Raft-replicated service that keeps the numbered
// sequence of configurations saying which replica group serves each of the
// NShards shards.
//
// Join adds replica groups, Leave removes them, Move pins one shard on one
// group, and Query reads a configuration. After Join and Leave the
// controller rebalances: shard counts per group differ by at most one, every
// shard sits on a live group when there is any, and as few shards move as
// possible. The apply function is deterministic: replicas that apply the
// same operations hold the same configurations, whatever Go's map iteration
// order.
//
// # Imports
//
// shardctrler imports system/rsm, system/raft, transport/wire and
// internal/names; it never imports kvraft, shardkv or anything under
// system/backend.
package shardctrler
