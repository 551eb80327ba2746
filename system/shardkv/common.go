package shardkv

import (
	"faultline/system/kvraft"
	"faultline/system/shardctrler"
)

// Err is the outcome code carried in replies: kvraft's, with two codes of
// its own (ErrWrongGroup, ErrNotReady).
type Err = kvraft.Err

// Outcome codes.
const (
	OK             = kvraft.OK
	ErrNoKey       = kvraft.ErrNoKey
	ErrWrongLeader = kvraft.ErrWrongLeader
	ErrTimeout     = kvraft.ErrTimeout
	// ErrWrongGroup says the group does not serve the key's shard in its
	// current configuration: ask the controller for a newer one.
	ErrWrongGroup Err = "ErrWrongGroup"
	// ErrNotReady says the asked group has not reached the configuration
	// of a shard request yet; ask again later.
	ErrNotReady Err = "ErrNotReady"
)

// key2shard returns the shard of key: its first byte mod NShards, and 0 for
// the empty key.
func key2shard(key string) int {
	if len(key) == 0 {
		return 0
	}
	return int(key[0]) % shardctrler.NShards
}

// Key2Shard exports key2shard for clients and tests of other packages.
func Key2Shard(key string) int { return key2shard(key) }

// The client requests and replies are kvraft's: a shard group serves the
// same Get, Put and Append, under the service name "ShardKV".
type (
	// GetArgs are the arguments of ShardKV.Get.
	GetArgs = kvraft.GetArgs
	// GetReply answers Get.
	GetReply = kvraft.GetReply
	// PutAppendArgs are the arguments of ShardKV.PutAppend; Op is "Put"
	// or "Append".
	PutAppendArgs = kvraft.PutAppendArgs
	// PutAppendReply answers PutAppend.
	PutAppendReply = kvraft.PutAppendReply
)

// PullArgs asks a group for shards it held before configuration ConfigNum.
type PullArgs struct {
	ConfigNum int
	Shards    []int
}

// PullReply carries the asked shards, when Err is OK.
type PullReply struct {
	Err    Err
	Shards map[int]*ShardData
}

// DeleteArgs tells the previous owner that the shards it handed over in
// configuration ConfigNum are installed, so it can delete them.
type DeleteArgs struct {
	ConfigNum int
	Shards    []int
}

// DeleteReply answers Delete.
type DeleteReply struct {
	Err Err
}
