package shardkv

import (
	"context"
	"time"

	"faultline/system/kvraft"
	"faultline/system/raft"
	"faultline/system/rsm"
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
	session rsm.Session
	last    string // server that answered the last operation
}

// MakeClerk returns a clerk that asks the controller replicas ctrlers for
// configurations and reaches servers by name through makeEnd.
func MakeClerk(ctrlers []raft.Peer, makeEnd func(string) raft.Peer) *Clerk {
	return &Clerk{
		ctrl:    shardctrler.MakeClerk(ctrlers),
		makeEnd: makeEnd,
		ends:    map[string]raft.Peer{},
		session: rsm.NewSession(),
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
	v, _ := ck.GetContext(context.Background(), key) // never ends
	return v
}

// Put sets key to value.
func (ck *Clerk) Put(key, value string) { _ = ck.PutContext(context.Background(), key, value) }

// Append appends value to key's value.
func (ck *Clerk) Append(key, value string) { _ = ck.AppendContext(context.Background(), key, value) }

// GetContext is Get bounded by ctx: it returns ctx's error if no group
// answered before ctx ended.
func (ck *Clerk) GetContext(ctx context.Context, key string) (string, error) {
	args := GetArgs{Key: key, ClientID: ck.session.ID}
	var value string
	err := ck.do(ctx, key, func(end raft.Peer) Err {
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
	return value, err
}

// PutContext is Put bounded by ctx. An error means the outcome is unknown:
// the Put may or may not have taken effect.
func (ck *Clerk) PutContext(ctx context.Context, key, value string) error {
	return ck.putAppend(ctx, key, value, "Put")
}

// AppendContext is Append bounded by ctx. An error means the outcome is
// unknown.
func (ck *Clerk) AppendContext(ctx context.Context, key, value string) error {
	return ck.putAppend(ctx, key, value, "Append")
}

func (ck *Clerk) putAppend(ctx context.Context, key, value, op string) error {
	args := kvraft.NewPutAppendArgs(&ck.session, op, key, value)
	return ck.do(ctx, key, func(end raft.Peer) Err {
		var reply PutAppendReply
		if !end.Call("ShardKV.PutAppend", &args, &reply) {
			return ErrWrongLeader
		}
		return reply.Err
	})
}

// LastNode names the server that answered the last operation.
func (ck *Clerk) LastNode() string { return ck.last }

// do runs call against the servers of key's group until one answers OK,
// refreshing the configuration when the group is wrong or unreachable, until
// ctx ends.
func (ck *Clerk) do(ctx context.Context, key string, call func(end raft.Peer) Err) error {
	shard := key2shard(key)
	for ck.config.Num == 0 || !ck.tryGroup(ctx, ck.config.Groups[ck.config.Shards[shard]], call) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if ck.config.Num != 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(retryPause):
			}
		}
		cfg, err := ck.ctrl.QueryContext(ctx, -1)
		if err != nil {
			return err
		}
		ck.config = cfg
	}
	return nil
}

// tryGroup tries call on each server of a group; it stops early when the
// group says it does not own the key.
func (ck *Clerk) tryGroup(ctx context.Context, servers []string, call func(end raft.Peer) Err) bool {
	for _, name := range servers {
		if ctx.Err() != nil {
			return false
		}
		switch call(ck.end(name)) {
		case OK:
			ck.last = name
			return true
		case ErrWrongGroup:
			return false
		}
	}
	return false
}
