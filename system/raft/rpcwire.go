package raft

import (
	"fmt"

	"faultline/transport/wire"
)

// The RPC messages encode and decode themselves (wire.Appender and
// wire.Decoder): an append's arguments and reply cross the wire for every
// batch a leader replicates, and reflection over their fields cost more
// CPU than anything else on that path. The bytes are exactly the
// reflective msgpack encoding (a map from field name to value, in name
// order; the entries as EntryList's byte string), so a peer that decodes
// by reflection reads them alike; rpcwire_test.go checks both directions
// against reflection and fuzzes the decoders.

// AppendWire implements wire.Appender.
func (a *AppendEntriesArgs) AppendWire(b []byte) ([]byte, error) {
	b = wire.AppendMapHeader(b, 9)
	b = wire.AppendString(b, "Entries")
	if a.Entries == nil {
		b = wire.AppendNil(b)
	} else {
		b = a.Entries.appendBin(b)
	}
	b = wire.AppendBool(wire.AppendString(b, "Heartbeat"), a.Heartbeat)
	b = wire.AppendInt(wire.AppendString(b, "LeaderCommit"), int64(a.LeaderCommit))
	b = wire.AppendInt(wire.AppendString(b, "LeaderID"), int64(a.LeaderID))
	b = wire.AppendBool(wire.AppendString(b, "Pipelined"), a.Pipelined)
	b = wire.AppendInt(wire.AppendString(b, "PrevLogIndex"), int64(a.PrevLogIndex))
	b = wire.AppendInt(wire.AppendString(b, "PrevLogTerm"), int64(a.PrevLogTerm))
	b = wire.AppendUint(wire.AppendString(b, "ReadRound"), a.ReadRound)
	return wire.AppendInt(wire.AppendString(b, "Term"), int64(a.Term)), nil
}

// DecodeWire implements wire.Decoder. The entries share one copy of their
// encoding (EntryList.UnmarshalBinary).
func (a *AppendEntriesArgs) DecodeWire(data []byte) error {
	r := wire.NewReader(data)
	for n := r.ReadMapLen(); n > 0 && r.Err() == nil; n-- {
		switch string(r.ReadKey()) {
		case "Entries":
			p := r.ReadBytesView()
			if r.Err() != nil {
				break
			}
			if p == nil {
				a.Entries = nil
				break
			}
			if err := a.Entries.UnmarshalBinary(p); err != nil {
				return fmt.Errorf("raft: AppendEntriesArgs.Entries: %w", err)
			}
		case "Heartbeat":
			a.Heartbeat = r.ReadBool()
		case "LeaderCommit":
			a.LeaderCommit = int(r.ReadInt())
		case "LeaderID":
			a.LeaderID = int(r.ReadInt())
		case "Pipelined":
			a.Pipelined = r.ReadBool()
		case "PrevLogIndex":
			a.PrevLogIndex = int(r.ReadInt())
		case "PrevLogTerm":
			a.PrevLogTerm = int(r.ReadInt())
		case "ReadRound":
			a.ReadRound = r.ReadUint()
		case "Term":
			a.Term = int(r.ReadInt())
		default:
			r.Skip()
		}
	}
	return r.Err()
}

// AppendWire implements wire.Appender.
func (r *AppendEntriesReply) AppendWire(b []byte) ([]byte, error) {
	b = wire.AppendMapHeader(b, 6)
	b = wire.AppendInt(wire.AppendString(b, "ConflictIndex"), int64(r.ConflictIndex))
	b = wire.AppendInt(wire.AppendString(b, "ConflictTerm"), int64(r.ConflictTerm))
	b = wire.AppendInt(wire.AppendString(b, "MatchIndex"), int64(r.MatchIndex))
	b = wire.AppendUint(wire.AppendString(b, "ReadRound"), r.ReadRound)
	b = wire.AppendBool(wire.AppendString(b, "Success"), r.Success)
	return wire.AppendInt(wire.AppendString(b, "Term"), int64(r.Term)), nil
}

// DecodeWire implements wire.Decoder.
func (r *AppendEntriesReply) DecodeWire(data []byte) error {
	rd := wire.NewReader(data)
	for n := rd.ReadMapLen(); n > 0 && rd.Err() == nil; n-- {
		switch string(rd.ReadKey()) {
		case "ConflictIndex":
			r.ConflictIndex = int(rd.ReadInt())
		case "ConflictTerm":
			r.ConflictTerm = int(rd.ReadInt())
		case "MatchIndex":
			r.MatchIndex = int(rd.ReadInt())
		case "ReadRound":
			r.ReadRound = rd.ReadUint()
		case "Success":
			r.Success = rd.ReadBool()
		case "Term":
			r.Term = int(rd.ReadInt())
		default:
			rd.Skip()
		}
	}
	return rd.Err()
}

// AppendWire implements wire.Appender.
func (a *RequestVoteArgs) AppendWire(b []byte) ([]byte, error) {
	b = wire.AppendMapHeader(b, 5)
	b = wire.AppendInt(wire.AppendString(b, "CandidateID"), int64(a.CandidateID))
	b = wire.AppendInt(wire.AppendString(b, "LastLogIndex"), int64(a.LastLogIndex))
	b = wire.AppendInt(wire.AppendString(b, "LastLogTerm"), int64(a.LastLogTerm))
	b = wire.AppendBool(wire.AppendString(b, "PreVote"), a.PreVote)
	return wire.AppendInt(wire.AppendString(b, "Term"), int64(a.Term)), nil
}

// DecodeWire implements wire.Decoder.
func (a *RequestVoteArgs) DecodeWire(data []byte) error {
	r := wire.NewReader(data)
	for n := r.ReadMapLen(); n > 0 && r.Err() == nil; n-- {
		switch string(r.ReadKey()) {
		case "CandidateID":
			a.CandidateID = int(r.ReadInt())
		case "LastLogIndex":
			a.LastLogIndex = int(r.ReadInt())
		case "LastLogTerm":
			a.LastLogTerm = int(r.ReadInt())
		case "PreVote":
			a.PreVote = r.ReadBool()
		case "Term":
			a.Term = int(r.ReadInt())
		default:
			r.Skip()
		}
	}
	return r.Err()
}

// AppendWire implements wire.Appender.
func (r *RequestVoteReply) AppendWire(b []byte) ([]byte, error) {
	b = wire.AppendMapHeader(b, 2)
	b = wire.AppendInt(wire.AppendString(b, "Term"), int64(r.Term))
	return wire.AppendBool(wire.AppendString(b, "VoteGranted"), r.VoteGranted), nil
}

// DecodeWire implements wire.Decoder.
func (r *RequestVoteReply) DecodeWire(data []byte) error {
	rd := wire.NewReader(data)
	for n := rd.ReadMapLen(); n > 0 && rd.Err() == nil; n-- {
		switch string(rd.ReadKey()) {
		case "Term":
			r.Term = int(rd.ReadInt())
		case "VoteGranted":
			r.VoteGranted = rd.ReadBool()
		default:
			rd.Skip()
		}
	}
	return rd.Err()
}
