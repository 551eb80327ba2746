package shardkv

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
	"faultline/system/raft"
	"faultline/system/shardctrler"
	skv "faultline/system/shardkv"
	"faultline/transport"
)

// Name is the backend's name in configs.
const Name = "shardkv"

// Backend is the "shardkv" backend. Its zero value is ready to use.
type Backend struct{}

var _ backend.Backend = Backend{}

// Name returns "shardkv".
func (Backend) Name() string { return Name }

// Defaults of the options.
const (
	defaultGroups  = 3
	defaultCtrlers = 3
	firstGID       = 1
	readyTimeout   = 30 * time.Second
)

// options are the backend's settings from Spec.Options.
type options struct {
	groups, ctrlers, joined, maxRaftState int
	conns                                 int // caller slots the clerks share
}

// parseOptions reads the positive integers "groups", "ctrlers" and
// "joined" (at most groups; default all) and "maxraftstate" (<= 0 never
// snapshots).
func parseOptions(opts map[string]string) (options, error) {
	o := options{groups: defaultGroups, ctrlers: defaultCtrlers, joined: -1, maxRaftState: DefaultMaxRaftState}
	for k, s := range opts {
		v, err := strconv.Atoi(s)
		switch k {
		case nodeproc.NetworkOption: // nodeproc.OpenNetwork's
			continue
		case "conns": // ConnsOption's, below
		case "groups":
			o.groups = v
		case "ctrlers":
			o.ctrlers = v
		case "joined":
			o.joined = v
		case "maxraftstate":
			o.maxRaftState = v
		default:
			return o, fmt.Errorf("shardkv: unknown option %q (known: groups, joined, ctrlers, maxraftstate, conns, network)", k)
		}
		if err != nil || (v < 1 && k != "maxraftstate") {
			return o, fmt.Errorf("shardkv: option %s = %q, want a positive integer", k, s)
		}
	}
	var err error
	if o.conns, err = backend.ConnsOption(Name, opts, DefaultConns); err != nil {
		return o, err
	}
	if o.joined < 0 {
		o.joined = o.groups
	}
	if o.joined > o.groups {
		return o, fmt.Errorf("shardkv: option joined = %d, more than groups = %d", o.joined, o.groups)
	}
	return o, nil
}

// nodes lists the cluster's nodes in order, with their roles, group ids
// and ids only: the controllers, then each group's replicas (nodes each).
func (o options) nodes(perGroup int) []NodeConfig {
	var cfgs []NodeConfig
	for i := range o.ctrlers {
		cfgs = append(cfgs, NodeConfig{Role: roleCtrler, ID: i})
	}
	for g := range o.groups {
		for i := range perGroup {
			cfgs = append(cfgs, NodeConfig{Role: roleGroup, GID: firstGID + g, ID: i})
		}
	}
	return cfgs
}

// Start launches the controller group and the replica groups (option
// groups), joins the first of them (option joined, default all), and returns
// once every shard answers.
func (Backend) Start(ctx context.Context, spec backend.Spec) (backend.Cluster, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	o, err := parseOptions(spec.Options)
	if err != nil {
		return nil, err
	}
	secret, err := nodeproc.NewSecret(spec.Dir)
	if err != nil {
		return nil, fmt.Errorf("shardkv: %w", err)
	}
	cfgs := o.nodes(spec.Nodes)
	names := make([]string, len(cfgs))
	for i := range cfgs {
		names[i] = cfgs[i].Name()
	}
	network, err := nodeproc.OpenNetwork(Name, spec, names)
	if err != nil {
		return nil, err
	}
	addrs, err := network.Addrs(1) // in the order of cfgs: controllers, then each group
	if err != nil {
		return nil, errors.Join(err, network.Close())
	}
	c := &Cluster{ctrlAddrs: addrs[:o.ctrlers], groupAddrs: map[int][]string{}, secret: secret,
		pool: nodeproc.NewCallerPool(o.conns, secret.Config()), cfgs: cfgs}
	for i := range c.cfgs {
		cfg := &c.cfgs[i]
		cfg.Ctrlers, cfg.Fsync, cfg.MaxRaftState, cfg.SecretFile = c.ctrlAddrs, spec.Fsync, o.maxRaftState, secret.File
		cfg.Dir = filepath.Join(spec.Dir, cfg.Name())
		if cfg.Role == roleCtrler {
			cfg.Peers = c.ctrlAddrs
		} else {
			g := cfg.GID - firstGID
			cfg.Peers = addrs[o.ctrlers+g*spec.Nodes : o.ctrlers+(g+1)*spec.Nodes]
			if cfg.ID == 0 {
				c.gids = append(c.gids, cfg.GID)
				c.groupAddrs[cfg.GID] = cfg.Peers
			}
		}
	}
	c.Set = nodeproc.NewSet(nodeproc.SetConfig{
		Backend: "shardkv", Names: names, Mode: spec.Mode, Netns: network.Netns,
		Exec: spec.Exec, Config: func(i int) any { return c.cfgs[i] }, Dir: spec.Dir,
		InProcess: func(i int) (nodeproc.Stopper, error) { return startNode(c.cfgs[i], spec.Logger) },
		// The node's fault table starts empty: give it back the faults of
		// its links once it listens. Kernel faults outlive the process.
		Restarted: func(ctx context.Context, i int) error {
			if network.Kernel() {
				return nil
			}
			return c.faults.ReapplyWithin(ctx, c.faults.name(c.cfgs[i].Name()), 5*time.Second)
		},
		Release: func() error { return errors.Join(c.pool.Close(), c.adminConns.Close(), network.Close()) },
	})
	c.admin = c.newCtrlerClerk()
	c.faults = c.newFaults()
	c.linkFaults = c.faults
	if network.Kernel() {
		c.linkFaults = network.Faults()
	}
	ready := func(ctx context.Context) error { return c.ready(ctx, c.gids[:o.joined]) }
	if err := c.StartAll(ctx, ready); err != nil {
		return nil, err
	}
	return c, nil
}

