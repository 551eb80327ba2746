package raft

import (
	"bytes"
	"errors"
	"math"
	"math/rand"
	"reflect"
	"testing"

	"faultline/transport/wire"
	"faultline/transport/wire/wiretest"
)

// appendSamples are AppendEntriesArgs at the edges: no entries (nil and
// empty), nil and empty data, a long command, the largest terms, a
// heartbeat.
func appendSamples() []AppendEntriesArgs {
	ents := EntryList{{Term: 1, Data: []byte("a")}, {Term: 2, Data: nil}, {Term: 2, Data: []byte{}}, {Term: 1 << 40, Data: bytes.Repeat([]byte{7}, 300)}}
	return []AppendEntriesArgs{
		{Term: 3, LeaderID: 1, PrevLogIndex: 9, PrevLogTerm: 2, Entries: ents, LeaderCommit: 8, ReadRound: 4, Pipelined: true},
		{Term: 3, LeaderID: 1, Heartbeat: true},
		{Term: 1, Entries: EntryList{}},
		{Term: maxTerm, PrevLogIndex: maxIndex, LeaderCommit: maxIndex, ReadRound: math.MaxUint64, Entries: EntryList{{Term: maxTerm, Data: bytes.Repeat([]byte{1}, 70000)}}},
		{},
	}
}

// Generate implements quick.Generator, for wiretest.Check's random values:
// entries of terms in [0, maxTerm] (the only ones an EntryList encodes),
// with nil, empty or random data.
func (EntryList) Generate(rnd *rand.Rand, size int) reflect.Value {
	if rnd.Intn(8) == 0 {
		return reflect.ValueOf(EntryList(nil))
	}
	l := make(EntryList, rnd.Intn(size+1))
	for i := range l {
		l[i].Term = rnd.Intn(maxTerm)
		switch rnd.Intn(4) {
		case 0:
		case 1:
			l[i].Data = []byte{}
		default:
			l[i].Data = make([]byte, rnd.Intn(4*size+1))
			rnd.Read(l[i].Data)
		}
	}
	return reflect.ValueOf(l)
}

func TestRPCCodecsMatchReflection(t *testing.T) {
	wiretest.Check(t, appendSamples()...)
	wiretest.Check(t, AppendEntriesReply{Term: 2, Success: true, MatchIndex: 9, ReadRound: 3}, AppendEntriesReply{Term: 5, ConflictIndex: 4, ConflictTerm: -1}, AppendEntriesReply{})
	wiretest.Check(t, RequestVoteArgs{Term: 4, CandidateID: 2, LastLogIndex: 10, LastLogTerm: 3, PreVote: true}, RequestVoteArgs{})
	wiretest.Check(t, RequestVoteReply{Term: 4, VoteGranted: true}, RequestVoteReply{})
}

// TestAppendEntriesDecodeRefusesBadEntries: entries whose byte string is
// not an EntryList (a count past the bytes, a length past the end) fail
// the decode with errBadEntryList, before anything is allocated for them.
func TestAppendEntriesDecodeRefusesBadEntries(t *testing.T) {
	for _, entries := range [][]byte{{0xff, 0xff, 0xff, 0xff, 0x0f}, {1, 1, 9, 'x'}, {1, 1}} {
		b := wire.AppendMapHeader(nil, 1)
		b = wire.AppendBytes(wire.AppendString(b, "Entries"), entries)
		var a AppendEntriesArgs
		if err := a.DecodeWire(b); !errors.Is(err, errBadEntryList) {
			t.Errorf("entries % x: DecodeWire = %v, want errBadEntryList", entries, err)
		}
	}
	var a AppendEntriesArgs
	if err := a.DecodeWire([]byte{0x81, 0xa7, 'E', 'n', 't', 'r', 'i', 'e', 's', 0xc4, 200}); !errors.Is(err, wire.ErrMalformed) {
		t.Errorf("truncated entries: DecodeWire = %v, want wire.ErrMalformed", err)
	}
}

func FuzzAppendEntriesArgsCodec(f *testing.F) { wiretest.Fuzz(f, appendSamples()[:3]...) }

func FuzzAppendEntriesReplyCodec(f *testing.F) {
	wiretest.Fuzz(f, AppendEntriesReply{Term: 2, Success: true, MatchIndex: 9}, AppendEntriesReply{Term: 5, ConflictIndex: 4, ConflictTerm: -1})
}

func FuzzRequestVoteArgsCodec(f *testing.F) {
	wiretest.Fuzz(f, RequestVoteArgs{Term: 4, CandidateID: 2, LastLogIndex: 10, LastLogTerm: 3, PreVote: true})
}

func FuzzRequestVoteReplyCodec(f *testing.F) {
	wiretest.Fuzz(f, RequestVoteReply{Term: 4, VoteGranted: true})
}
