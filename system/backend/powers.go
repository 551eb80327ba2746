package backend

import "context"

// Served reports which node served an operation, when a client knows it.
// Clients may implement it; the harness records the answer in the history.
type Served interface {
	// LastNode names the node that answered the client's last operation,
	// or "" if unknown.
	LastNode() string
}

// Killer is a Cluster that can crash and restart nodes. Kill loses whatever
// the node had not made durable; Restart brings the node back from its data
// directory.
type Killer interface {
	Kill(ctx context.Context, node string) error
	Restart(ctx context.Context, node string) error
}

// Pauser is a Cluster that can freeze and thaw nodes (SIGSTOP/SIGCONT in
// process mode).
type Pauser interface {
	Pause(ctx context.Context, node string) error
	Resume(ctx context.Context, node string) error
}

// LeaderFinder is a Cluster that can name its current leader(s), for faults
// that target the leader. It returns "" when there is none.
type LeaderFinder interface {
	Leader(ctx context.Context) (string, error)
}

// Stats is a Cluster that can report message statistics from its transport:
// RPC counts and bytes keyed by RPC name ("Raft.AppendEntries").
type Stats interface {
	RPCStats(ctx context.Context) (map[string]RPCStat, error)
}

// RPCStat counts the calls and bytes of one kind of RPC.
type RPCStat struct {
	Calls int64 `json:"calls"`
	Bytes int64 `json:"bytes"`
}

// Membership is a Cluster whose replica groups can be joined, removed and
// moved while it serves (the sharded KV store).
type Membership interface {
	// Groups lists the replica group ids that exist (started), joined or not.
	Groups() []int
	Join(ctx context.Context, gids []int) error
	Leave(ctx context.Context, gids []int) error
	Move(ctx context.Context, shard, gid int) error
}

// Event is something a cluster observed that a report should show, such as a
// leader change.
type Event struct {
	// Kind names the event ("leader", "config").
	Kind string `json:"kind"`
	// Node is the node concerned, if any.
	Node string `json:"node,omitempty"`
	// Detail is a short human-readable description.
	Detail string `json:"detail,omitempty"`
}

// Observer is a Cluster that reports events as they happen. Events must
// not block: implementations drop and count rather than stall.
type Observer interface {
	Events() <-chan Event
}
