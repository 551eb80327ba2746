package maelstrom

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
	"faultline/system/maelstrom"
	"faultline/transport"
)

// NodeDirEnv is the environment variable through which a node learns its
// own directory (Config.NodeDir): an absolute path, DIR/ID.data, that
// survives the node's restarts, so that a node may keep there what a
// crash must not lose.
const NodeDirEnv = "MAELSTROM_NODE_DIR"

// Config describes a Cluster.
type Config struct {
	// Dir is the cluster's directory: node ID's stderr goes to DIR/ID.log,
	// its own directory (NodeDir) is DIR/ID.data.
	Dir string
	// Nodes is the number of nodes, n0 .. n(Nodes-1).
	Nodes int
	// Bin and Args are every node's command.
	Bin  string
	Args []string
	// NodeDir gives every node its own directory, named by the
	// environment variable NodeDirEnv.
	NodeDir bool
	// InitTimeout bounds how long a node has to answer init, at start and
	// at every restart.
	InitTimeout time.Duration
	// StopGrace is how long Stop waits after SIGTERM before SIGKILL;
	// zero means nodeproc.StopGrace.
	StopGrace time.Duration
	// Queue bounds each node's stdin queue (DefaultQueue when <= 0);
	// MaxLine each line of its stdout (maelstrom.DefaultMaxLine when <= 0).
	Queue   int
	MaxLine int
	// LinKV is what keeps the lin-kv service's state: LinKVMemory (or "")
	// or LinKVRaftKV, a raftkv cluster of LinKVNodes replicas in
	// DIR/lin-kv.
	LinKV      string
	LinKVNodes int
	// Network configures the cluster's network: the Maelstrom router
	// (maelstrom.NewRouter) that Start makes, with the services attached,
	// and closes when the Cluster stops. Its Logger defaults to Logger.
	Network maelstrom.RouterConfig
	// Logger receives the nodes' problems; nil discards them.
	Logger *slog.Logger
	// LogStderr also copies every line of the nodes' stderr to Stderr,
	// prefixed by the node's id.
	LogStderr bool
	// Stderr is the harness's stderr, for LogStderr; nil is os.Stderr.
	Stderr io.Writer
}

// Cluster is Maelstrom nodes running as processes, one per id, attached to
// a network with the clients it hands out. It implements backend.Cluster,
// backend.Killer (Kill SIGKILLs a node's process group; Restart starts it
// again with the same id and a fresh init), backend.Pauser
// (SIGSTOP/SIGCONT), backend.Observer (a node that exits by itself) and
// chaos.FaultSeam (the network's link fault table).
type Cluster struct {
	set         *nodeproc.Set
	nodes       []*Node
	net         *maelstrom.Router
	kv          *linKV // lin-kv on raftkv, or nil
	initTimeout time.Duration

	mu      sync.Mutex
	clients map[int]*Client
	stopped bool

	events     chan backend.Event
	eventDrops atomic.Int64
	stderr     *stderrCopy // nil unless Config.LogStderr
	stopOnce   sync.Once
	stopErr    error
}

var (
	_ backend.Cluster     = (*Cluster)(nil)
	_ backend.Killer      = (*Cluster)(nil)
	_ backend.Pauser      = (*Cluster)(nil)
	_ backend.Observer    = (*Cluster)(nil)
	_ backend.ClientSetup = (*Cluster)(nil)
)

// eventBuffer bounds the events waiting for the harness; more are dropped
// and counted.
const eventBuffer = 256

func (cfg Config) validate() error {
	switch {
	case cfg.Dir == "":
		return errors.New("maelstrom: Dir is empty")
	case cfg.Nodes < 1:
		return fmt.Errorf("maelstrom: Nodes = %d, want >= 1", cfg.Nodes)
	case cfg.Bin == "":
		return errors.New("maelstrom: no node binary (option bin)")
	case cfg.InitTimeout <= 0:
		return fmt.Errorf("maelstrom: InitTimeout = %v, want > 0", cfg.InitTimeout)
	case cfg.LinKV != "" && cfg.LinKV != LinKVMemory && cfg.LinKV != LinKVRaftKV:
		return fmt.Errorf("maelstrom: LinKV = %q, want %q or %q", cfg.LinKV, LinKVMemory, LinKVRaftKV)
	case cfg.LinKV == LinKVRaftKV && cfg.LinKVNodes < 1:
		return fmt.Errorf("maelstrom: LinKVNodes = %d, want >= 1", cfg.LinKVNodes)
	}
	return nil
}

