package rsm

import (
	"context"
	"time"

	"faultline/system/raft"
)

// Clerk is the client side of a replicated service in the course's shape,
// shared by the lab clerks of kvraft and the shard controller: the
// replicas' ends, the one that answered last (most likely the leader), and
// the client's Session. A Clerk is for one goroutine at a time.
type Clerk struct {
	Session
	servers []raft.Peer
	leader  int
	pause   time.Duration
}

// NewClerk returns a clerk for servers under a new session. After each
// round of servers tried in vain it pauses for pause, so that a leaderless
// cluster is not hammered.
func NewClerk(servers []raft.Peer, pause time.Duration) *Clerk {
	return &Clerk{Session: NewSession(), servers: servers, pause: pause}
}

// Call calls svcMeth with args on the replicas, starting with the one that
// answered last, until one returns a reply that done accepts, and returns
// that reply. A server that does not answer, or whose reply done refuses (a
// wrong leader, a timeout: retries are deduplicated), is left for the next
// one; a server that timed out may be a leader cut off in a minority. Call
// returns ctx's error if ctx ends first.
func Call[R any](ctx context.Context, c *Clerk, svcMeth string, args any, done func(*R) bool) (*R, error) {
	for {
		for range c.servers {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			reply := new(R)
			if c.servers[c.leader].Call(svcMeth, args, reply) && done(reply) {
				return reply, nil
			}
			c.leader = (c.leader + 1) % len(c.servers)
		}
		t := time.NewTimer(c.pause) // back-off, not synchronisation
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}
