package raft

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"

	"faultline/internal/names"
)

// role is the state of a peer in the Raft protocol.
type role uint8

const (
	roleFollower     role = iota // follower
	roleCandidate                // candidate
	roleLeader                   // leader
	rolePreCandidate             // pre-candidate
)

// String returns the role's name in lower case, e.g. "pre-candidate".
func (r role) String() string {
	return names.Of(r, "role", roleFollower, "follower", "candidate", "leader", "pre-candidate")
}

// Errors of step.
var (
	// errProposalDropped says a proposal reached a peer that is not the
	// leader.
	errProposalDropped = errors.New("raft: proposal dropped: not the leader")
	// errIgnored says a (pre-)vote request reached a peer that heard from
	// a live leader within the minimum election timeout (leader
	// stickiness); it gets no answer.
	errIgnored = errors.New("raft: vote request ignored: the leader is live")
)

// core is the deterministic Raft state machine. It is moved only by step
// and tick; it emits messages, state to persist and entries to apply via
// ready, acknowledged by advance. It starts no goroutines, reads no clock,
// does no I/O and draws randomness only from its seeded source. It is not
// safe for concurrent use.
type core struct {
	id     int
	n      int // peers are 0..n-1
	cfg    Config
	rand   *rand.Rand
	logger *slog.Logger

	term  int
	vote  int
	role  role
	lead  int
	log   raftLog
	prs   []progress // leader only
	votes []int8     // (pre-)candidate only: 1 granted, -1 rejected, 0 unknown

	electionElapsed  int
	heartbeatElapsed int
	electionTimeout  int // randomized, in [ElectionTick, 2*ElectionTick)

	stepFn func(r *core, m message) error
	tickFn func(r *core)

	msgs  []message
	reads readState
	// held are appends that arrived before the entries they follow
	// (reordered in flight); they wait, unanswered, for a few ticks so the
	// pipeline is not torn down by a gap that is about to fill.
	held []heldApp

	persisted   hardState // hard state as last handed out in a ready
	snapDirty   bool      // log.snap changed since the last ready
	installSnap bool      // the service must install log.snap
	inReady     bool      // a ready is out and not yet advanced
	scratch     []int
}

// newCore restores a peer from its persisted state: hard state, snapshot
// (Index 0 when none) and the entries following the snapshot.
func newCore(cfg Config, id, n int, hs hardState, snap snapshot, ents []Entry) (*core, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if n < 1 || id < 0 || id >= n {
		return nil, fmt.Errorf("raft: peer ID %d outside cluster of %d", id, n)
	}
	if hs.Term < 0 || hs.Term > maxTerm {
		return nil, fmt.Errorf("raft: persisted term %d outside [0, %d] (written by a forged message before terms were bounded?)", hs.Term, maxTerm)
	}
	if hs.Vote < none || hs.Vote >= n {
		return nil, fmt.Errorf("raft: persisted vote %d outside cluster of %d", hs.Vote, n)
	}
	r := &core{
		id:     id,
		n:      n,
		cfg:    cfg,
		rand:   rand.New(rand.NewPCG(cfg.Seed, uint64(id)+0x9e3779b97f4a7c15)),
		logger: cfg.logger().With("raft", id),
		term:   hs.Term,
		vote:   hs.Vote,
		lead:   none,
		log:    newLog(snap, ents),
	}
	prevTerm := snap.Term
	for i, e := range ents {
		if e.Term < prevTerm || e.Term > maxTerm {
			return nil, fmt.Errorf("raft: persisted entry %d has term %d below its predecessor's %d or above %d", snap.Index+1+i, e.Term, prevTerm, maxTerm)
		}
		prevTerm = e.Term
	}
	if lt := r.log.lastTerm(); lt > r.term {
		// The log outran a hard state lost in a crash before it was
		// synced; nothing was acknowledged in those terms.
		r.term, r.vote = lt, none
	}
	r.persisted = hardState{Term: hs.Term, Vote: hs.Vote}
	r.becomeFollower(r.term, none)
	return r, nil
}

