package raftkv

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
	"faultline/system/kvraft"
	"faultline/transport"
	"faultline/transport/tcp"
)

// Backend is the "raftkv" backend. Its zero value is ready to use.
type Backend struct{}

var _ backend.Backend = Backend{}

// Name returns "raftkv".
func (Backend) Name() string { return "raftkv" }

// readyTimeout bounds how long Start and Restart wait for the cluster to
// elect a leader when the context has no earlier deadline.
const readyTimeout = 20 * time.Second

// Start launches spec.Nodes nodes on free loopback ports (or, with the
// option network: netns, each in a network namespace of its own on its
// own address: nodeproc.Network), each with its own data directory under
// spec.Dir, and returns once a leader is elected.
func (Backend) Start(ctx context.Context, spec backend.Spec) (backend.Cluster, error) {
	var err error
	if err = spec.Validate(); err != nil {
		return nil, err
	}
	maxraftstate := DefaultMaxRaftState
	if s, ok := spec.Options["maxraftstate"]; ok {
		v, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("raftkv: option maxraftstate = %q: %w", s, err)
		}
		maxraftstate = v
	}
	reads := spec.Options["reads"]
	conns, err := backend.ConnsOption("raftkv", spec.Options, DefaultConns)
	if err != nil {
		return nil, err
	}
	for k := range spec.Options {
		if k != "maxraftstate" && k != "reads" && k != "conns" && k != nodeproc.NetworkOption {
			return nil, fmt.Errorf("raftkv: unknown option %q (known: maxraftstate, reads, conns, network)", k)
		}
	}
	names := Backend{}.Nodes(spec)
	secret, err := nodeproc.NewSecret(spec.Dir)
	if err != nil {
		return nil, fmt.Errorf("raftkv: %w", err)
	}
	network, err := nodeproc.OpenNetwork("raftkv", spec, names)
	if err != nil {
		return nil, err
	}
	addrs, err := network.Addrs(1)
	if err != nil {
		return nil, fmt.Errorf("raftkv: %w", errors.Join(err, network.Close()))
	}
	c := &Cluster{
		secret: secret,
		names:  names,
		cfgs:   make([]NodeConfig, spec.Nodes),
		admin:  make([]*tcp.Client, spec.Nodes),
		pool:   nodeproc.NewCallerPool(conns, secret.Config()),
	}
	for i := range spec.Nodes {
		c.cfgs[i] = NodeConfig{
			ID:           i,
			Addrs:        addrs,
			Dir:          filepath.Join(spec.Dir, "node-"+strconv.Itoa(i)),
			Fsync:        spec.Fsync,
			MaxRaftState: maxraftstate,
			Reads:        reads,
			SecretFile:   secret.File,
		}
		if err := c.cfgs[i].Validate(); err != nil {
			return nil, errors.Join(err, network.Close())
		}
		c.admin[i] = c.adminConns.DialNamed(c.names[i], addrs[i], secret.Config())
	}
	cleanStale(spec.Dir, spec.Logger)
	if spec.StorageFaults {
		dirs := make([]string, spec.Nodes)
		for i := range dirs {
			dirs[i] = c.cfgs[i].Dir
		}
		if c.disks, err = mountDisks(spec, dirs); err != nil {
			return nil, errors.Join(err, c.pool.Close(), c.adminConns.Close())
		}
	}
	admin := map[string]transport.ContextCaller{}
	for i, a := range c.admin {
		admin[c.names[i]] = a
	}
	c.faults = nodeproc.NewRemoteFaults(admin)
	c.linkFaults = c.faults
	if network.Kernel() {
		c.linkFaults = network.Faults()
	}
	c.Set = nodeproc.NewSet(nodeproc.SetConfig{
		Backend: "raftkv", Names: c.names, Mode: spec.Mode, Netns: network.Netns,
		Exec: spec.Exec, Config: func(i int) any { return c.cfgs[i] }, Dir: spec.Dir,
		InProcess: func(i int) (nodeproc.Stopper, error) { return startNode(c.cfgs[i], spec.Logger) },
		// The node's fault table starts empty: give it back the faults of
		// its links once it listens. Kernel faults outlive the process.
		Restarted: func(ctx context.Context, i int) error {
			if network.Kernel() {
				return nil
			}
			return c.faults.ReapplyWithin(ctx, c.names[i], 5*time.Second)
		},
		Release: func() error {
			return errors.Join(c.pool.Close(), c.adminConns.Close(), network.Close(), c.disks.Close())
		},
	})
	if err := c.StartAll(ctx, c.waitLeader); err != nil {
		return nil, err
	}
	return c, nil
}

// Cluster is a running raftkv cluster. It implements backend.Cluster,
// backend.Killer and backend.Pauser (process mode; through its node Set),
// backend.LeaderFinder and backend.Stats.
type Cluster struct {
	*nodeproc.Set
	names  []string
	cfgs   []NodeConfig
	secret nodeproc.Secret // the cluster's, for every client the harness makes
	admin  []*tcp.Client   // one caller per node for status queries
	faults *nodeproc.RemoteFaults
	// linkFaults is the cluster's fault seam: faults, or the kernel's
	// table with the option network: netns.
	linkFaults transport.LinkFaulter
	// adminConns holds admin's clients; the node Set closes them once,
	// when the cluster stops, with pool.
	adminConns nodeproc.Conns
	// pool holds the callers the clerks share (option conns).
	pool *backend.Pool[*nodeproc.Callers]
	// disks are the nodes' fault-injecting file systems, nil unless
	// started with Spec.StorageFaults (storage.go).
	disks *disks
}

