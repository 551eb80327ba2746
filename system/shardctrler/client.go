package shardctrler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"faultline/system/raft"
	"faultline/system/rsm"
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
	return &Clerk{servers: servers, id: rsm.NewClientID()}
}

// QueryContext is Query bounded by ctx: it returns ctx's error if no
// replica answered before ctx ended. Servers that poll the controller use it
// so that they can stop.
func (ck *Clerk) QueryContext(ctx context.Context, num int) (Config, error) {
	var reply *QueryReply
	err := ck.do(ctx, "Query", &QueryArgs{Num: num, ClientID: ck.id},
		func() any { reply = &QueryReply{}; return reply }, func(r any) Err { return r.(*QueryReply).Err })
	if err != nil {
		return Config{}, err
	}
	c := reply.Config
	if c.Groups == nil {
		c.Groups = map[int][]string{}
	}
	return c, nil
}

// do calls method on the servers, starting with the last leader, until one
// answers a reply whose error, as errOf reports it, is OK or ErrInvalid (a
// malformed request, such as a move onto a group that does not exist, which
// no retry can fix and which changed nothing), or until ctx ends.
func (ck *Clerk) do(ctx context.Context, method string, args any, newReply func() any, errOf func(any) Err) error {
	for {
		for i := 0; i < len(ck.servers); i++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			srv := (ck.leader + i) % len(ck.servers)
			reply := newReply()
			if ck.servers[srv].Call("ShardCtrler."+method, args, reply) {
				switch errOf(reply) {
				case OK:
					ck.leader = srv
					return nil
				case ErrInvalid:
					ck.leader = srv
					return fmt.Errorf("shardctrler: %s: %w", method, ErrInvalidRequest)
				}
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(retryPause):
		}
	}
}

// ErrInvalidRequest is returned by the Context methods for a request the
// controller refused as malformed (for example a move onto a group that
// does not exist); it changed nothing.
var ErrInvalidRequest = errors.New("invalid request")

// Query returns configuration num, or the latest if num is -1 or larger
// than the newest number.
func (ck *Clerk) Query(num int) Config {
	c, _ := ck.QueryContext(context.Background(), num) // never ends
	return c
}

// Join adds the replica groups servers (gid -> server names).
func (ck *Clerk) Join(servers map[int][]string) { _ = ck.JoinContext(context.Background(), servers) }

// Leave removes the replica groups gids.
func (ck *Clerk) Leave(gids []int) { _ = ck.LeaveContext(context.Background(), gids) }

// Move puts shard on group gid, until the next Join or Leave rebalances.
// A move onto a group that does not exist is refused and changes nothing.
func (ck *Clerk) Move(shard, gid int) { _ = ck.MoveContext(context.Background(), shard, gid) }

// JoinContext is Join bounded by ctx; an error from ctx means the outcome is
// unknown.
func (ck *Clerk) JoinContext(ctx context.Context, servers map[int][]string) error {
	ck.seq++
	return ck.do(ctx, "Join", &JoinArgs{Servers: servers, ClientID: ck.id, Seq: ck.seq},
		func() any { return &JoinReply{} }, func(r any) Err { return r.(*JoinReply).Err })
}

// LeaveContext is Leave bounded by ctx.
func (ck *Clerk) LeaveContext(ctx context.Context, gids []int) error {
	ck.seq++
	return ck.do(ctx, "Leave", &LeaveArgs{GIDs: gids, ClientID: ck.id, Seq: ck.seq},
		func() any { return &LeaveReply{} }, func(r any) Err { return r.(*LeaveReply).Err })
}

// MoveContext is Move bounded by ctx; it returns ErrInvalidRequest for a
// move onto a group that does not exist.
func (ck *Clerk) MoveContext(ctx context.Context, shard, gid int) error {
	ck.seq++
	return ck.do(ctx, "Move", &MoveArgs{Shard: shard, GID: gid, ClientID: ck.id, Seq: ck.seq},
		func() any { return &MoveReply{} }, func(r any) Err { return r.(*MoveReply).Err })
}
