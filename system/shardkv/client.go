package shardkv

import (
	"crypto/rand"
	"encoding/binary"
	"time"

	"faultline/system/raft"
	"faultline/system/shardctrler"
)

// retryPause is how long the clerk waits before asking the controller for a
// newer configuration after no server of the right group answered.
const retryPause = 100 * time.Millisecond

// Clerk is a client of the sharded store. It finds each key's group from the
// controller's latest configuration, retries until each operation is done,
// and re-queries the controller on ErrWrongGroup. A Clerk is for one
// goroutine at a time.
type Clerk struct {
	ctrl    *shardctrler.Clerk
	config  shardctrler.Config
	makeEnd func(string) raft.Peer
	ends    map[string]raft.Peer
	id      int64
	seq     int64
}

// MakeClerk returns a clerk that asks the controller replicas ctrlers for
// configurations and reaches servers by name through makeEnd.
func MakeClerk(ctrlers []raft.Peer, makeEnd func(string) raft.Peer) *Clerk {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return &Clerk{
		ctrl:    shardctrler.MakeClerk(ctrlers),
		makeEnd: makeEnd,
		ends:    map[string]raft.Peer{},
		id:      int64(binary.LittleEndian.Uint64(b[:]) >> 1),
	}
}

func (ck *Clerk) end(name string) raft.Peer {
	e, ok := ck.ends[name]
	if !ok {
		e = ck.makeEnd(name)
		ck.ends[name] = e
	}
	return e
}

// Get returns the value of key, or "" if it has none.
func (ck *Clerk) Get(key string) string {
	args := GetArgs{Key: key, ClientID: ck.id}
	var value string
	ck.do(key, func(end raft.Peer) Err {
		var reply GetReply
		if !end.Call("ShardKV.Get", &args, &reply) {
			return ErrWrongLeader
		}
		value = reply.Value
		if reply.Err == ErrNoKey {
			return OK
		}
		return reply.Err
	})
	return value
}

// Put sets key to value.
func (ck *Clerk) Put(key, value string) { ck.putAppend(key, value, "Put") }

// Append appends value to key's value.
func (ck *Clerk) Append(key, value string) { ck.putAppend(key, value, "Append") }

func (ck *Clerk) putAppend(key, value, op string) {
	ck.seq++
	args := PutAppendArgs{Key: key, Value: value, Op: op, ClientID: ck.id, Seq: ck.seq}
	ck.do(key, func(end raft.Peer) Err {
		var reply PutAppendReply
		if !end.Call("ShardKV.PutAppend", &args, &reply) {
			return ErrWrongLeader
		}
		return reply.Err
	})
}

// do runs call against the servers of key's group until one answers OK,
// refreshing the configuration when the group is wrong or unreachable.
func (ck *Clerk) do(key string, call func(end raft.Peer) Err) {
	shard := key2shard(key)
	if ck.config.Num == 0 {
		ck.config = ck.ctrl.Query(-1)
	}
	for !ck.tryGroup(ck.config.Groups[ck.config.Shards[shard]], call) {
		time.Sleep(retryPause)
		ck.config = ck.ctrl.Query(-1)
	}
}

// tryGroup tries call on each server of a group; it stops early when the
// group says it does not own the key.
func (ck *Clerk) tryGroup(servers []string, call func(end raft.Peer) Err) bool {
	for _, name := range servers {
		switch call(ck.end(name)) {
		case OK:
			return true
		case ErrWrongGroup:
			return false
		}
	}
	return false
}
