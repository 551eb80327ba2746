package results

// Network is the message network's statistics of a run whose backend
// routes messages itself (Maelstrom nodes), as Maelstrom's net stats show
// them: all traffic, client traffic (any message from or to a client c1,
// c2, ...) and server traffic (between nodes and services), all traffic by
// message type, and messages per op.
type Network struct {
	All     Traffic `json:"all"`
	Clients Traffic `json:"clients"`
	Servers Traffic `json:"servers"`
	// ByType is all traffic by body type; the router folds types past its
	// bound (and messages without a type) into one key.
	ByType map[string]Traffic `json:"by_type,omitempty"`
	// Ops counts the client ops invoked over the whole run (warm-up
	// included, as the network counts the whole run): the divisor of the
	// per-op figures. MsgsPerOp is All.Sent / Ops and ServerMsgsPerOp
	// Servers.Sent / Ops (Maelstrom's msgs-per-op); both 0 when Ops is 0.
	// SetOps fills the three.
	Ops             int64   `json:"ops"`
	MsgsPerOp       float64 `json:"msgs_per_op"`
	ServerMsgsPerOp float64 `json:"server_msgs_per_op"`
	// JournalOmitted counts the messages of the journal's window that the
	// journal had no room for (not in JournalFile).
	JournalOmitted int64 `json:"journal_omitted,omitempty"`
}

// SetOps records the run's client op count and the per-op figures
// derived from it.
func (n *Network) SetOps(ops int64) {
	n.Ops, n.MsgsPerOp, n.ServerMsgsPerOp = ops, 0, 0
	if ops > 0 {
		n.MsgsPerOp = Round(float64(n.All.Sent)/float64(ops), 3)
		n.ServerMsgsPerOp = Round(float64(n.Servers.Sent)/float64(ops), 3)
	}
}

// Traffic counts the messages of one kind of traffic. Sent counts each
// message once (Maelstrom's msg-count); Delivered counts deliveries, so a
// duplicated message delivered twice counts twice there and once in
// Duplicated. Bytes is the size of the messages sent, each as one line of
// JSON.
type Traffic struct {
	Sent       int64 `json:"sent"`
	Delivered  int64 `json:"delivered"`
	Duplicated int64 `json:"duplicated"`
	Dropped    Drops `json:"dropped"`
	Bytes      int64 `json:"bytes"`
}

// Drops counts dropped messages by cause: the link was blocked
// (Partition), the link's loss took it (Loss), no endpoint had its dest
// id (UnknownDest), the recipient's queue was full or it was down
// (SlowEndpoint), its sender had too many messages in flight (Overload).
type Drops struct {
	Partition    int64 `json:"partition"`
	Loss         int64 `json:"loss"`
	UnknownDest  int64 `json:"unknown_dest"`
	SlowEndpoint int64 `json:"slow_endpoint"`
	Overload     int64 `json:"overload"`
}

// Total is the number of dropped messages of every cause.
func (d Drops) Total() int64 {
	return d.Partition + d.Loss + d.UnknownDest + d.SlowEndpoint + d.Overload
}

// Drop causes as JournalEntry.Dropped names them; each counts in the
// Drops field of the same name.
const (
	DropPartition    = "partition"
	DropLoss         = "loss"
	DropUnknownDest  = "unknown-dest"
	DropSlowEndpoint = "slow-endpoint"
	DropOverload     = "overload"
)

// NodeStats counts what went through one node process's pipes over all
// its lives (section node_stats).
type NodeStats struct {
	// ID is the node's id.
	ID string `json:"id"`
	// Starts counts its processes started; Inits those that answered
	// init; Exits those that exited by themselves.
	Starts int64 `json:"starts"`
	Inits  int64 `json:"inits"`
	Exits  int64 `json:"exits"`
	// Delivered counts the messages its queue accepted; Written those
	// written to its stdin.
	Delivered int64 `json:"delivered"`
	Written   int64 `json:"written"`
	// DroppedFull counts the messages refused because its queue was full
	// (the node was slow); DroppedDown those refused while it was down.
	DroppedFull int64 `json:"dropped_full"`
	DroppedDown int64 `json:"dropped_down"`
	// Received counts the valid messages it wrote; Problems its bad lines
	// and pipe errors.
	Received int64 `json:"received"`
	Problems int64 `json:"problems"`
	// LastProblems are its latest problems (an error naming the node and
	// quoting the bad line's head), oldest first.
	LastProblems []string `json:"last_problems,omitempty"`
	// Log is its stderr log file, relative to the results folder.
	Log string `json:"log,omitempty"`
}
