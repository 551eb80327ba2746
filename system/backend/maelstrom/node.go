package maelstrom

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"

	"faultline/system/backend/nodeproc"
	"faultline/system/maelstrom"
)

// HarnessID is the Maelstrom id the harness speaks as when it sends init
// (and setup requests): replies to it are the harness's.
const HarnessID = "c0"

// Bounds of a node's pipes.
const (
	// DefaultQueue is the default bound of a node's stdin queue, in
	// messages: what Deliver accepts while the node has not read yet.
	DefaultQueue = 4096
	// maxProblems is how many of a node's latest bad lines it keeps.
	maxProblems = 16
	// loggedProblems is how many bad lines of a node are logged one by
	// one; after them, one in every thousand is.
	loggedProblems = 16
	// headBytes is how much of a bad line an error quotes.
	headBytes = 64
)

// nodeConfig describes a Node.
type nodeConfig struct {
	// ID is the node's Maelstrom id ("n0").
	ID string
	// IDs are every node's id, in order: init's node_ids.
	IDs []string
	// Net receives every valid message the node writes (the router).
	Net maelstrom.Sender
	// Queue bounds the messages waiting for the node's stdin;
	// DefaultQueue when <= 0.
	Queue int
	// MaxLine bounds one line of the node's stdout, in bytes;
	// maelstrom.DefaultMaxLine when <= 0.
	MaxLine int
	// Log is the file the node's stderr goes to: errors about the node
	// quote its end.
	Log string
	// Logger receives the node's problems; nil discards them.
	Logger *slog.Logger
}

// Node is the maelstrom.Endpoint of one Maelstrom node process: the
// router delivers to it by queueing the message for the process's stdin
// (never blocking: a full queue means the node is slow, and the message
// is dropped and counted), and every valid message the process writes on
// stdout is sent on to the network. A Cluster makes its Nodes and runs
// their processes. Each start of the process is one life of the Node,
// with its own pipes and an init handshake; the Node's id, counters and
// problems outlive its lives.
//
// A line of stdout that is not a message (junk, malformed JSON, a body
// without type, a line over Config.MaxLine) or that claims another src
// is a problem: an error naming the node and quoting the line's head,
// logged, counted and kept (Problems); the reader goes on with the next
// line.
type Node struct {
	cfg nodeConfig
	log *slog.Logger

	cur   atomic.Pointer[life] // the life that takes deliveries; nil while down
	lives atomic.Int64         // lives begun: each one's init msg_id

	mu       sync.Mutex
	last     *life    // the latest life, ended or not
	problems []string // the latest maxProblems problems, oldest first
	wg       sync.WaitGroup

	stats nodeCounters
}

var _ maelstrom.Endpoint = (*Node)(nil)

// newNode returns a Node with no process yet; the Cluster starts its
// lives.
func newNode(cfg nodeConfig) *Node {
	if cfg.Queue <= 0 {
		cfg.Queue = DefaultQueue
	}
	if cfg.MaxLine <= 0 {
		cfg.MaxLine = maelstrom.DefaultMaxLine
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Node{cfg: cfg, log: log.With("node", cfg.ID)}
}

// ID implements maelstrom.Endpoint.
func (n *Node) ID() string { return n.cfg.ID }

// Deliver implements maelstrom.Endpoint: it queues m for the process's
// stdin and returns true, or returns false (and counts a drop) when the
// node is down or its queue is full.
func (n *Node) Deliver(m maelstrom.Message) bool {
	l := n.cur.Load()
	if l == nil {
		n.stats.droppedDown.Add(1)
		return false
	}
	select {
	case l.queue <- m:
		n.stats.delivered.Add(1)
		return true
	default:
		if n.stats.droppedFull.Add(1) == 1 {
			n.log.Warn("maelstrom node is slow: its stdin queue is full, dropping", "queue", n.cfg.Queue)
		}
		return false
	}
}

// problem records a bad line or pipe error of the node.
func (n *Node) problem(err error) {
	c := n.stats.problems.Add(1)
	if c <= loggedProblems || c%1000 == 0 {
		n.log.Warn("maelstrom node", "err", err, "problems", c)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.problems) == maxProblems {
		n.problems = append(n.problems[:0], n.problems[1:]...)
	}
	n.problems = append(n.problems, err.Error())
}

// Problems returns the node's latest problems (at most 16), oldest first:
// each names the node and quotes the head of the offending line.
func (n *Node) Problems() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.problems...)
}

// head returns the first bytes of a line, for errors.
func head(line []byte) string {
	if len(line) > headBytes {
		return string(line[:headBytes]) + "..."
	}
	return string(line)
}

// stderrTail returns the last lines of the node's stderr log (at most
// about 1 KiB), for errors about a node that failed.
func (n *Node) stderrTail() string { return nodeproc.LogTail(n.cfg.Log, 1<<10) }

// explain returns what an error about the node's failure should add: its
// latest problem and the end of its stderr.
func (n *Node) explain() string {
	var b strings.Builder
	if p := n.Problems(); len(p) > 0 {
		fmt.Fprintf(&b, "; its last bad output: %s", p[len(p)-1])
	}
	if t := n.stderrTail(); t != "" {
		fmt.Fprintf(&b, "; its stderr (%s) ends:\n%s", n.cfg.Log, t)
	} else {
		fmt.Fprintf(&b, "; its stderr (%s) is empty", n.cfg.Log)
	}
	return b.String()
}