// Start starts the network (cfg.Network) and cfg.Nodes node processes
// attached to it, sends each node init and returns once every one
// answered init_ok. A node that does not (it answers something else,
// exits, or stays silent past InitTimeout) fails Start with an error
// naming it and what it did; nothing is left running then.
func Start(ctx context.Context, cfg Config) (*Cluster, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Network.Logger == nil {
		cfg.Network.Logger = cfg.Logger
	}
	net := maelstrom.NewRouter(cfg.Network)
	var kv *linKV
	var err error
	if cfg.LinKV == LinKVRaftKV {
		if kv, err = startLinKV(ctx, cfg, net); err != nil {
			net.Close()
			return nil, err
		}
	}
	if err := attachServices(net, cfg.Network.Seed, kv); err != nil {
		return nil, errors.Join(err, closeNetwork(ctx, net, kv))
	}
	ids := backend.Numbered("n", cfg.Nodes)
	c := &Cluster{net: net, kv: kv, initTimeout: cfg.InitTimeout,
		clients: map[int]*Client{}, events: make(chan backend.Event, eventBuffer)}
	var env func(i int) []string
	if cfg.NodeDir {
		env = func(i int) []string { return []string{NodeDirEnv + "=" + nodeDir(cfg.Dir, ids[i])} }
	}
	for _, id := range ids {
		n := newNode(nodeConfig{ID: id, IDs: ids, Net: net, Queue: cfg.Queue, MaxLine: cfg.MaxLine,
			Log: filepath.Join(cfg.Dir, id+".log"), Logger: cfg.Logger})
		c.nodes = append(c.nodes, n)
		err := net.Attach(n)
		if err == nil && cfg.NodeDir {
			err = os.MkdirAll(nodeDir(cfg.Dir, id), 0o755)
		}
		if err != nil {
			return nil, errors.Join(fmt.Errorf("maelstrom: node %s: %w", id, err), closeNetwork(ctx, net, kv))
		}
	}
	c.set = nodeproc.NewSet(nodeproc.SetConfig{
		Backend: Name, Names: ids, Mode: backend.ModeProcess,
		Exec: append([]string{cfg.Bin}, cfg.Args...), Dir: cfg.Dir, Env: env,
		Stdio:     func(i int) (*os.File, *os.File, error) { return c.nodes[i].begin() },
		Started:   func(i int, p *nodeproc.Proc) { c.nodes[i].bind(p) },
		Restarted: func(ctx context.Context, i int) error { return c.nodes[i].handshake(ctx, c.initTimeout) },
		Exited:    c.exited,
		StopGrace: cfg.StopGrace,
	})
	if cfg.LogStderr {
		w := cfg.Stderr
		if w == nil {
			w = os.Stderr
		}
		logs := make([]string, len(c.nodes))
		for i, n := range c.nodes {
			logs[i] = n.cfg.Log
		}
		c.stderr = startStderrCopy(w, ids, logs)
	}
	if err := c.set.StartAll(ctx, c.initAll); err != nil {
		return nil, errors.Join(err, c.release(ctx))
	}
	return c, nil
}

// nodeDir is node id's own directory.
func nodeDir(dir, id string) string {
	abs, err := filepath.Abs(filepath.Join(dir, id+".data"))
	if err != nil {
		return filepath.Join(dir, id+".data")
	}
	return abs
}

