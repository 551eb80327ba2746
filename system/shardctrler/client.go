package shardctrler

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"time"

	"faultline/system/raft"
)

// retryPause is how long the clerk waits after trying every server in vain.
const retryPause = 50 * time.Millisecond

// Clerk talks to the controller replicas. It retries until each operation
// succeeds, remembering the last leader. A Clerk is for one goroutine at a
// time.
type Clerk struct {
	servers []raft.Peer
	id      int64
	seq     int64
	leader  int
}

// MakeClerk returns a clerk for the controller replicas servers.
func MakeClerk(servers []raft.Peer) *Clerk {
	return &Clerk{servers: servers, id: randomID()}
}

func randomID() int64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return int64(binary.LittleEndian.Uint64(b[:]) >> 1)
}

// QueryContext is Query bounded by ctx: it returns ctx's error if no
// replica answered before ctx ended. Servers that poll the controller use it
// so that they can stop.
func (ck *Clerk) QueryContext(ctx context.Context, num int) (Config, error) {
	for {
		for i := 0; i < len(ck.servers); i++ {
			if err := ctx.Err(); err != nil {
				return Config{}, err
			}
			srv := (ck.leader + i) % len(ck.servers)
			reply := &QueryReply{}
			if ck.servers[srv].Call("ShardCtrler.Query", &QueryArgs{Num: num, ClientID: ck.id}, reply) && reply.Err == OK {
				ck.leader = srv
				if reply.Config.Groups == nil {
					reply.Config.Groups = map[int][]string{}
				}
				return reply.Config, nil
			}
		}
		select {
		case <-ctx.Done():
			return Config{}, ctx.Err()
		case <-time.After(retryPause):
		}
	}
}

// do calls method on the servers, starting with the last leader, until one
// answers a reply whose error, as errOf reports it, is OK or ErrInvalid (a
// malformed request, such as a move onto a group that does not exist, which
// no retry can fix and which changed nothing).
func (ck *Clerk) do(method string, args any, newReply func() any, errOf func(any) Err) any {
	for {
		for i := 0; i < len(ck.servers); i++ {
			srv := (ck.leader + i) % len(ck.servers)
			reply := newReply()
			if ck.servers[srv].Call("ShardCtrler."+method, args, reply) && (errOf(reply) == OK || errOf(reply) == ErrInvalid) {
				ck.leader = srv
				return reply
			}
		}
		time.Sleep(retryPause)
	}
}

// Query returns configuration num, or the latest if num is -1 or larger
// than the newest number.
func (ck *Clerk) Query(num int) Config {
	c, _ := ck.QueryContext(context.Background(), num) // never ends
	return c
}

// Join adds the replica groups servers (gid -> server names).
func (ck *Clerk) Join(servers map[int][]string) {
	ck.seq++
	ck.do("Join", &JoinArgs{Servers: servers, ClientID: ck.id, Seq: ck.seq},
		func() any { return &JoinReply{} }, func(r any) Err { return r.(*JoinReply).Err })
}

// Leave removes the replica groups gids.
func (ck *Clerk) Leave(gids []int) {
	ck.seq++
	ck.do("Leave", &LeaveArgs{GIDs: gids, ClientID: ck.id, Seq: ck.seq},
		func() any { return &LeaveReply{} }, func(r any) Err { return r.(*LeaveReply).Err })
}

// Move puts shard on group gid, until the next Join or Leave rebalances.
func (ck *Clerk) Move(shard, gid int) {
	ck.seq++
	ck.do("Move", &MoveArgs{Shard: shard, GID: gid, ClientID: ck.id, Seq: ck.seq},
		func() any { return &MoveReply{} }, func(r any) Err { return r.(*MoveReply).Err })
}
