package kvraft

import (
	"context"
	"time"

	"faultline/system/raft"
	"faultline/system/rsm"
)

// Clerk is the lab's client: every operation retries until it succeeds. It
// remembers the last leader. A Clerk is used by one goroutine at a time.
type Clerk struct {
	rc *rsm.Clerk
}

// MakeClerk returns a clerk that talks to servers.
func MakeClerk(servers []raft.Peer) *Clerk {
	return &Clerk{rc: rsm.NewClerk(servers, 20*time.Millisecond)}
}

// Get returns the value of key, or "" if it has none. It retries forever.
func (ck *Clerk) Get(key string) string {
	args := NewGetArgs(&ck.rc.Session, key)
	reply, _ := rsm.Call(context.Background(), ck.rc, "KVServer.Get", &args, func(r *GetReply) bool {
		return r.Err == OK || r.Err == ErrNoKey
	}) // never ends
	return reply.Value
}

// Put sets key to value. It retries forever.
func (ck *Clerk) Put(key, value string) { ck.putAppend(key, value, "Put") }

// Append appends value to key's value. It retries forever.
func (ck *Clerk) Append(key, value string) { ck.putAppend(key, value, "Append") }

func (ck *Clerk) putAppend(key, value, op string) {
	args := NewPutAppendArgs(&ck.rc.Session, op, key, value)
	_, _ = rsm.Call(context.Background(), ck.rc, "KVServer.PutAppend", &args, func(r *PutAppendReply) bool {
		return r.Err == OK
	}) // never ends
}
