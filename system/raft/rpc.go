package raft

// RequestVoteArgs is the argument of the RPC "Raft.RequestVote" (§5.2).
type RequestVoteArgs struct {
	Term         int
	CandidateID  int
	LastLogIndex int
	LastLogTerm  int
	// PreVote asks whether the peer would grant a vote in Term without
	// changing its term or recording a vote (Config.PreVote).
	PreVote bool
}

// RequestVoteReply is the reply of "Raft.RequestVote".
type RequestVoteReply struct {
	Term        int
	VoteGranted bool
}

// AppendEntriesArgs is the argument of the RPC "Raft.AppendEntries" (§5.3),
// used for replication and heartbeats.
type AppendEntriesArgs struct {
	Term         int
	LeaderID     int
	PrevLogIndex int
	PrevLogTerm  int
	Entries      EntryList
	LeaderCommit int
	// Heartbeat marks a periodic heartbeat: it carries no entries and its
	// PrevLogIndex is the follower's last known match.
	Heartbeat bool
	// ReadRound is the leader's newest ReadIndex round; the reply echoes it.
	ReadRound uint64
	// Pipelined marks an append sent before the previous ones were
	// acknowledged; a follower missing entries before PrevLogIndex waits a
	// little for them before it refuses.
	Pipelined bool
}

// AppendEntriesReply is the reply of "Raft.AppendEntries".
type AppendEntriesReply struct {
	Term    int
	Success bool
	// MatchIndex is, on success, the last index known to match the leader.
	MatchIndex int
	// ConflictIndex and ConflictTerm are the fast-backtracking hint on
	// failure: the first index the follower holds with ConflictTerm at
	// PrevLogIndex, or ConflictTerm -1 and one past the follower's last
	// entry.
	ConflictIndex int
	ConflictTerm  int
	ReadRound     uint64
}

// InstallSnapshotArgs is the argument of the RPC "Raft.InstallSnapshot"
// (§7): the whole snapshot in one message.
type InstallSnapshotArgs struct {
	Term              int
	LeaderID          int
	LastIncludedIndex int
	LastIncludedTerm  int
	Data              []byte
}

// InstallSnapshotReply is the reply of "Raft.InstallSnapshot".
type InstallSnapshotReply struct {
	Term int
}

// RequestVote handles the RPC "Raft.RequestVote".
func (rf *Raft) RequestVote(args *RequestVoteArgs, reply *RequestVoteReply) {
	m := message{Type: msgVote, From: args.CandidateID, To: rf.me, Term: args.Term, Index: args.LastLogIndex, LogTerm: args.LastLogTerm}
	if args.PreVote {
		m.Type = msgPreVote
	}
	if resp, ok := rf.handle(m); ok {
		reply.Term = resp.Term
		reply.VoteGranted = !resp.Reject
	}
}

// AppendEntries handles the RPC "Raft.AppendEntries". An append carrying
// a command that does not decode is refused before it reaches the core
// (and so the log): it gets an empty reply and counts in Refused.
func (rf *Raft) AppendEntries(args *AppendEntriesArgs, reply *AppendEntriesReply) {
	if err := checkCommands(args.PrevLogIndex, args.Entries); err != nil {
		rf.refuse(args.LeaderID, err)
		return
	}
	m := message{
		Type: msgApp, From: args.LeaderID, To: rf.me, Term: args.Term,
		Index: args.PrevLogIndex, LogTerm: args.PrevLogTerm, Entries: args.Entries,
		Commit: args.LeaderCommit, Context: args.ReadRound, Pipelined: args.Pipelined,
	}
	if args.Heartbeat {
		m.Type = msgHeartbeat
		m.Entries = nil
	}
	if resp, ok := rf.handle(m); ok {
		reply.Term = resp.Term
		reply.Success = !resp.Reject
		reply.ReadRound = resp.Context
		if resp.Reject {
			reply.ConflictIndex, reply.ConflictTerm = resp.ConflictIndex, resp.ConflictTerm
		} else {
			reply.MatchIndex = resp.Index
		}
	}
}

// InstallSnapshot handles the RPC "Raft.InstallSnapshot".
func (rf *Raft) InstallSnapshot(args *InstallSnapshotArgs, reply *InstallSnapshotReply) {
	m := message{
		Type: msgSnap, From: args.LeaderID, To: rf.me, Term: args.Term,
		Snapshot: &snapshot{Index: args.LastIncludedIndex, Term: args.LastIncludedTerm, Data: args.Data},
	}
	if resp, ok := rf.handle(m); ok {
		reply.Term = resp.Term
	}
}

// request turns an outgoing core request into an RPC: method name,
// arguments and a reply to decode into.
func request(m message) (method string, args, reply any) {
	switch m.Type {
	case msgVote, msgPreVote:
		return "Raft.RequestVote", &RequestVoteArgs{Term: m.Term, CandidateID: m.From, LastLogIndex: m.Index, LastLogTerm: m.LogTerm, PreVote: m.Type == msgPreVote}, &RequestVoteReply{}
	case msgApp, msgHeartbeat:
		return "Raft.AppendEntries", &AppendEntriesArgs{
			Term: m.Term, LeaderID: m.From, PrevLogIndex: m.Index, PrevLogTerm: m.LogTerm,
			Entries: m.Entries, LeaderCommit: m.Commit, Heartbeat: m.Type == msgHeartbeat, ReadRound: m.Context,
			Pipelined: m.Pipelined,
		}, &AppendEntriesReply{}
	case msgSnap:
		return "Raft.InstallSnapshot", &InstallSnapshotArgs{
			Term: m.Term, LeaderID: m.From, LastIncludedIndex: m.Snapshot.Index,
			LastIncludedTerm: m.Snapshot.Term, Data: m.Snapshot.Data,
		}, &InstallSnapshotReply{}
	}
	panic("raft: not a request: " + m.Type.String())
}

// response turns the reply to request req into the core's response
// message. ok is false for a reply that no live peer could have sent (term
// 0: the peer was killed before answering).
func response(req message, reply any) (m message, ok bool) {
	m = message{Type: req.Type.response(), From: req.To, To: req.From}
	switch r := reply.(type) {
	case *RequestVoteReply:
		m.Term, m.Reject = r.Term, !r.VoteGranted
	case *AppendEntriesReply:
		m.Term, m.Reject, m.Context = r.Term, !r.Success, r.ReadRound
		if r.Success {
			m.Index = r.MatchIndex
		} else {
			m.Index, m.ConflictIndex, m.ConflictTerm = req.Index, r.ConflictIndex, r.ConflictTerm
		}
	case *InstallSnapshotReply:
		m.Term, m.Index = r.Term, req.Snapshot.Index
	}
	return m, m.Term > 0
}