// initAll waits for every node's answer to its first init.
func (c *Cluster) initAll(ctx context.Context) error {
	errs := make([]error, len(c.nodes))
	var wg sync.WaitGroup
	for i, n := range c.nodes {
		wg.Go(func() { errs[i] = n.handshake(ctx, c.initTimeout) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// exited hears of a node process that exited by itself (not by Kill or
// Stop): the node is down until Restart, and the harness is told.
func (c *Cluster) exited(i int, err error) {
	n := c.nodes[i]
	n.stats.exits.Add(1)
	detail := "exited by itself: " + describeExit(err)
	if p := n.Problems(); len(p) > 0 {
		detail += "; last bad output: " + p[len(p)-1]
	}
	select {
	case c.events <- backend.Event{Kind: "exit", Node: n.ID(), Detail: detail}:
	default:
		c.eventDrops.Add(1)
	}
}

// Events implements backend.Observer: one "exit" event for every node
// process that exited by itself. The channel closes when the Cluster
// stops.
func (c *Cluster) Events() <-chan backend.Event { return c.events }

// Nodes implements backend.Cluster: n0, n1, ...
func (c *Cluster) Nodes() []string { return c.set.Nodes() }

// Node returns the endpoint of the node called id, or nil.
func (c *Cluster) Node(id string) *Node {
	i, err := c.set.Index(id)
	if err != nil {
		return nil
	}
	return c.nodes[i]
}

// NodeStats returns every node's counts, in order.
func (c *Cluster) NodeStats() []NodeStats {
	out := make([]NodeStats, len(c.nodes))
	for i, n := range c.nodes {
		out[i] = n.Stats()
	}
	return out
}

// Pid returns the process id of node id, or 0 while it is down.
func (c *Cluster) Pid(id string) int { return c.set.Pid(id) }

// Network returns the cluster's network, the Maelstrom router, for what
// only it knows: its statistics (Stats) and journal (Journal), which stay
// readable after Stop.
func (c *Cluster) Network() *maelstrom.Router { return c.net }

// Faults returns the network's link fault table (chaos.FaultSeam), keyed
// by Maelstrom ids; with lin-kv on raftkv, a fault between two nodes also
// reaches their replicas' link (linkFaults).
func (c *Cluster) Faults() transport.LinkFaulter {
	if c.kv != nil {
		return linkFaults{net: c.net, kv: c.kv}
	}
	return c.net.Faults()
}

// Kill implements backend.Killer: SIGKILL to the node's process group
// (and, with lin-kv on raftkv, a kill of the node's replica). Messages
// delivered to it from then on are dropped (counted as down) until
// Restart. Killing a dead node does nothing.
func (c *Cluster) Kill(ctx context.Context, node string) error {
	n := c.Node(node)
	var kvErr error
	var wg sync.WaitGroup
	if n != nil && c.kv != nil { // the replica dies at the same time
		wg.Go(func() { kvErr = c.kv.kill(ctx, node) })
	}
	err := c.set.Kill(ctx, node)
	if n != nil {
		n.down()
	}
	wg.Wait()
	return errors.Join(err, kvErr)
}

// Restart implements backend.Killer: it starts a killed (or exited) node
// again under the same id, with its own directory as it was, and waits
// for its answer to a fresh init; a node that fails the handshake is
// killed again and Restart returns why. With lin-kv on raftkv the node's
// replica restarts first, from its data directory. Restarting a running
// node does nothing.
func (c *Cluster) Restart(ctx context.Context, node string) error {
	if c.kv != nil && c.Node(node) != nil {
		if err := c.kv.restart(ctx, node); err != nil {
			return fmt.Errorf("maelstrom: node %s: lin-kv replica: %w", node, err)
		}
	}
	err := c.set.Restart(ctx, node)
	if err != nil && c.Node(node) != nil {
		err = errors.Join(err, c.Kill(ctx, node))
	}
	return err
}

// Pause implements backend.Pauser: SIGSTOP. Messages to a paused node
// queue up to the bound of its queue, then are dropped as to a slow node.
func (c *Cluster) Pause(ctx context.Context, node string) error { return c.set.Pause(ctx, node) }

// Resume implements backend.Pauser: SIGCONT.
func (c *Cluster) Resume(ctx context.Context, node string) error { return c.set.Resume(ctx, node) }

// Client implements backend.Cluster: worker id's client is Maelstrom
// client c(id+1), whose own node is n(id mod Nodes). Asking twice for the
// same id returns the same client.
func (c *Cluster) Client(_ context.Context, id int) (backend.Client, error) {
	if id < 0 {
		return nil, fmt.Errorf("maelstrom: client id %d, want >= 0", id)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return nil, errors.New("maelstrom: cluster stopped")
	}
	if cl, ok := c.clients[id]; ok {
		return cl, nil
	}
	caller := maelstrom.NewClient("c"+strconv.Itoa(id+1), c.net)
	if err := c.net.Attach(caller); err != nil {
		return nil, fmt.Errorf("maelstrom: client %s: %w", caller.ID(), err)
	}
	cl := &Client{caller: caller, node: c.nodes[id%len(c.nodes)].ID()}
	c.clients[id] = cl
	return cl, nil
}

// ClientSettings implements backend.ClientSetup.
func (c *Cluster) ClientSettings() backend.ClientSettings {
	return backend.ClientSettings{Library: "maelstrom client endpoint on the router",
		Sharing: fmt.Sprintf("worker i is Maelstrom client c(i+1), its own endpoint, bound to node n(i mod %d)", len(c.nodes))}
}

// Stop implements backend.Cluster: every node gets SIGTERM, then SIGKILL
// to its process group after the grace; then the network closes. It is
// safe to call more than once.
func (c *Cluster) Stop(ctx context.Context) error {
	c.stopOnce.Do(func() {
		c.mu.Lock()
		c.stopped = true
		c.mu.Unlock()
		c.stopErr = errors.Join(c.set.Stop(ctx), c.release(ctx))
		close(c.events)
	})
	return c.stopErr
}

// release waits for every node's pipes to close, then closes the network
// (and stops lin-kv's raftkv cluster), and finishes the copy of the
// nodes' stderr.
func (c *Cluster) release(ctx context.Context) error {
	for _, n := range c.nodes {
		n.down()
		n.wait()
	}
	err := closeNetwork(ctx, c.net, c.kv)
	if c.stderr != nil {
		c.stderr.close()
	}
	return err
}
