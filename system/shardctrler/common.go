package shardctrler

// JoinArgs asks to add replica groups: gid -> server names.
type JoinArgs struct {
	Servers  map[int][]string
	ClientID int64
	Seq      int64
}

// JoinReply answers Join.
type JoinReply struct {
	Err Err
}

// LeaveArgs asks to remove replica groups.
type LeaveArgs struct {
	GIDs     []int
	ClientID int64
	Seq      int64
}

// LeaveReply answers Leave.
type LeaveReply struct {
	Err Err
}

// MoveArgs asks to put Shard on group GID.
type MoveArgs struct {
	Shard    int
	GID      int
	ClientID int64
	Seq      int64
}

// MoveReply answers Move.
type MoveReply struct {
	Err Err
}

// QueryArgs asks for configuration Num (-1 or too large: the latest).
type QueryArgs struct {
	Num      int
	ClientID int64
}

// QueryReply answers Query.
type QueryReply struct {
	Err    Err
	Config Config
}
