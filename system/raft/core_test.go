package raft

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func testConfig() Config {
	return Config{ElectionTick: 10, HeartbeatTick: 1, TickInterval: time.Millisecond, RPCTimeout: time.Second, MaxInflight: 4, MaxBytesPerMsg: 1 << 20, Seed: 1}
}

// newTestCore restores a core whose log holds entries of the given terms.
func newTestCore(t *testing.T, id, n, term int, terms ...int) *core {
	t.Helper()
	ents := make([]Entry, len(terms))
	for i, tm := range terms {
		ents[i] = Entry{Term: tm, Data: []byte{byte(i + 1)}}
	}
	c, err := newCore(testConfig(), id, n, hardState{Term: term, Vote: none}, snapshot{}, ents)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// flush acknowledges the core's ready and returns its messages.
func flush(c *core) []message {
	if !c.hasReady() {
		return nil
	}
	rd := c.ready()
	c.advance(rd)
	return rd.msgs
}

func mustStep(t *testing.T, c *core, m message) {
	t.Helper()
	if err := c.step(m); err != nil {
		t.Fatalf("step %v: %v", m, err)
	}
}

// elect makes c the leader of a new term with the votes of the others.
func elect(t *testing.T, c *core) {
	t.Helper()
	mustStep(t, c, message{Type: msgHup})
	for p := range c.n {
		if p != c.id && c.role != roleLeader {
			mustStep(t, c, message{Type: msgVoteResp, From: p, To: c.id, Term: c.term})
		}
	}
	if c.role != roleLeader {
		t.Fatalf("not elected: %v", c.role)
	}
	flush(c)
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		field string
		mut   func(*Config)
	}{
		{"HeartbeatTick", func(c *Config) { c.HeartbeatTick = 0 }},
		{"ElectionTick", func(c *Config) { c.ElectionTick = c.HeartbeatTick }},
		{"TickInterval", func(c *Config) { c.TickInterval = 0 }},
		{"RPCTimeout", func(c *Config) { c.RPCTimeout = -1 }},
		{"MaxInflight", func(c *Config) { c.MaxInflight = 0 }},
		{"MaxBytesPerMsg", func(c *Config) { c.MaxBytesPerMsg = 0 }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			c := DefaultConfig()
			tc.mut(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("Validate() = %v, want an error naming %s", err, tc.field)
			}
		})
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("DefaultConfig invalid: %v", err)
	}
}

// TestVoteRules: one vote per term, and only for a log at least as up to
// date (§5.2, §5.4.1).
func TestVoteRules(t *testing.T) {
	for _, tc := range []struct {
		name             string
		lastIdx, lastTrm int
		grant            bool
	}{
		{"higher last term", 1, 3, true},
		{"same term, longer", 4, 2, true},
		{"same term, same length", 3, 2, true},
		{"same term, shorter", 2, 2, false},
		{"lower last term, longer", 9, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestCore(t, 0, 3, 2, 1, 2, 2)
			mustStep(t, c, message{Type: msgVote, From: 1, To: 0, Term: 3, Index: tc.lastIdx, LogTerm: tc.lastTrm})
			msgs := flush(c)
			if len(msgs) != 1 || msgs[0].Type != msgVoteResp || msgs[0].Reject == tc.grant {
				t.Fatalf("got %v, want grant=%v", msgs, tc.grant)
			}
			if tc.grant {
				// A second candidate in the same term gets no vote.
				mustStep(t, c, message{Type: msgVote, From: 2, To: 0, Term: 3, Index: 9, LogTerm: 3})
				if msgs := flush(c); len(msgs) != 1 || !msgs[0].Reject {
					t.Fatalf("second vote in one term: %v", msgs)
				}
			}
		})
	}
}

// TestCommitOnlyCurrentTerm: a leader does not commit an entry of an
// earlier term by counting replicas, only through an entry of its own
// term (§5.4.2, Figure 8).
func TestCommitOnlyCurrentTerm(t *testing.T) {
	c := newTestCore(t, 0, 3, 2, 1, 2)
	elect(t, c) // term 3
	mustStep(t, c, message{Type: msgAppResp, From: 1, To: 0, Term: c.term, Index: 2})
	if c.log.committed != 0 {
		t.Fatalf("committed %d of an earlier term by counting", c.log.committed)
	}
	mustStep(t, c, message{Type: msgProp, Entries: []Entry{{Data: []byte("x")}}})
	mustStep(t, c, message{Type: msgAppResp, From: 1, To: 0, Term: c.term, Index: 3})
	if c.log.committed != 3 {
		t.Fatalf("committed %d, want 3", c.log.committed)
	}
}