// Cluster is a running sharded store. It implements backend.Cluster,
// Killer and Pauser (process mode; through its node Set) and Membership.
type Cluster struct {
	*nodeproc.Set
	cfgs       []NodeConfig
	ctrlAddrs  []string
	gids       []int
	groupAddrs map[int][]string
	secret     nodeproc.Secret // the cluster's, for every client the harness makes

	adminMu sync.Mutex // serializes use of admin (a Clerk is single-goroutine)
	admin   *shardctrler.Clerk
	faults  *addrFaults
	// linkFaults is the cluster's fault seam: faults, or the kernel's
	// table with the option network: netns.
	linkFaults transport.LinkFaulter
	// adminConns holds the clients of admin and faults; the node Set
	// closes them once, when the cluster stops (Stop is the Set's), with
	// pool.
	adminConns nodeproc.Conns
	// pool holds the callers the clerks share (option conns).
	pool *backend.Pool[*nodeproc.Callers]
}

var (
	_ backend.Barer       = (*Cluster)(nil)
	_ backend.ClientSetup = (*Cluster)(nil)
	_ backend.Cluster     = (*Cluster)(nil)
	_ backend.Killer      = (*Cluster)(nil)
	_ backend.Pauser      = (*Cluster)(nil)
	_ backend.Membership  = (*Cluster)(nil)
)

// newCtrlerClerk returns a controller clerk whose connections are the
// cluster's admin connections.
func (c *Cluster) newCtrlerClerk() *shardctrler.Clerk {
	peers := make([]raft.Peer, len(c.ctrlAddrs))
	for i, a := range c.ctrlAddrs {
		peers[i] = c.adminConns.Dial(a, c.secret.Config())
	}
	return shardctrler.MakeClerk(peers)
}

// ready joins the groups gids and waits until a key of every shard answers.
func (c *Cluster) ready(ctx context.Context, gids []int) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	if err := c.Join(ctx, gids); err != nil {
		return fmt.Errorf("shardkv: joining the groups: %w", err)
	}
	cl, err := c.Client(ctx, -1)
	if err != nil {
		return err
	}
	defer cl.Close()
	for shard := range shardctrler.NShards {
		key := string(rune('0' + (shard+2)%shardctrler.NShards)) // '0' is shard 8
		if skv.Key2Shard(key) != shard {
			return fmt.Errorf("shardkv: probe key %q is in shard %d, not %d", key, skv.Key2Shard(key), shard)
		}
		if _, err := cl.Get(ctx, key); err != nil {
			return fmt.Errorf("shardkv: waiting for shard %d: %w", shard, err)
		}
	}
	return nil
}

// DefaultConns is the number of caller slots that a cluster's clerks
// share when the option "conns" does not say: raftkv's measured default
// (the same clerk-over-tcp client, see the raftkv package doc), not
// measured on shardkv itself.
const DefaultConns = 4

