package raft

import (
	"fmt"

	"faultline/internal/names"
)

// Entry is one Raft log entry: the term of the leader that created it and
// the command, encoded once at Start with wire.EncodeAny.
type Entry struct {
	Term int
	Data []byte
}

// snapshot is the image of the state machine up to and including Index,
// whose entry had term Term. Data is owned by the service and never mutated.
type snapshot struct {
	Index int
	Term  int
	Data  []byte
}

// hardState is what must survive a crash besides the log.
type hardState struct {
	Term int
	Vote int // none when no vote was cast in Term
}

// none is the peer ID meaning "nobody" (no vote, no known leader).
const none = -1

// msgType identifies a core message.
type msgType uint8

const (
	// Local messages, made by the driver (or the core itself), never sent.
	msgHup         msgType = iota // start an election now
	msgProp                       // append Entries to the leader's log
	msgReadIndex                  // confirm leadership for a read; Context names it
	msgUnreachable                // an append or snapshot to From was not delivered

	// Requests; each gets exactly one response carrying the same Ref.
	msgVote      // Index, LogTerm: candidate's last entry
	msgPreVote   // msgVote for Term without changing anyone's term (§9.6 of the thesis)
	msgApp       // Index, LogTerm: previous entry; Entries; Commit
	msgHeartbeat // msgApp without entries that never counts as in flight
	msgSnap      // Snapshot

	// Responses.
	msgVoteResp      // Reject
	msgPreVoteResp   // Reject; Term is the pre-vote's when granted
	msgAppResp       // Index: matched last index, or the rejected previous index
	msgHeartbeatResp // as msgAppResp
	msgSnapResp      // Index: the snapshot's index
)

func (t msgType) String() string {
	return names.Of(t, "msgType", msgHup, "Hup", "Prop", "ReadIndex", "Unreachable",
		"Vote", "PreVote", "App", "Heartbeat", "Snap",
		"VoteResp", "PreVoteResp", "AppResp", "HeartbeatResp", "SnapResp")
}

func (t msgType) isLocal() bool   { return t <= msgUnreachable }
func (t msgType) isRequest() bool { return t >= msgVote && t <= msgSnap }
func (t msgType) isVote() bool    { return t == msgVote || t == msgPreVote }

// response returns the response type of a request type.
func (t msgType) response() msgType {
	switch t {
	case msgVote:
		return msgVoteResp
	case msgPreVote:
		return msgPreVoteResp
	case msgApp:
		return msgAppResp
	case msgHeartbeat:
		return msgHeartbeatResp
	case msgSnap:
		return msgSnapResp
	}
	panic(fmt.Sprintf("raft: %v has no response", t))
}

// message is the unit of communication of the core. Fields not used by a
// type are zero.
type message struct {
	Type msgType
	From int
	To   int
	Term int
	// Index and LogTerm: for msgVote and msgPreVote the candidate's last
	// entry; for msgApp and msgHeartbeat the entry preceding Entries. In
	// msgAppResp and msgHeartbeatResp Index is, on success, the last index
	// known to match the leader's log and, on rejection, the rejected
	// previous index. In msgSnapResp it is the snapshot's index.
	Index   int
	LogTerm int
	Entries []Entry
	Commit  int
	Reject  bool
	// ConflictIndex and ConflictTerm are the fast-backtracking hint of a
	// rejected append: the follower's first index of ConflictTerm at the
	// rejected index, or ConflictTerm none and ConflictIndex one past the
	// follower's last entry.
	ConflictIndex int
	ConflictTerm  int
	Snapshot      *snapshot
	// Context is the newest read round a heartbeat or append asks the
	// follower to acknowledge; responses echo it.
	Context uint64
	// Pipelined marks an append sent ahead of the acknowledgement of the
	// ones before it: a follower missing those may wait for them a while
	// instead of rejecting it at once.
	Pipelined bool
	// Ref is opaque to the core: it is copied from a request to its
	// response so that a driver can pair them.
	Ref uint64
}

func (m message) String() string {
	s := fmt.Sprintf("%v %d->%d t%d i%d lt%d c%d", m.Type, m.From, m.To, m.Term, m.Index, m.LogTerm, m.Commit)
	if len(m.Entries) > 0 {
		s += fmt.Sprintf(" ents=%d", len(m.Entries))
	}
	if m.Reject {
		s += fmt.Sprintf(" reject(ci%d ct%d)", m.ConflictIndex, m.ConflictTerm)
	}
	if m.Snapshot != nil {
		s += fmt.Sprintf(" snap(i%d t%d)", m.Snapshot.Index, m.Snapshot.Term)
	}
	return s
}
