package raft

import (
	"bytes"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// poisonCommand is a command no peer can decode.
var poisonCommand = []byte("\x82\xa1T\xa6nosuch\xa1V\xc4\x01\xc0 poison")

// TestPoisonAppendRefused: a hostile peer on the network sends every peer
// an AppendEntries that spoofs another peer, at a newer term, carrying a
// command that does not decode and a commit index covering it. Every peer
// refuses it before it reaches the core (an empty reply, counted in
// Refused), no log ever holds it, no peer panics, and the cluster goes on
// committing.
func TestPoisonAppendRefused(t *testing.T) {
	c := newCluster(t, 3, true, false)
	c.begin("poison append refused")
	index := c.one(101, 3, true)
	leader := c.checkOneLeader()
	term, _ := c.raft(leader).GetState()
	for j := range c.n {
		name := "hostile-" + strconv.Itoa(j)
		end := c.net.MakeEnd(name)
		c.net.Connect(name, strconv.Itoa(j))
		c.net.Enable(name, true)
		args := &AppendEntriesArgs{
			Term: term + 1, LeaderID: (j + 1) % c.n, PrevLogIndex: index, PrevLogTerm: term,
			Entries:      EntryList{{Term: term + 1, Data: poisonCommand}},
			LeaderCommit: index + 1,
		}
		var reply AppendEntriesReply
		if !end.Call("Raft.AppendEntries", args, &reply) {
			c.fatalf("peer %d: the hostile call did not return", j)
		}
		if reply.Success || reply.Term != 0 {
			c.fatalf("peer %d answered a poison append: %+v", j, reply)
		}
		if got := c.raft(j).Refused(); got == 0 {
			c.fatalf("peer %d did not count the poison append", j)
		}
	}
	c.one(102, 3, true)
	for j := range c.n {
		if t2, _ := c.raft(j).GetState(); t2 > term+1 {
			// An election may have happened meanwhile, but not because
			// the forged term was adopted by everyone.
			t.Logf("peer %d at term %d", j, t2)
		}
		_, _, _, _, ents, err := c.persisters[j].(memoryTestPersister).LoadState()
		if err != nil {
			c.fatalf("peer %d: %v", j, err)
		}
		for k, b := range ents {
			if bytes.Contains(b, poisonCommand) {
				c.fatalf("peer %d holds the poison command at log position %d", j, k)
			}
		}
	}
}

// recordingService records what a peer applies, and fails on a command
// equal to failOn.
type recordingService struct {
	mu      sync.Mutex
	applied []int
	failOn  any
}

func (s *recordingService) Apply(msgs []ApplyMsg) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range msgs {
		if m.CommandValid && s.failOn != nil && m.Command == s.failOn {
			return &ApplyError{Index: m.CommandIndex, Err: errors.New("the service refuses it")}
		}
		s.applied = append(s.applied, m.CommandIndex)
	}
	return nil
}

func (s *recordingService) Lead(int, bool) {}

func (s *recordingService) indices() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.applied...)
}

// startSolo starts a one-peer cluster on p and makes it commit its log,
// returning once it has stopped on its own.
func startSolo(t *testing.T, p *MemoryPersister, svc Service, logs *bytes.Buffer) *Raft {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	rf, err := New([]Peer{nil}, 0, p, svc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rf.Kill)
	ok := poll(10*time.Second, func() bool {
		_, _, isLeader := rf.Start("next")
		return isLeader
	})
	if !ok {
		t.Fatal("the solo peer did not lead")
	}
	select {
	case <-rf.Stopped():
	case <-time.After(10 * time.Second):
		t.Fatal("the peer did not stop on the entry it cannot apply")
	}
	return rf
}

// TestUndecodableCommittedEntryStopsPeer: a committed entry whose command
// does not decode (written to the log before commands were checked at the
// RPC boundary) stops the peer with an *ApplyError naming the index and
// the cause, after applying everything before it, and without a panic;
// a restart stops again with the same error.
func TestUndecodableCommittedEntryStopsPeer(t *testing.T) {
	p := MakePersister()
	good, err := encodeCommand("ok")
	if err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(p.SetHardState(1, none), p.AppendLog(1, [][]byte{
		appendEntry(nil, Entry{Term: 1, Data: good}),
		appendEntry(nil, Entry{Term: 1, Data: poisonCommand}),
	})); err != nil {
		t.Fatal(err)
	}
	for restart := range 2 {
		svc := &recordingService{}
		var logs bytes.Buffer
		rf := startSolo(t, p, svc, &logs)
		var ae *ApplyError
		if !errors.As(rf.Err(), &ae) || ae.Index != 2 || !strings.Contains(rf.Err().Error(), "index 2") || !strings.Contains(rf.Err().Error(), "does not decode") {
			t.Fatalf("restart %d: Err() = %v, want an ApplyError at index 2 saying the command does not decode", restart, rf.Err())
		}
		if got := svc.indices(); len(got) != 1 || got[0] != 1 {
			t.Fatalf("restart %d: applied %v, want [1]", restart, got)
		}
		if !strings.Contains(logs.String(), "index 2") {
			t.Fatalf("restart %d: the stop was not logged: %q", restart, logs.String())
		}
		rf.Kill()
	}
}

// TestServiceApplyErrorStopsPeer: an entry the Service cannot apply stops
// the peer with the Service's *ApplyError.
func TestServiceApplyErrorStopsPeer(t *testing.T) {
	p := MakePersister()
	svc := &recordingService{failOn: "next"}
	var logs bytes.Buffer
	rf := startSolo(t, p, svc, &logs)
	var ae *ApplyError
	if !errors.As(rf.Err(), &ae) || ae.Index != 1 || !strings.Contains(rf.Err().Error(), "the service refuses it") {
		t.Fatalf("Err() = %v, want the service's ApplyError at index 1", rf.Err())
	}
	if _, _, isLeader := rf.Start("more"); isLeader {
		t.Fatal("a stopped peer accepts commands")
	}
}