var (
	_ backend.Barer        = (*Cluster)(nil)
	_ backend.ClientSetup  = (*Cluster)(nil)
	_ backend.Cluster      = (*Cluster)(nil)
	_ backend.Killer       = (*Cluster)(nil)
	_ backend.Pauser       = (*Cluster)(nil)
	_ backend.LeaderFinder = (*Cluster)(nil)
)

// Addrs returns the nodes' loopback addresses, index for index with Nodes.
func (c *Cluster) Addrs() []string { return append([]string(nil), c.cfgs[0].Addrs...) }

// DefaultConns is the number of caller slots (one connection to every
// node each) that a cluster's clerks share when the option "conns" does
// not say; chosen by measurement (see the package doc).
const DefaultConns = 4

// Client returns a context-aware kvraft clerk for worker id, with its own
// session and leader memory, calling the nodes through the callers of
// pool slot id mod conns, which it shares with the other clerks of that
// slot. Closing it leaves them open; the cluster's Stop closes the pool.
func (c *Cluster) Client(_ context.Context, id int) (backend.Client, error) {
	kc, err := c.clerk(c.pool, id)
	if err != nil {
		return nil, err
	}
	return client{kc}, nil
}

// clerk returns a kvraft clerk over the callers of pool's slot id mod
// its size.
func (c *Cluster) clerk(pool *backend.Pool[*nodeproc.Callers], id int) (*kvraft.Client, error) {
	slot, err := pool.Get(id)
	if err != nil {
		return nil, fmt.Errorf("raftkv: client: %w", err)
	}
	callers := make([]transport.Caller, len(c.names))
	for i, name := range c.names {
		callers[i] = slot.Dial(name, c.cfgs[i].Addrs[i])
	}
	return kvraft.NewClient(callers, kvraft.ClientConfig{Names: c.names,
		ReadAnyServer: c.cfgs[0].Reads == ReadsUnsafeLocal})
}

// client is a kvraft.Client as a backend.Client.
type client struct{ *kvraft.Client }

// Get, Put and Append mark kvraft's certain failures as backend.ErrDefinite.
func (cl client) Get(ctx context.Context, key string) (string, error) {
	v, err := cl.Client.Get(ctx, key)
	return v, definite(err)
}

func (cl client) Put(ctx context.Context, key, value string) error {
	return definite(cl.Client.Put(ctx, key, value))
}

func (cl client) Append(ctx context.Context, key, value string) error {
	return definite(cl.Client.Append(ctx, key, value))
}

// CAS is kvraft's compare-and-set (kvraft.Client.CAS), its certain
// failures marked as backend.ErrDefinite.
func (cl client) CAS(ctx context.Context, key, from, to string, create bool) (prev string, existed bool, err error) {
	prev, existed, err = cl.Client.CAS(ctx, key, from, to, create)
	return prev, existed, definite(err)
}

func definite(err error) error {
	if errors.Is(err, kvraft.ErrNotApplied) {
		return fmt.Errorf("%w: %w", backend.ErrDefinite, err)
	}
	return err
}

// status asks node i for its Raft state.
func (c *Cluster) status(ctx context.Context, i int) (kvraft.StatusReply, error) {
	ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	var reply kvraft.StatusReply
	err := c.admin[i].CallContext(ctx, "KVServer.Status", &kvraft.StatusArgs{}, &reply)
	return reply, err
}

// Leader names the node that reports itself leader in the highest term, or
// "" when none does.
func (c *Cluster) Leader(ctx context.Context) (string, error) {
	type answer struct {
		i int
		r kvraft.StatusReply
		e error
	}
	ch := make(chan answer, len(c.names))
	for i := range c.names {
		go func() {
			r, err := c.status(ctx, i)
			ch <- answer{i, r, err}
		}()
	}
	best, bestTerm := "", -1
	for range c.names {
		a := <-ch
		if a.e == nil && a.r.IsLeader && a.r.Term > bestTerm {
			best, bestTerm = c.names[a.i], a.r.Term
		}
	}
	return best, ctx.Err()
}

// errNoLeader says no node reports itself leader yet.
var errNoLeader = errors.New("no leader")

// waitLeader polls until some node is leader, ctx ends, or readyTimeout.
func (c *Cluster) waitLeader(ctx context.Context) error {
	err := nodeproc.Poll(ctx, readyTimeout, 20*time.Millisecond, func(ctx context.Context) error {
		if l, err := c.Leader(ctx); l != "" || err != nil {
			return err
		}
		return errNoLeader
	})
	if err != nil {
		return fmt.Errorf("raftkv: waiting for a leader: %w", err)
	}
	return nil
}

// Bare implements backend.Barer: client i is a kvraft clerk of its own
// over pool slot i mod conns, called directly.
func (c *Cluster) Bare(ctx context.Context, spec backend.BareSpec) (backend.BareResult, error) {
	return nodeproc.CallerBare(ctx, spec, c.pool, c.secret.Config(), func(pool *backend.Pool[*nodeproc.Callers], i int) (backend.KV, error) {
		return c.clerk(pool, i)
	}, func(err error) bool { return errors.Is(err, kvraft.ErrNotApplied) })
}

// ClientSettings implements backend.ClientSetup.
func (c *Cluster) ClientSettings() backend.ClientSettings {
	mode := "linearizable (ReadIndex on the leader, no log write)"
	if c.cfgs[0].Reads == ReadsUnsafeLocal {
		mode = "unsafe-local (any server's state, NOT linearizable)"
	}
	return nodeproc.CallerSettings(c.pool, "kvraft clerk (its own session and leader memory)", mode)
}
