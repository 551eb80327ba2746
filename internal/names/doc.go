// Package names gives the small enumerations of the protocols (Raft's
// roles, the operation kinds of kvraft, shardctrler and shardkv, shardkv's
// shard statuses) their text: one String method each, in one line, instead
// of a generated file per type.
//
// It imports only the standard library.
package names
