package raft

// Elections: pre-vote, vote, leader stickiness and the leader's quorum
// check (§9.6 of Ongaro's thesis; etcd's PreVote and CheckQuorum).

// hup starts an election, with a pre-vote round first when PreVote is on.
// A peer whose term has reached maxTerm never campaigns again: the next
// term would be one its peers refuse.
func (r *core) hup() {
	switch {
	case r.role == roleLeader:
	case r.term >= maxTerm:
		r.logger.Error("term space exhausted: not campaigning", "term", r.term)
	case r.cfg.PreVote:
		r.preCampaign()
	default:
		r.campaign()
	}
}

// becomePreCandidate starts a pre-vote round. Term and vote are unchanged:
// a pre-vote that fails leaves no trace on anyone's term.
func (r *core) becomePreCandidate() {
	r.role = rolePreCandidate
	r.lead = none
	r.votes = make([]int8, r.n)
	r.stepFn = stepCandidate
	r.tickFn = tickElection
	r.electionElapsed = 0
	r.electionTimeout = r.cfg.ElectionTick + r.rand.IntN(r.cfg.ElectionTick)
}

func (r *core) becomeCandidate() {
	r.reset(r.term + 1)
	r.role = roleCandidate
	r.vote = r.id
	r.votes = make([]int8, r.n)
	r.stepFn = stepCandidate
	r.tickFn = tickElection
}

// preCampaign asks every peer whether it would vote for this peer in the
// next term; only a quorum of yes starts the real election.
func (r *core) preCampaign() {
	r.becomePreCandidate()
	r.logger.Debug("pre-campaign", "term", r.term+1)
	r.votes[r.id] = 1
	if r.tally() {
		return
	}
	for p := range r.n {
		if p != r.id {
			r.send(message{Type: msgPreVote, To: p, Term: r.term + 1, Index: r.log.lastIndex(), LogTerm: r.log.lastTerm()})
		}
	}
}

func (r *core) campaign() {
	r.becomeCandidate()
	r.logger.Debug("campaign", "term", r.term)
	r.votes[r.id] = 1
	if r.tally() {
		return
	}
	for p := range r.n {
		if p != r.id {
			r.send(message{Type: msgVote, To: p, Index: r.log.lastIndex(), LogTerm: r.log.lastTerm()})
		}
	}
}

// tally counts votes; it reports whether the round is decided. A won
// pre-vote round starts the election itself.
func (r *core) tally() bool {
	granted, rejected := 0, 0
	for _, v := range r.votes {
		switch v {
		case 1:
			granted++
		case -1:
			rejected++
		}
	}
	switch {
	case granted >= r.quorum() && r.role == rolePreCandidate:
		r.campaign()
		return true
	case granted >= r.quorum():
		r.becomeLeader()
		return true
	case rejected >= r.quorum():
		r.becomeFollower(r.term, none)
		return true
	}
	return false
}

// recordVote counts a (pre-)vote response of the round in progress.
func (r *core) recordVote(m message) {
	pre := r.role == rolePreCandidate
	if (m.Type == msgPreVoteResp) != pre || (pre && !m.Reject && m.Term != r.term+1) {
		return // an answer to another round
	}
	if m.Reject {
		r.votes[m.From] = -1
	} else {
		r.votes[m.From] = 1
	}
	r.tally()
}

// handleVote answers a vote or pre-vote request of a term at least the
// current one. A vote is granted once per term, to a log at least as up
// to date (§5.2, §5.4.1), and not while a leader of this term is known; a
// pre-vote for a later term is granted to any such log and records
// nothing. A granted pre-vote carries the term it was asked for.
func (r *core) handleVote(m message) {
	resp := message{Type: m.Type.response(), To: m.From, Ref: m.Ref, Reject: true}
	canVote := r.vote == m.From || (r.vote == none && r.lead == none) || (m.Type == msgPreVote && m.Term > r.term)
	if canVote && r.log.isUpToDate(m.Index, m.LogTerm) {
		resp.Reject = false
		if m.Type == msgVote {
			r.vote = m.From
			r.electionElapsed = 0
		} else {
			resp.Term = m.Term
		}
	}
	r.send(resp)
}

// inLease reports whether this peer heard from a live leader (or, on the
// leader, from a quorum) within the minimum election timeout. With
// CheckQuorum on, such a peer ignores (pre-)vote requests of later terms:
// leader stickiness, so that a peer that rejoins or a forged request
// cannot depose a healthy leader.
func (r *core) inLease() bool {
	return r.cfg.CheckQuorum && r.lead != none && r.electionElapsed < r.cfg.ElectionTick
}

func tickElection(r *core) {
	r.ageHeld()
	r.electionElapsed++
	if r.electionElapsed >= r.electionTimeout {
		r.electionElapsed = 0
		_ = r.step(message{Type: msgHup})
	}
}

// tickHeartbeat is the leader's tick: heartbeats every HeartbeatTick, and,
// with CheckQuorum, every ElectionTick a check that a quorum answered
// since the last one; a leader that has not heard from one steps down.
func tickHeartbeat(r *core) {
	r.electionElapsed++
	if r.electionElapsed >= r.cfg.ElectionTick {
		r.electionElapsed = 0
		if r.cfg.CheckQuorum && !r.quorumActive() {
			r.logger.Debug("step down: no quorum heard within an election timeout", "term", r.term)
			r.becomeFollower(r.term, none)
			return
		}
	}
	r.heartbeatElapsed++
	if r.heartbeatElapsed >= r.cfg.HeartbeatTick {
		r.heartbeatElapsed = 0
		r.bcastHeartbeat()
	}
}

// quorumActive reports whether a quorum (the leader included) answered
// since the last check, and starts the next check.
func (r *core) quorumActive() bool {
	active := 1
	for p := range r.prs {
		if p != r.id && r.prs[p].active {
			active++
		}
		r.prs[p].active = false
	}
	return active >= r.quorum()
}
