// Package shardkv is the sharded key/value store (the course's lab 4B with
// both challenges): replica groups, each a Raft-replicated state machine,
// serve the shards that the shard controller assigns them, and move shards
// between them while serving.
//
// Each group's leader polls the controller and feeds configurations into its
// log one at a time, in order. Applying configuration N+1 marks every shard
// the group gains as pulling (unless nobody held it), every shard it loses
// as frozen for handover, and leaves the others serving. The new owner pulls
// a frozen shard (its data and its duplicate table, so exactly-once survives
// the move) from the old owner, installs it through its own log and serves it
// at once; then it tells the old owner, which deletes its copy through its
// log (challenge 1: state stays bounded), and the new owner forgets the
// handover. Shards that stay put keep serving throughout, and a shard that
// has arrived serves even if others of the same configuration never can
// (challenge 2). The group moves on to the next configuration only when
// every handover of the current one is complete.
//
// # Imports
//
// shardkv imports system/shardctrler, system/kvraft (its client requests,
// replies and codes), system/rsm, system/raft, transport/wire and
// internal/names; it never imports anything under system/backend.
package shardkv
