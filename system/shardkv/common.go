package shardkv

import "faultline/system/shardctrler"

// Err is the outcome code carried in replies.
type Err string

// Outcome codes.
const (
	OK             Err = "OK"
	ErrNoKey       Err = "ErrNoKey"
	ErrWrongGroup  Err = "ErrWrongGroup"
	ErrWrongLeader Err = "ErrWrongLeader"
	ErrTimeout     Err = "ErrTimeout"
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

// GetArgs are the arguments of ShardKV.Get.
type GetArgs struct {
	Key      string
	ClientID int64
	Seq      int64
}

// GetReply answers Get.
type GetReply struct {
	Err   Err
	Value string
}

// PutAppendArgs are the arguments of ShardKV.PutAppend; Op is "Put" or
// "Append".
type PutAppendArgs struct {
	Key      string
	Value    string
	Op       string
	ClientID int64
	Seq      int64
}

// PutAppendReply answers PutAppend.
type PutAppendReply struct {
	Err Err
}

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
