package raft

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"faultline/internal/testseed"
)

// Election safety scenarios in the simulator: PreVote, CheckQuorum and the
// bounds on terms, on a cluster with no random faults, where the test
// makes the faults itself. Each run's seed is drawn at random and logged
// on failure; -seed replays one.

// simTickEvery is the virtual time between two ticks of a peer in these
// scenarios; an election timeout is ElectionTick ticks.
const simTickEvery = 10

// quietSim starts n peers with PreVote and CheckQuorum on, a reliable
// network and no random faults, and runs it until a leader has committed
// an entry on every peer.
type quietSim struct {
	*sim
	phase []int64
}

func newQuietSim(t *testing.T, n int) quietSim {
	t.Helper()
	seed := testseed.Or(t, rand.Uint64())
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	p := simParams{n: n, maxDelay: 3, compactGap: 1 << 30, maxInflight: 4, maxBytes: 1 << 20, preVote: true, checkQuorum: true}
	q := quietSim{sim: newSimWith(t, seed, rng, p), phase: make([]int64, n)}
	for i := range q.phase {
		q.phase[i] = rng.Int64N(simTickEvery)
	}
	q.settle()
	return q
}

// electionUnits is one base election timeout in virtual time.
func (q quietSim) electionUnits() int64 { return int64(q.cfg.ElectionTick) * simTickEvery }

// runFor advances virtual time by d units without random faults.
func (q quietSim) runFor(d int64) {
	for end := q.now + d; q.now < end; {
		q.now++
		q.unit(q.phase, simTickEvery, false)
	}
}

// runUntil advances virtual time until cond holds, for at most d units.
func (q quietSim) runUntil(d int64, what string, cond func() bool) {
	for end := q.now + d; !cond(); {
		if q.now >= end {
			q.fatalf("no %s within %d units", what, d)
		}
		q.now++
		q.unit(q.phase, simTickEvery, false)
	}
}

// leader returns the one live peer that believes it leads, or nil.
func (q quietSim) leader() *simNode {
	var l *simNode
	for _, nd := range q.nodes {
		if nd.c != nil && nd.c.role == roleLeader {
			if l != nil {
				return nil
			}
			l = nd
		}
	}
	return l
}

// settle waits for a leader and for an entry of its term to be applied
// everywhere.
func (q quietSim) settle() *simNode {
	q.runUntil(50*q.electionUnits(), "leader", func() bool { return q.leader() != nil })
	q.propose(q.leader())
	q.runUntil(50*q.electionUnits(), "convergence", q.converged)
	return q.leader()
}

// isolate cuts peer i off from every other (both directions), or joins it
// back.
func (q quietSim) isolate(i int, cut bool) {
	for j := range q.p.n {
		if j != i {
			q.conn[i][j], q.conn[j][i] = !cut, !cut
		}
	}
}

// TestSimRejoinDoesNotDepose: a follower cut off for many election
// timeouts campaigns only in pre-votes, so its term stays put, and when it
// returns the leader keeps its leadership and its term (PreVote, leader
// stickiness).
func TestSimRejoinDoesNotDepose(t *testing.T) {
	for _, n := range []int{3, 5} {
		q := newQuietSim(t, n)
		l := q.leader()
		term := l.c.term
		f := q.nodes[(l.id+1)%n]
		q.isolate(f.id, true)
		q.runFor(20 * q.electionUnits())
		if f.c.term != term {
			q.fatalf("isolated follower %d moved from term %d to %d", f.id, term, f.c.term)
		}
		q.isolate(f.id, false)
		q.runFor(20 * q.electionUnits())
		if now := q.leader(); now != l || l.c.term != term {
			q.fatalf("leader %d of term %d deposed by a rejoining follower: leader %v, term %d", l.id, term, now, l.c.term)
		}
		q.propose(l)
		q.runUntil(10*q.electionUnits(), "convergence", q.converged)
	}
}

// TestSimIsolatedLeaderStepsDown: a leader cut off from every follower
// steps down within the longest election timeout (2*ElectionTick ticks;
// CheckQuorum), and the others elect a leader of their own.
func TestSimIsolatedLeaderStepsDown(t *testing.T) {
	for _, n := range []int{3, 5} {
		q := newQuietSim(t, n)
		l := q.leader()
		q.isolate(l.id, true)
		start := q.now
		q.runUntil(2*q.electionUnits()+simTickEvery, "step-down of the isolated leader", func() bool { return l.c.role != roleLeader })
		q.logf("leader %d stepped down after %d units", l.id, q.now-start)
		q.runUntil(20*q.electionUnits(), "new leader", func() bool {
			nl := q.leader()
			return nl != nil && nl != l
		})
		q.isolate(l.id, false)
		q.settle()
	}
}

// forgeVote delivers to every live peer a RequestVote at term that spoofs
// another real peer's ID, and returns how many the peers refused as
// malformed. No peer may fail in any other way.
func (q quietSim) forgeVote(term int) int {
	refused := 0
	for _, nd := range q.nodes {
		if nd.c == nil {
			continue
		}
		m := message{Type: msgVote, From: (nd.id + 1) % q.p.n, To: nd.id, Term: term, Index: min(term, maxIndex), LogTerm: max(term-1, 0)}
		err := nd.c.step(m)
		switch {
		case errors.Is(err, errMalformed):
			refused++
		case err != nil && !errors.Is(err, errIgnored):
			q.fatalf("forged vote: %v", err)
		}
		q.afterStep(nd)
	}
	return refused
}

// TestSimForgedVoteAtMaxTerm: a RequestVote spoofing a real peer at term
// MaxInt64 is refused by every peer, before and after every peer
// restarts; a forged one at a large term within the bound does not depose
// a live leader (leader stickiness), and after a restart of every peer it
// costs at most an election. Either way the cluster keeps a leader and
// commits.
func TestSimForgedVoteAtMaxTerm(t *testing.T) {
	q := newQuietSim(t, 3)
	l := q.leader()
	term := l.c.term
	if got := q.forgeVote(math.MaxInt64); got != q.p.n {
		q.fatalf("%d of %d peers refused a vote at term MaxInt64", got, q.p.n)
	}
	q.forgeVote(1 << 40)
	q.runFor(5 * q.electionUnits())
	if q.leader() != l || l.c.term != term {
		q.fatalf("forged votes deposed leader %d of term %d", l.id, term)
	}
	// Restart every peer: no leader is live, nobody is in a lease.
	for _, nd := range q.nodes {
		q.boot(nd)
	}
	if got := q.forgeVote(math.MaxInt64); got != q.p.n {
		q.fatalf("%d of %d restarted peers refused a vote at term MaxInt64", got, q.p.n)
	}
	q.forgeVote(1 << 40)
	nl := q.settle()
	if nl.c.term <= 0 || nl.c.term > maxTerm {
		q.fatalf("leader %d at term %d", nl.id, nl.c.term)
	}
	for _, nd := range q.nodes {
		q.boot(nd)
	}
	q.settle()
}
