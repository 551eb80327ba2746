package raft

// progressState is how the leader replicates to one follower.
type progressState uint8

const (
	// stateProbe: the follower's log position is unknown; at most one
	// append is outstanding and next is not advanced until it succeeds.
	stateProbe progressState = iota
	// stateReplicate: the follower is known to match up to match; appends
	// are pipelined, next advances optimistically, at most maxInflight
	// appends are outstanding.
	stateReplicate
	// stateSnapshot: a snapshot is on its way; nothing else is sent until
	// it is answered or reported lost.
	stateSnapshot
)

func (s progressState) String() string {
	switch s {
	case stateProbe:
		return "probe"
	case stateReplicate:
		return "replicate"
	case stateSnapshot:
		return "snapshot"
	}
	return "progressState(?)"
}

// progress is the leader's view of one follower.
//
// Invariants: match < next; in stateReplicate, inflight holds the ascending
// last indices of outstanding appends, each in (match, next).
type progress struct {
	match, next     int
	state           progressState
	probeSent       bool  // stateProbe: an append is outstanding
	inflight        []int // stateReplicate: last index of each outstanding append
	pendingSnapshot int   // stateSnapshot: index of the snapshot sent
	sentCommit      int   // commit index carried by the last append sent
	readAck         uint64
	// active: the follower answered since the leader's last quorum check
	// (CheckQuorum).
	active bool
	// stall counts heartbeat responses since the last append or snapshot
	// response: appends that stay unanswered while heartbeats get through
	// were lost without word (a call that never returned).
	stall int
}

// Stall limits, in heartbeat responses, before the leader gives up on what
// it has in flight to a follower and probes again.
const (
	stallAppends  = 3
	stallSnapshot = 10
)

// stalled records a heartbeat response and reports whether what is in
// flight should be presumed lost.
func (pr *progress) stalled() bool {
	pr.stall++
	switch pr.state {
	case stateReplicate:
		return len(pr.inflight) > 0 && pr.stall >= stallAppends
	case stateSnapshot:
		return pr.stall >= stallSnapshot
	}
	return false
}

func (pr *progress) becomeProbe() {
	pr.stall = 0
	if pr.state == stateSnapshot {
		pr.next = max(pr.match+1, pr.pendingSnapshot+1)
	} else {
		pr.next = pr.match + 1
	}
	pr.state = stateProbe
	pr.probeSent = false
	pr.inflight = pr.inflight[:0]
	pr.pendingSnapshot = 0
}

func (pr *progress) becomeReplicate() {
	pr.stall = 0
	pr.state = stateReplicate
	pr.next = pr.match + 1
	pr.probeSent = false
	pr.inflight = pr.inflight[:0]
	pr.pendingSnapshot = 0
}

func (pr *progress) becomeSnapshot(index int) {
	pr.stall = 0
	pr.state = stateSnapshot
	pr.probeSent = false
	pr.inflight = pr.inflight[:0]
	pr.pendingSnapshot = index
}

// maybeUpdate records that the follower matches up to n. It reports whether
// match advanced.
func (pr *progress) maybeUpdate(n int) bool {
	if n <= pr.match {
		return false
	}
	pr.match = n
	pr.next = max(pr.next, n+1)
	pr.freeUpTo(n)
	return true
}

// freeUpTo forgets the outstanding appends that end at or below n.
func (pr *progress) freeUpTo(n int) {
	i := 0
	for i < len(pr.inflight) && pr.inflight[i] <= n {
		i++
	}
	pr.inflight = pr.inflight[:copy(pr.inflight, pr.inflight[i:])]
}

// paused reports whether no more appends may be sent now.
func (pr *progress) paused(maxInflight int) bool {
	switch pr.state {
	case stateProbe:
		return pr.probeSent
	case stateReplicate:
		return len(pr.inflight) >= maxInflight
	}
	return true
}

// sent records an append whose entries end at last (== next-1 when empty).
func (pr *progress) sent(last int, empty bool) {
	switch pr.state {
	case stateProbe:
		pr.probeSent = true
	case stateReplicate:
		if !empty {
			pr.next = last + 1
			pr.inflight = append(pr.inflight, last)
		}
	}
}

// sendsAppendNow reports whether entries appended now would leave at once:
// the core leads and has no followers, or one of them may be sent an
// append. While it is false the driver holds proposals back, so that those
// made until a follower answers join one batch instead of each costing the
// loop an iteration, a log write and a place in an append of its own.
func (r *core) sendsAppendNow() bool {
	if r.role != roleLeader {
		return false
	}
	if r.n == 1 {
		return true
	}
	for p := range r.prs {
		if p != r.id && !r.prs[p].paused(r.cfg.MaxInflight) {
			return true
		}
	}
	return false
}
