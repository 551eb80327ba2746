package raft

import "errors"

// ErrNotLeader is returned by ReadIndex on a peer that is not the leader,
// or that lost leadership before the read was confirmed.
var ErrNotLeader = errors.New("raft: not the leader")

// ErrNotReady is returned by ReadIndex on a leader that has not yet
// committed an entry of its own term, so its commit index may lag. The
// caller should use the log (Start) instead; once that commits, reads work.
var ErrNotReady = errors.New("raft: leader has not committed an entry of its term")

// readRequest is a read round waiting for a quorum to acknowledge
// heartbeats sent after it was registered.
type readRequest struct {
	ctx   uint64
	index int
}

// readResult is the outcome of a read round: the commit index at which it
// is linearizable, or an error.
type readResult struct {
	ctx   uint64
	index int
	err   error
}

// readState tracks the ReadIndex rounds of a leader (§6.4 of the Raft
// thesis). Contexts increase; a follower's response echoing context c
// proves it accepted this leader's term after every round <= c began.
type readState struct {
	seq     uint64 // newest round registered
	pending []readRequest
	results []readResult
}

func (s *readState) fail(ctx uint64, err error) {
	s.results = append(s.results, readResult{ctx: ctx, err: err})
}

// abort fails every pending round; leadership is gone.
func (s *readState) abort() {
	for _, p := range s.pending {
		s.fail(p.ctx, ErrNotLeader)
	}
	s.pending = s.pending[:0]
}

// ack records that follower from answered a message of this term carrying
// round ctx, and confirms every round a quorum has now acknowledged.
func (s *readState) ack(r *core, from int, ctx uint64) {
	if ctx == 0 {
		return
	}
	pr := &r.prs[from]
	pr.readAck = max(pr.readAck, ctx)
	for len(s.pending) > 0 {
		req := s.pending[0]
		acks := 1
		for p := range r.prs {
			if p != r.id && r.prs[p].readAck >= req.ctx {
				acks++
			}
		}
		if acks < r.quorum() {
			return
		}
		s.results = append(s.results, readResult{ctx: req.ctx, index: req.index})
		s.pending = s.pending[1:]
	}
}

// handleReadIndex registers a read round on the leader and starts a
// heartbeat round to confirm it.
func (r *core) handleReadIndex(m message) {
	if t, _ := r.log.term(r.log.committed); t != r.term {
		r.reads.fail(m.Context, ErrNotReady)
		return
	}
	if r.n == 1 {
		r.reads.results = append(r.reads.results, readResult{ctx: m.Context, index: r.log.committed})
		return
	}
	r.reads.pending = append(r.reads.pending, readRequest{ctx: m.Context, index: r.log.committed})
	r.reads.seq = max(r.reads.seq, m.Context)
	r.bcastHeartbeat()
}