func (r *core) hardState() hardState { return hardState{Term: r.term, Vote: r.vote} }

func (r *core) quorum() int { return r.n/2 + 1 }

// tick advances logical time by one tick.
func (r *core) tick() {
	r.mustNotBeInReady()
	r.tickFn(r)
}

func (r *core) mustNotBeInReady() {
	if r.inReady {
		panic("raft: core stepped between ready and advance")
	}
}

// step feeds one message into the core. Local proposals to a peer that
// does not lead return errProposalDropped; a message from a peer that is
// malformed or absurd (see check) is dropped unanswered with errMalformed,
// and a (pre-)vote request ignored under leader stickiness with
// errIgnored. Nothing else returns an error.
func (r *core) step(m message) error {
	r.mustNotBeInReady()
	if !m.Type.isLocal() {
		if err := r.check(m); err != nil {
			return err
		}
	}
	switch {
	case m.Type.isLocal():
	case m.Term > r.term:
		if m.Type.isVote() && r.inLease() {
			return errIgnored
		}
		switch {
		case m.Type == msgPreVote:
			// Asking about a later term changes nobody's term.
		case m.Type == msgPreVoteResp && !m.Reject:
			// A granted pre-vote carries the term we would campaign for.
		default:
			lead := none
			if m.Type == msgApp || m.Type == msgHeartbeat || m.Type == msgSnap {
				lead = m.From
			}
			r.becomeFollower(m.Term, lead)
		}
	case m.Term < r.term:
		if m.Type.isRequest() {
			r.rejectStale(m)
		}
		return nil
	}
	switch m.Type {
	case msgHup:
		r.hup()
		return nil
	case msgVote, msgPreVote:
		r.handleVote(m)
		return nil
	}
	return r.stepFn(r, m)
}

// rejectStale answers a request of an older term, telling its sender about
// the newer one.
func (r *core) rejectStale(m message) {
	resp := message{Type: m.Type.response(), To: m.From, Reject: true, Index: m.Index, Context: m.Context, Ref: m.Ref}
	if m.Type == msgSnap {
		resp.Index = m.Snapshot.Index
	}
	r.send(resp)
}

// send queues m from this peer, at the current term unless m names one
// (a pre-vote and a granted pre-vote carry the term asked about).
func (r *core) send(m message) {
	m.From = r.id
	if m.Term == 0 {
		m.Term = r.term
	}
	r.msgs = append(r.msgs, m)
}

func (r *core) reset(term int) {
	if term != r.term {
		r.term = term
		r.vote = none
	}
	r.lead = none
	r.electionElapsed = 0
	r.heartbeatElapsed = 0
	r.electionTimeout = r.cfg.ElectionTick + r.rand.IntN(r.cfg.ElectionTick)
	r.prs = nil
	r.votes = nil
	r.reads.abort()
	for _, h := range r.held {
		if h.m.Term < r.term {
			r.rejectStale(h.m)
		} else {
			r.appendAndRespond(h.m)
		}
	}
	r.held = r.held[:0]
}

func (r *core) becomeFollower(term, lead int) {
	r.reset(term)
	r.role = roleFollower
	r.lead = lead
	r.stepFn = stepFollower
	r.tickFn = tickElection
}

func (r *core) becomeLeader() {
	r.reset(r.term)
	r.role = roleLeader
	r.lead = r.id
	r.stepFn = stepLeader
	r.tickFn = tickHeartbeat
	r.prs = make([]progress, r.n)
	last := r.log.lastIndex()
	for i := range r.prs {
		r.prs[i] = progress{next: last + 1}
	}
	r.prs[r.id].match = last
	r.prs[r.id].state = stateReplicate
	r.logger.Debug("became leader", "term", r.term, "last", last)
	// Probe every follower at once to assert leadership.
	for p := range r.n {
		if p != r.id {
			r.sendAppend(p, true)
		}
	}
}

