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
	rc *rsm.Clerk
}

// MakeClerk returns a clerk for the controller replicas servers.
func MakeClerk(servers []raft.Peer) *Clerk {
	return &Clerk{rc: rsm.NewClerk(servers, retryPause)}
}

// QueryContext is Query bounded by ctx: it returns ctx's error if no
// replica answered before ctx ended. Servers that poll the controller use it
// so that they can stop.
func (ck *Clerk) QueryContext(ctx context.Context, num int) (Config, error) {
	reply, err := call(ctx, ck, "Query", &QueryArgs{Num: num, ClientID: ck.rc.ID}, func(r *QueryReply) Err { return r.Err })
	if err != nil {
		return Config{}, err
	}
	c := reply.Config
	if c.Groups == nil {
		c.Groups = map[int][]string{}
	}
	return c, nil
}

// call calls method on the replicas, starting with the last leader, until
// one answers a reply whose error, as errOf reports it, is OK or ErrInvalid
// (a malformed request, such as a move onto a group that does not exist,
// which no retry can fix and which changed nothing), or until ctx ends.
func call[R any](ctx context.Context, ck *Clerk, method string, args any, errOf func(*R) Err) (*R, error) {
	reply, err := rsm.Call(ctx, ck.rc, "ShardCtrler."+method, args, func(r *R) bool {
		e := errOf(r)
		return e == OK || e == ErrInvalid
	})
	if err != nil {
		return nil, err
	}
	if errOf(reply) == ErrInvalid {
		return nil, fmt.Errorf("shardctrler: %s: %w", method, ErrInvalidRequest)
	}
	return reply, nil
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
	args := &JoinArgs{Servers: servers, ClientID: ck.rc.ID, Seq: ck.rc.NextSeq()}
	_, err := call(ctx, ck, "Join", args, func(r *JoinReply) Err { return r.Err })
	return err
}

// LeaveContext is Leave bounded by ctx.
func (ck *Clerk) LeaveContext(ctx context.Context, gids []int) error {
	args := &LeaveArgs{GIDs: gids, ClientID: ck.rc.ID, Seq: ck.rc.NextSeq()}
	_, err := call(ctx, ck, "Leave", args, func(r *LeaveReply) Err { return r.Err })
	return err
}

// MoveContext is Move bounded by ctx; it returns ErrInvalidRequest for a
// move onto a group that does not exist.
func (ck *Clerk) MoveContext(ctx context.Context, shard, gid int) error {
	args := &MoveArgs{Shard: shard, GID: gid, ClientID: ck.rc.ID, Seq: ck.rc.NextSeq()}
	_, err := call(ctx, ck, "Move", args, func(r *MoveReply) Err { return r.Err })
	return err
}