// TestFastBacktracking: with conflict hints a leader finds the match point
// in about one round trip per conflicting term, not one per entry.
func TestFastBacktracking(t *testing.T) {
	leaderTerms := []int{1, 1, 1, 4, 4, 5, 5, 6, 6, 6}
	for _, tc := range []struct {
		name   string
		terms  []int
		rounds int
	}{
		{"missing entries", []int{1, 1, 1, 4}, 2},
		{"extra uncommitted term", []int{1, 1, 1, 4, 4, 4, 4}, 3},
		{"long stale term", []int{1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3}, 3},
		{"empty", nil, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newTestCore(t, 0, 2, 6, leaderTerms...)
			f := newTestCore(t, 1, 2, 6, tc.terms...)
			mustStep(t, l, message{Type: msgHup})
			mustStep(t, l, message{Type: msgVoteResp, From: 1, To: 0, Term: l.term})
			msgs := flush(l) // the new leader's probe
			rounds := 0
			for l.prs[1].match < l.log.lastIndex() && rounds < 20 {
				rounds++
				var resps []message
				for _, m := range msgs {
					if m.To == 1 && m.Type == msgApp {
						mustStep(t, f, m)
						resps = append(resps, flush(f)...)
					}
				}
				for _, r := range resps {
					mustStep(t, l, r)
				}
				msgs = flush(l)
			}
			if l.prs[1].match != l.log.lastIndex() {
				t.Fatalf("follower not caught up after %d rounds: match %d", rounds, l.prs[1].match)
			}
			if rounds > tc.rounds {
				t.Fatalf("took %d rounds, want at most %d", rounds, tc.rounds)
			}
			for i := 1; i <= l.log.lastIndex(); i++ {
				lt, _ := l.log.term(i)
				ft, _ := f.log.term(i)
				if lt != ft {
					t.Fatalf("logs differ at %d: %d vs %d", i, lt, ft)
				}
			}
		})
	}
}

// TestReadIndexCore: a read is confirmed only once a quorum answered a
// heartbeat sent after it began, and only by a leader that committed in
// its term.
func TestReadIndexCore(t *testing.T) {
	c := newTestCore(t, 0, 3, 1, 1)
	elect(t, c)
	mustStep(t, c, message{Type: msgReadIndex, Context: 1})
	if rd := c.ready(); len(rd.reads) != 1 || !errors.Is(rd.reads[0].err, ErrNotReady) {
		t.Fatalf("read before a commit in term: %+v", rd.reads)
	} else {
		c.advance(rd)
	}
	mustStep(t, c, message{Type: msgProp, Entries: []Entry{{Data: []byte("x")}}})
	mustStep(t, c, message{Type: msgAppResp, From: 1, To: 0, Term: c.term, Index: 2})
	flush(c)
	mustStep(t, c, message{Type: msgReadIndex, Context: 2})
	var hb int
	for _, m := range flush(c) {
		if m.Type == msgHeartbeat && m.Context == 2 {
			hb++
		}
	}
	if hb != 2 {
		t.Fatalf("sent %d heartbeats carrying the read, want 2", hb)
	}
	// An answer to an older round does not confirm it.
	mustStep(t, c, message{Type: msgHeartbeatResp, From: 1, To: 0, Term: c.term, Index: 2, Context: 1})
	if rd := flush(c); len(c.reads.pending) != 1 {
		t.Fatalf("read confirmed by an old round: %v", rd)
	}
	mustStep(t, c, message{Type: msgHeartbeatResp, From: 2, To: 0, Term: c.term, Index: 0, Context: 2})
	rd := c.ready()
	c.advance(rd)
	if len(rd.reads) != 1 || rd.reads[0].err != nil || rd.reads[0].index != 2 || rd.reads[0].ctx != 2 {
		t.Fatalf("read result %+v, want index 2", rd.reads)
	}
	// Losing leadership fails pending reads.
	mustStep(t, c, message{Type: msgReadIndex, Context: 3})
	flush(c)
	mustStep(t, c, message{Type: msgHeartbeat, From: 1, To: 0, Term: c.term + 1})
	rd = c.ready()
	c.advance(rd)
	if len(rd.reads) != 1 || !errors.Is(rd.reads[0].err, ErrNotLeader) {
		t.Fatalf("pending read after losing leadership: %+v", rd.reads)
	}
}

// TestHeldAppend: an append that overtook the one before it waits for it
// instead of being rejected.
func TestHeldAppend(t *testing.T) {
	f := newTestCore(t, 1, 2, 1, 1)
	m1 := message{Type: msgApp, From: 0, To: 1, Term: 1, Index: 1, LogTerm: 1, Entries: []Entry{{Term: 1, Data: []byte("a")}}, Ref: 1, Pipelined: true}
	m2 := message{Type: msgApp, From: 0, To: 1, Term: 1, Index: 2, LogTerm: 1, Entries: []Entry{{Term: 1, Data: []byte("b")}}, Ref: 2, Pipelined: true}
	mustStep(t, f, m2)
	if msgs := flush(f); len(msgs) != 0 {
		t.Fatalf("answered an append past a gap at once: %v", msgs)
	}
	mustStep(t, f, m1)
	msgs := flush(f)
	if len(msgs) != 2 || msgs[0].Ref != 1 || msgs[1].Ref != 2 || msgs[0].Reject || msgs[1].Reject || msgs[1].Index != 3 {
		t.Fatalf("responses %v, want both accepted in order", msgs)
	}
	// A gap that never fills is rejected after a while.
	m4 := message{Type: msgApp, From: 0, To: 1, Term: 1, Index: 9, LogTerm: 1, Entries: []Entry{{Term: 1}}, Ref: 4, Pipelined: true}
	m5 := message{Type: msgApp, From: 0, To: 1, Term: 1, Index: 9, LogTerm: 1, Entries: []Entry{{Term: 1}}, Ref: 5}
	mustStep(t, f, m5)
	if msgs := flush(f); len(msgs) != 1 || !msgs[0].Reject {
		t.Fatalf("a probe past the log was not refused at once: %v", msgs)
	}
	mustStep(t, f, m4)
	var got []message
	for range f.cfg.HeartbeatTick + maxHeldAge {
		f.tick()
		got = append(got, flush(f)...)
	}
	if len(got) != 1 || !got[0].Reject || got[0].Ref != 4 || got[0].ConflictIndex != 4 {
		t.Fatalf("held append not rejected with a hint: %v", got)
	}
}