// Client returns a context-aware clerk for worker id, with its own
// session, configuration and leader memory, calling the controllers and
// the groups through the callers of pool slot id mod conns, which it
// shares with the other clerks of that slot. Closing it leaves them open;
// the cluster's Stop closes the pool.
func (c *Cluster) Client(_ context.Context, id int) (backend.Client, error) {
	ck, err := c.clerk(c.pool, id)
	if err != nil {
		return nil, err
	}
	return client{ck}, nil
}

// clerk returns a shardkv clerk over the callers of pool's slot id mod
// its size.
func (c *Cluster) clerk(pool *backend.Pool[*nodeproc.Callers], id int) (*skv.Clerk, error) {
	slot, err := pool.Get(id)
	if err != nil {
		return nil, fmt.Errorf("shardkv: client: %w", err)
	}
	ctrl := make([]raft.Peer, len(c.ctrlAddrs))
	for i, a := range c.ctrlAddrs {
		ctrl[i] = slot.Dial(a, a)
	}
	return skv.MakeClerk(ctrl, func(addr string) raft.Peer { return slot.Dial(addr, addr) }), nil
}

// client adapts a shardkv Clerk to backend.Client. An error always means
// the outcome is unknown: the clerk retries every definite refusal itself.
type client struct{ ck *skv.Clerk }

var (
	_ backend.Client = client{}
	_ backend.Served = client{}
)

// Get implements backend.Client.
func (cl client) Get(ctx context.Context, key string) (string, error) {
	return cl.ck.GetContext(ctx, key)
}

// Put implements backend.Client.
func (cl client) Put(ctx context.Context, key, value string) error {
	return cl.ck.PutContext(ctx, key, value)
}

// Append implements backend.Client.
func (cl client) Append(ctx context.Context, key, value string) error {
	return cl.ck.AppendContext(ctx, key, value)
}

// LastNode implements backend.Served: the address of the replica that
// answered last.
func (cl client) LastNode() string { return cl.ck.LastNode() }

// Close implements backend.Client: the callers stay open for the other
// clerks of the slot.
func (cl client) Close() error { return nil }

// Groups lists every replica group that exists, joined or not.
func (c *Cluster) Groups() []int { return slices.Clone(c.gids) }

// Join joins replica groups through the controller.
func (c *Cluster) Join(ctx context.Context, gids []int) error {
	m := map[int][]string{}
	for _, gid := range gids {
		addrs, ok := c.groupAddrs[gid]
		if !ok {
			return fmt.Errorf("shardkv: join: no group %d (have %v)", gid, c.gids)
		}
		m[gid] = addrs
	}
	c.adminMu.Lock()
	defer c.adminMu.Unlock()
	return c.admin.JoinContext(ctx, m)
}

// Leave removes replica groups through the controller.
func (c *Cluster) Leave(ctx context.Context, gids []int) error {
	c.adminMu.Lock()
	defer c.adminMu.Unlock()
	return c.admin.LeaveContext(ctx, gids)
}

// Move puts shard on group gid through the controller.
func (c *Cluster) Move(ctx context.Context, shard, gid int) error {
	c.adminMu.Lock()
	defer c.adminMu.Unlock()
	return c.admin.MoveContext(ctx, shard, gid)
}

// Config returns the controller's latest configuration.
func (c *Cluster) Config(ctx context.Context) (shardctrler.Config, error) {
	c.adminMu.Lock()
	defer c.adminMu.Unlock()
	return c.admin.QueryContext(ctx, -1)
}

// Joined lists the replica groups of the latest configuration, in order.
func (c *Cluster) Joined(ctx context.Context) ([]int, error) {
	cfg, err := c.Config(ctx)
	if err != nil {
		return nil, err
	}
	return slices.Sorted(maps.Keys(cfg.Groups)), nil
}

// Shards returns the number of shards, for moves.
func (c *Cluster) Shards() int { return shardctrler.NShards }

// Bare implements backend.Barer: client i is a shardkv clerk of its own
// over pool slot i mod conns, called directly.
func (c *Cluster) Bare(ctx context.Context, spec backend.BareSpec) (backend.BareResult, error) {
	return nodeproc.CallerBare(ctx, spec, c.pool, c.secret.Config(), func(pool *backend.Pool[*nodeproc.Callers], i int) (backend.KV, error) {
		ck, err := c.clerk(pool, i)
		return client{ck}, err
	}, nil)
}

// ClientSettings implements backend.ClientSetup.
func (c *Cluster) ClientSettings() backend.ClientSettings {
	return nodeproc.CallerSettings(c.pool, "shardkv clerk (its own session, configuration and leader memory)", "linearizable")
}
