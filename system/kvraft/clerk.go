package kvraft

import (
	"time"

	"faultline/system/raft"
	"faultline/system/rsm"
)

// Clerk is the lab's client: every operation retries until it succeeds. It
// remembers the last leader. A Clerk is used by one goroutine at a time.
type Clerk struct {
	servers []raft.Peer
	id      int64
	seq     int64
	leader  int
}

// MakeClerk returns a clerk that talks to servers.
func MakeClerk(servers []raft.Peer) *Clerk {
	return &Clerk{servers: servers, id: rsm.NewClientID()}
}

// Get returns the value of key, or "" if it has none. It retries forever.
func (ck *Clerk) Get(key string) string {
	ck.seq++
	args := GetArgs{Key: key, ClientID: ck.id, Seq: ck.seq}
	for tried := 0; ; tried++ {
		var reply GetReply
		if ck.servers[ck.leader].Call("KVServer.Get", &args, &reply) {
			if reply.Err == OK || reply.Err == ErrNoKey {
				return reply.Value
			}
		}
		ck.next(tried)
	}
}

// Put sets key to value. It retries forever.
func (ck *Clerk) Put(key, value string) { ck.putAppend(key, value, "Put") }

// Append appends value to key's value. It retries forever.
func (ck *Clerk) Append(key, value string) { ck.putAppend(key, value, "Append") }

func (ck *Clerk) putAppend(key, value, op string) {
	ck.seq++
	args := PutAppendArgs{Key: key, Value: value, Op: op, ClientID: ck.id, Seq: ck.seq}
	for tried := 0; ; tried++ {
		var reply PutAppendReply
		if ck.servers[ck.leader].Call("KVServer.PutAppend", &args, &reply) {
			if reply.Err == OK {
				return
			}
		}
		ck.next(tried)
	}
}

// next moves to the next server, pausing briefly after a full round of
// refusals so a leaderless cluster is not hammered. A server that timed out
// is left too: it may be a leader cut off in a minority.
func (ck *Clerk) next(tried int) {
	ck.leader = (ck.leader + 1) % len(ck.servers)
	if (tried+1)%len(ck.servers) == 0 {
		time.Sleep(20 * time.Millisecond) // back-off, not synchronisation
	}
}
