package raft

import (
	"errors"
	"math"
	"testing"
)

// TestCheckRefusesAbsurdMessages: a message whose terms or indices are out
// of bounds or inconsistent is dropped before it changes anything: term,
// vote, log and role stay as they were, and no answer goes out.
func TestCheckRefusesAbsurdMessages(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    message
	}{
		{"vote at term MaxInt64", message{Type: msgVote, From: 1, Term: math.MaxInt64, Index: 3, LogTerm: 2}},
		{"pre-vote at term MaxInt64", message{Type: msgPreVote, From: 1, Term: math.MaxInt64, Index: 3, LogTerm: 2}},
		{"append at term MaxInt64-1", message{Type: msgApp, From: 1, Term: math.MaxInt64 - 1, Index: 3, LogTerm: 2}},
		{"negative term", message{Type: msgHeartbeat, From: 1, Term: -1}},
		{"index MaxInt64", message{Type: msgApp, From: 1, Term: 5, Index: math.MaxInt64, LogTerm: 2, Entries: []Entry{{Term: 5}}}},
		{"negative index", message{Type: msgApp, From: 1, Term: 5, Index: -4, LogTerm: 2}},
		{"commit MaxInt64", message{Type: msgHeartbeat, From: 1, Term: 5, Index: 3, LogTerm: 2, Commit: math.MaxInt64}},
		{"log term above term", message{Type: msgVote, From: 1, Term: 5, Index: 9, LogTerm: 6}},
		{"entry term above term", message{Type: msgApp, From: 1, Term: 5, Index: 3, LogTerm: 2, Entries: []Entry{{Term: 6}}}},
		{"entries out of term order", message{Type: msgApp, From: 1, Term: 5, Index: 3, LogTerm: 2, Entries: []Entry{{Term: 4}, {Term: 3}}}},
		{"entry below previous term", message{Type: msgApp, From: 1, Term: 5, Index: 3, LogTerm: 2, Entries: []Entry{{Term: 1}}}},
		{"snapshot term above term", message{Type: msgSnap, From: 1, Term: 5, Snapshot: &snapshot{Index: 9, Term: 7}}},
		{"snapshot missing", message{Type: msgSnap, From: 1, Term: 5}},
		{"sender outside the cluster", message{Type: msgHeartbeat, From: 7, Term: 5}},
		{"sender is the peer itself", message{Type: msgHeartbeat, From: 0, Term: 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestCore(t, 0, 3, 2, 1, 2, 2)
			flush(c)
			before := c.hardState()
			err := c.step(tc.m)
			if !errors.Is(err, errMalformed) {
				t.Fatalf("step(%v) = %v, want errMalformed", tc.m, err)
			}
			if c.hardState() != before || c.role != roleFollower || c.log.lastIndex() != 3 {
				t.Fatalf("refused message changed the peer: %+v %v last %d", c.hardState(), c.role, c.log.lastIndex())
			}
			if msgs := flush(c); len(msgs) != 0 {
				t.Fatalf("refused message answered: %v", msgs)
			}
		})
	}
}

// TestForgedAppendsDoNotCrash: an append at the leader's own term (which
// only a forger sends) and an append that would replace committed entries
// are refused without a panic and without touching the log.
func TestForgedAppendsDoNotCrash(t *testing.T) {
	l := newTestCore(t, 0, 3, 2, 1, 2)
	elect(t, l)
	err := l.step(message{Type: msgApp, From: 1, Term: l.term, Index: 2, LogTerm: 2, Entries: []Entry{{Term: l.term, Data: []byte("x")}}})
	if !errors.Is(err, errMalformed) || l.role != roleLeader || l.log.lastIndex() != 2 {
		t.Fatalf("leader given a same-term append: err %v, role %v, last %d", err, l.role, l.log.lastIndex())
	}
	if err := l.step(message{Type: msgAppResp, From: 1, Term: l.term, Index: 99}); !errors.Is(err, errMalformed) {
		t.Fatalf("acknowledgement beyond the log: %v, want errMalformed", err)
	}

	f := newTestCore(t, 0, 3, 2, 1, 2, 2)
	mustStep(t, f, message{Type: msgHeartbeat, From: 1, Term: 2, Index: 3, LogTerm: 2, Commit: 3})
	flush(f)
	mustStep(t, f, message{Type: msgApp, From: 2, Term: 3, Index: 1, LogTerm: 1, Entries: []Entry{{Term: 3, Data: []byte("forged")}}})
	msgs := flush(f)
	if f.log.lastIndex() != 3 || f.log.committed != 3 || len(msgs) != 1 || !msgs[0].Reject {
		t.Fatalf("append replacing committed entries: last %d committed %d, answer %v", f.log.lastIndex(), f.log.committed, msgs)
	}
	if tm, _ := f.log.term(2); tm != 2 {
		t.Fatalf("committed entry 2 now has term %d", tm)
	}
}

// TestPreVoteKeepsTerms: a pre-vote changes no term and records no vote;
// a pre-candidate that wins its round starts the real election in the
// next term, and one that loses stays in its term.
func TestPreVoteKeepsTerms(t *testing.T) {
	cfg := testConfig()
	cfg.PreVote, cfg.CheckQuorum = true, true
	c, err := newCore(cfg, 0, 3, hardState{Term: 4, Vote: none}, snapshot{}, []Entry{{Term: 4}})
	if err != nil {
		t.Fatal(err)
	}
	mustStep(t, c, message{Type: msgPreVote, From: 1, Term: 5, Index: 1, LogTerm: 4})
	msgs := flush(c)
	if c.term != 4 || c.vote != none || len(msgs) != 1 || msgs[0].Type != msgPreVoteResp || msgs[0].Reject || msgs[0].Term != 5 {
		t.Fatalf("pre-vote: term %d vote %d answer %v", c.term, c.vote, msgs)
	}
	mustStep(t, c, message{Type: msgHup})
	if c.role != rolePreCandidate || c.term != 4 {
		t.Fatalf("after hup: %v term %d", c.role, c.term)
	}
	msgs = flush(c)
	if len(msgs) != 2 || msgs[0].Type != msgPreVote || msgs[0].Term != 5 {
		t.Fatalf("pre-campaign sent %v", msgs)
	}
	mustStep(t, c, message{Type: msgPreVoteResp, From: 1, Term: 5})
	if c.role != roleCandidate || c.term != 5 || c.vote != 0 {
		t.Fatalf("won pre-vote: %v term %d vote %d", c.role, c.term, c.vote)
	}
	flush(c)
	mustStep(t, c, message{Type: msgVoteResp, From: 2, Term: 5})
	if c.role != roleLeader {
		t.Fatalf("won vote: %v", c.role)
	}
	// A live leader's peers ignore votes of later terms.
	flush(c)
	if err := c.step(message{Type: msgVote, From: 1, Term: 9, Index: 5, LogTerm: 5}); !errors.Is(err, errIgnored) || c.term != 5 || c.role != roleLeader {
		t.Fatalf("vote to a leader in its lease: %v, term %d, %v", err, c.term, c.role)
	}
}