// stepNotLeading does what a follower and a candidate do alike: drop
// proposals and fail reads. It reports whether m was one of those.
func stepNotLeading(r *core, m message) (bool, error) {
	switch m.Type {
	case msgProp:
		return true, errProposalDropped
	case msgReadIndex:
		r.reads.fail(m.Context, ErrNotLeader)
		return true, nil
	}
	return false, nil
}

func stepFollower(r *core, m message) error {
	if done, err := stepNotLeading(r, m); done {
		return err
	}
	switch m.Type {
	case msgApp, msgHeartbeat:
		r.electionElapsed = 0
		r.lead = m.From
		r.handleAppend(m)
	case msgSnap:
		r.electionElapsed = 0
		r.lead = m.From
		r.handleSnapshot(m)
	}
	return nil
}

func stepCandidate(r *core, m message) error {
	if done, err := stepNotLeading(r, m); done {
		return err
	}
	switch m.Type {
	case msgApp, msgHeartbeat, msgSnap:
		// Someone won this term.
		r.becomeFollower(r.term, m.From)
		return stepFollower(r, m)
	case msgVoteResp, msgPreVoteResp:
		r.recordVote(m)
	}
	return nil
}

func stepLeader(r *core, m message) error {
	switch m.Type {
	case msgProp:
		for _, e := range m.Entries {
			r.log.append(Entry{Term: r.term, Data: e.Data})
		}
		r.prs[r.id].match = r.log.lastIndex()
		if !r.maybeCommit() {
			r.bcastAppend()
		}
	case msgReadIndex:
		r.handleReadIndex(m)
	case msgApp, msgHeartbeat, msgSnap:
		// Two leaders in one term: honest peers never do this, so the
		// message is forged. It is dropped; the simulator checks election
		// safety on its own.
		return fmt.Errorf("%w: leader %d of term %d got %v", errMalformed, r.id, r.term, m)
	case msgAppResp, msgHeartbeatResp, msgSnapResp:
		if m.Index > r.log.lastIndex() {
			return fmt.Errorf("%w: %v acknowledges index %d beyond the last %d", errMalformed, m, m.Index, r.log.lastIndex())
		}
		r.prs[m.From].active = true
	}
	switch m.Type {
	case msgAppResp, msgHeartbeatResp:
		r.handleAppendResponse(m)
	case msgSnapResp:
		pr := &r.prs[m.From]
		pr.stall = 0
		pr.maybeUpdate(m.Index)
		if pr.state == stateSnapshot && pr.match >= pr.pendingSnapshot {
			pr.becomeReplicate()
		}
		if !r.maybeCommit() {
			r.replicate(m.From)
		}
	case msgUnreachable:
		pr := &r.prs[m.From]
		switch pr.state {
		case stateReplicate:
			pr.becomeProbe()
		case stateProbe:
			pr.probeSent = false
		case stateSnapshot:
			pr.pendingSnapshot = 0
			pr.becomeProbe()
		}
		// Retry when the follower next answers a heartbeat.
	}
	return nil
}

func (r *core) handleAppendResponse(m message) {
	pr := &r.prs[m.From]
	r.reads.ack(r, m.From, m.Context)
	if m.Reject {
		if m.Type == msgAppResp && r.maybeDecr(pr, m) {
			r.replicate(m.From)
		}
		return
	}
	if m.Type == msgHeartbeatResp {
		if pr.state == stateProbe {
			// The probe may have been lost: allow another.
			pr.probeSent = false
		} else if pr.stalled() {
			pr.pendingSnapshot = 0
			pr.becomeProbe()
		}
	} else {
		pr.stall = 0
	}
	if pr.maybeUpdate(m.Index) || (pr.state == stateProbe && m.Type == msgAppResp && m.Index == pr.match) {
		switch pr.state {
		case stateProbe:
			pr.becomeReplicate()
		case stateSnapshot:
			if pr.match >= pr.pendingSnapshot {
				pr.becomeReplicate()
			}
		}
		if r.maybeCommit() {
			return
		}
	}
	r.replicate(m.From)
}

// maybeDecr moves next back after a rejected append, using the follower's
// conflict hint. It reports false for stale rejections.
func (r *core) maybeDecr(pr *progress, m message) bool {
	rejected := m.Index
	switch pr.state {
	case stateReplicate:
		if rejected <= pr.match {
			return false
		}
		pr.becomeProbe()
	case stateProbe:
		if rejected != pr.next-1 {
			return false
		}
		pr.probeSent = false
	default:
		return false
	}
	next := m.ConflictIndex
	if m.ConflictTerm != none {
		if i, ok := r.log.lastIndexOfTerm(m.ConflictTerm); ok {
			next = i + 1
		}
	}
	pr.next = max(min(next, rejected), pr.match+1)
	return true
}

// maybeCommit advances the commit index to the highest index stored on a
// quorum, if that entry is of the current term (§5.4.2, Figure 8). When it
// advances, it broadcasts the news.
func (r *core) maybeCommit() bool {
	r.scratch = r.scratch[:0]
	for i := range r.prs {
		r.scratch = append(r.scratch, r.prs[i].match)
	}
	slices.Sort(r.scratch)
	q := r.scratch[r.n-r.quorum()]
	if t, ok := r.log.term(q); !ok || t != r.term || !r.log.commitTo(q) {
		return false
	}
	r.bcastAppend()
	return true
}

// sendAppend sends the entries due to follower to, or an empty append when
// sendEmpty is set and none are due, or a snapshot when the entries are
// compacted. It reports whether it sent anything.
func (r *core) sendAppend(to int, sendEmpty bool) bool {
	pr := &r.prs[to]
	if pr.paused(r.cfg.MaxInflight) {
		return false
	}
	prev := pr.next - 1
	prevTerm, ok := r.log.term(prev)
	if !ok {
		pr.becomeSnapshot(r.log.snap.Index)
		s := r.log.snap
		r.send(message{Type: msgSnap, To: to, Snapshot: &s})
		return true
	}
	var ents []Entry
	if pr.next <= r.log.lastIndex() {
		ents = r.log.slice(pr.next, r.log.lastIndex()+1, r.cfg.MaxBytesPerMsg)
	}
	if len(ents) == 0 && !sendEmpty {
		return false
	}
	r.send(message{Type: msgApp, To: to, Index: prev, LogTerm: prevTerm, Entries: ents, Commit: r.log.committed, Context: r.reads.seq, Pipelined: pr.state == stateReplicate})
	pr.sent(prev+len(ents), len(ents) == 0)
	pr.sentCommit = r.log.committed
	return true
}

// replicate sends follower to whatever is due: new entries up to the
// in-flight limit, else the commit index when it has not been told.
func (r *core) replicate(to int) {
	sent := false
	for r.sendAppend(to, false) {
		sent = true
	}
	pr := &r.prs[to]
	if !sent && pr.sentCommit < r.log.committed && pr.state != stateSnapshot && len(pr.inflight) == 0 {
		r.sendAppend(to, true)
	}
}

func (r *core) bcastAppend() {
	for p := range r.n {
		if p != r.id {
			r.replicate(p)
		}
	}
}

// bcastHeartbeat sends every follower an empty append anchored at its
// match index, which it is known to hold, carrying the commit index and
// the newest read round.
func (r *core) bcastHeartbeat() {
	for p := range r.n {
		if p == r.id {
			continue
		}
		prev := r.prs[p].match
		prevTerm, ok := r.log.term(prev)
		if !ok {
			prev, prevTerm = 0, 0
		}
		r.send(message{Type: msgHeartbeat, To: p, Index: prev, LogTerm: prevTerm, Commit: r.log.committed, Context: r.reads.seq})
	}
}
