package etcd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/types"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/etcdserver/api/membership"
	"go.uber.org/zap"

	"faultline/system/backend"
	"faultline/system/backend/kernelnet"
	"faultline/system/backend/nodeproc"
	"faultline/transport/proxy"
)

// Name is the backend's name in configs.
const Name = "etcd"

// readyTimeout bounds how long Start waits for the cluster to elect a
// leader when the context has no earlier deadline.
const readyTimeout = 30 * time.Second

// PeerLink is the peer address plan of one member, handed to
// Backend.PeerProxy.
type PeerLink struct {
	// Node is the member's name ("n0").
	Node string
	// Listen is the "host:port" the member accepts peer traffic on.
	Listen string
	// Advertise is the "host:port" the other members dial to reach it.
	Advertise string
	// ID is the member's etcd ID, derived by etcd from its advertised
	// peer URL and the cluster token.
	ID uint64
}

// Backend is the "etcd" backend. Its zero value is ready to use: members
// talk to each other directly, or, with the option "peer-proxy" set to
// "true", through a transport/proxy Mesh that the cluster offers to the
// chaos controller as its link fault table (Cluster.Faults).
type Backend struct {
	// PeerProxy, if set, routes peer traffic through proxies of the
	// caller's own instead (the option "peer-proxy" is then ignored): Start gives
	// every member a peer listen address and a distinct advertised address,
	// and calls PeerProxy with both before any member starts. PeerProxy
	// must forward each Advertise address to its Listen address until the
	// returned Closer is closed, which Cluster.Stop does after the members
	// stopped.
	PeerProxy func(ctx context.Context, links []PeerLink) (io.Closer, error)
}

var _ backend.Backend = Backend{}

// Name returns "etcd".
func (Backend) Name() string { return Name }

// options are the backend options of a Spec.
type options struct {
	tickMs, electionMs uint
	snapshotCount      uint64
	peerProxy          bool // peer traffic through a Mesh
	netns              bool // members are hosts of their own (nodeproc.Network)
	conns              int  // clientv3 clients shared by the Clients
}

// DefaultConns is the number of clientv3 clients (each with its own gRPC
// connection) that a cluster's Clients share when the option "conns" does
// not say; chosen by measurement (see the package doc).
const DefaultConns = 2

// parseOptions reads "tick-ms", "election-ms", "snapshot-count",
// "peer-proxy" and "conns".
func parseOptions(opts map[string]string) (options, error) {
	var o options
	var err error
	if o.conns, err = backend.ConnsOption(Name, opts, DefaultConns); err != nil {
		return o, err
	}
	for k, v := range opts {
		if k == "conns" {
			continue
		}
		if k == nodeproc.NetworkOption {
			o.netns = v == nodeproc.NetworkNetns // nodeproc.OpenNetwork checks the value
			continue
		}
		if k == "peer-proxy" {
			b, err := strconv.ParseBool(v)
			if err != nil || (v != "true" && v != "false") {
				return o, fmt.Errorf("etcd: option peer-proxy = %q, want true or false", v)
			}
			o.peerProxy = b
			continue
		}
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return o, fmt.Errorf("etcd: option %s = %q: %w", k, v, err)
		}
		switch k {
		case "tick-ms":
			o.tickMs = uint(n)
		case "election-ms":
			o.electionMs = uint(n)
		case "snapshot-count":
			o.snapshotCount = n
		default:
			return o, fmt.Errorf("etcd: unknown option %q (want tick-ms, election-ms, snapshot-count, peer-proxy, network or conns)", k)
		}
	}
	if o.netns && o.peerProxy {
		return o, fmt.Errorf("etcd: options peer-proxy and network: netns both fault the peer links (in user space and in the kernel): choose one")
	}
	return o, nil
}

// Start launches spec.Nodes etcd members on free loopback ports (or, with
// the option network: netns, each in a network namespace of its own:
// nodeproc.Network), each with its own data directory under spec.Dir, and
// returns once they agree on a leader.
func (b Backend) Start(ctx context.Context, spec backend.Spec) (backend.Cluster, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	opts, err := parseOptions(spec.Options)
	if err != nil {
		return nil, err
	}
	if !opts.peerProxy || b.PeerProxy != nil {
		return b.start(ctx, spec, opts, nil)
	}
	mesh := proxy.NewMesh(spec.Seed)
	b.PeerProxy = meshPeers(mesh)
	c, err := b.start(ctx, spec, opts, mesh)
	if err != nil {
		mesh.Close()
		return nil, err
	}
	return c, nil
}

// start is Start with parsed options; mesh, if not nil, is what
// b.PeerProxy routes the peers through, offered by Cluster.Faults.
func (b Backend) start(ctx context.Context, spec backend.Spec, opts options, mesh *proxy.Mesh) (*Cluster, error) {
	perMember := 2
	if b.PeerProxy != nil {
		perMember = 3
	}
	names := b.Nodes(spec)
	network, err := nodeproc.OpenNetwork(Name, spec, names)
	if err != nil {
		return nil, err
	}
	addrs, err := network.Addrs(perMember)
	if err != nil {
		return nil, fmt.Errorf("etcd: %w", errors.Join(err, network.Close()))
	}
	c := &Cluster{
		names:  names,
		kernel: network.Faults(),
		cfgs:   make([]MemberConfig, spec.Nodes),
		links:  make([]PeerLink, spec.Nodes),
		mesh:   mesh,
	}
	c.pool = c.newPool(opts.conns)
	var cluster []string
	for i := range spec.Nodes {
		name := c.names[i]
		l := PeerLink{Node: name, Listen: addrs[perMember*i+1], Advertise: addrs[perMember*i+1]}
		if b.PeerProxy != nil {
			l.Advertise = addrs[perMember*i+2]
		}
		l.ID = memberID(l.Advertise)
		c.links[i] = l
		cluster = append(cluster, name+"=http://"+l.Advertise)
	}
	for i := range spec.Nodes {
		c.cfgs[i] = MemberConfig{
			Name:          c.names[i],
			Dir:           filepath.Join(spec.Dir, c.names[i]),
			Client:        addrs[perMember*i],
			PeerListen:    c.links[i].Listen,
			Cluster:       strings.Join(cluster, ","),
			Fsync:         spec.Fsync,
			TickMs:        opts.tickMs,
			ElectionMs:    opts.electionMs,
			SnapshotCount: opts.snapshotCount,
		}
	}
	c.Set = nodeproc.NewSet(nodeproc.SetConfig{
		Backend: "etcd", Names: c.names, Mode: spec.Mode, Netns: network.Netns,
		Exec: spec.Exec, Config: func(i int) any { return c.cfgs[i] }, Dir: spec.Dir,
		InProcess: func(i int) (nodeproc.Stopper, error) { return startMember(c.cfgs[i], zap.NewNop()) },
		Release:   func() error { return errors.Join(c.release(), network.Close()) },
	})
	if b.PeerProxy != nil {
		c.proxy, err = b.PeerProxy(ctx, c.PeerLinks())
		if err != nil {
			return nil, fmt.Errorf("etcd: peer proxy: %w", err)
		}
	}
	c.admin, err = clientv3.New(clientv3.Config{
		Endpoints:   c.Endpoints(),
		DialTimeout: dialTimeout,
		Logger:      zap.NewNop(),
	})
	if err != nil {
		c.Stop(context.Background())
		return nil, fmt.Errorf("etcd: admin client: %w", err)
	}
	if err := c.StartAll(ctx, c.waitReady); err != nil {
		return nil, err
	}
	return c, nil
}

// clusterToken is the initial-cluster-token of every cluster; etcd derives
// member IDs from it.
const clusterToken = "faultline"

// memberID is the ID etcd gives a founding member advertising
// http://advertise in a cluster with clusterToken.
func memberID(advertise string) uint64 {
	m := membership.NewMember("", types.MustNewURLs([]string{"http://" + advertise}), clusterToken, nil)
	return uint64(m.ID)
}

// Cluster is a running etcd cluster. It implements backend.Cluster,
// backend.Killer and backend.Pauser (process mode; through its node Set)
// and backend.LeaderFinder.
type Cluster struct {
	*nodeproc.Set
	names []string
	cfgs  []MemberConfig
	links []PeerLink
	proxy io.Closer
	mesh  *proxy.Mesh // the peer proxies when Start made them, else nil
	// kernel is the kernel's link fault table with the option network:
	// netns, else nil.
	kernel *kernelnet.Faults
	admin  *clientv3.Client                // every endpoint; member list and status
	ids    map[uint64]string               // member ID to name; set by Start, then read-only
	pool   *backend.Pool[*clientv3.Client] // shared by the Clients
}

var (
	_ backend.Cluster      = (*Cluster)(nil)
	_ backend.Killer       = (*Cluster)(nil)
	_ backend.Pauser       = (*Cluster)(nil)
	_ backend.LeaderFinder = (*Cluster)(nil)
)

// Endpoints returns the members' client URLs, index for index with Nodes.
func (c *Cluster) Endpoints() []string {
	eps := make([]string, len(c.cfgs))
	for i, cfg := range c.cfgs {
		eps[i] = "http://" + cfg.Client
	}
	return eps
}

// PeerLinks returns the members' peer address plans, index for index with
// Nodes.
func (c *Cluster) PeerLinks() []PeerLink { return append([]PeerLink(nil), c.links...) }

// MemberIDs maps etcd's member IDs to node names. etcd's peer requests
// carry the sender's ID (the X-Server-From header and the last element of
// stream paths), which a proxy can use to tell the source of a connection.
func (c *Cluster) MemberIDs() map[uint64]string {
	m := make(map[uint64]string, len(c.ids))
	for id, n := range c.ids {
		m[id] = n
	}
	return m
}

// waitReady polls until the member list can be read (which needs a
// quorum) and some member names a leader, ctx ends, or readyTimeout.
func (c *Cluster) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	for {
		if c.ids == nil {
			lctx, lcancel := context.WithTimeout(ctx, time.Second)
			resp, err := c.admin.MemberList(lctx)
			lcancel()
			if err == nil && len(resp.Members) == len(c.names) {
				ids := make(map[uint64]string, len(resp.Members))
				for _, m := range resp.Members {
					ids[m.ID] = m.Name
				}
				c.ids = ids
			}
		}
		if c.ids != nil {
			if l, _ := c.Leader(ctx); l != "" {
				return nil
			}
		}
		t := time.NewTimer(50 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("etcd: waiting for a leader: %w", ctx.Err())
		case <-t.C:
		}
	}
}

// Client returns a client of worker id that shares the clientv3 client
// (and its gRPC connections) of pool slot id mod conns with the other
// workers of that slot. Closing it leaves the shared client open; the
// cluster's Stop closes the pool.
func (c *Cluster) Client(_ context.Context, id int) (backend.Client, error) {
	cli, err := c.pool.Get(id)
	if err != nil {
		return nil, fmt.Errorf("etcd: client: %w", err)
	}
	return &Client{cli: cli, ids: c.ids, shared: true}, nil
}

// newPool returns a pool of n clientv3 clients, slot k with every member
// as an endpoint, starting from member k mod members so that the slots
// spread their first connections.
func (c *Cluster) newPool(n int) *backend.Pool[*clientv3.Client] {
	return backend.NewPool(n, func(k int) (*clientv3.Client, error) {
		eps := c.Endpoints()
		k %= len(eps)
		eps = append(eps[k:], eps[:k]...)
		return clientv3.New(clientv3.Config{Endpoints: eps, DialTimeout: dialTimeout, Logger: zap.NewNop()})
	}, (*clientv3.Client).Close)
}

// dialTimeout bounds a clientv3 client's first connection.
const dialTimeout = 2 * time.Second

// ClientSettings implements backend.ClientSetup.
func (c *Cluster) ClientSettings() backend.ClientSettings {
	return backend.ClientSettings{
		Conns: c.pool.Size(), Library: "go.etcd.io/etcd/client/v3 (per clientv3 client, one gRPC client connection: an HTTP/2 connection to each member, requests round-robin)",
		Sharing:  backend.SharedSettings(c.pool.Size()),
		ReadMode: "linearizable (ReadIndex on the serving member)",
		Timeouts: map[string]string{"dial": dialTimeout.String()},
	}
}

// release closes the admin client and then the peer proxies; the node Set
// calls it once, when the cluster stops, after the members stopped.
func (c *Cluster) release() error {
	errs := []error{c.pool.Close()}
	if c.admin != nil {
		errs = append(errs, c.admin.Close())
	}
	if c.proxy != nil {
		errs = append(errs, c.proxy.Close())
	}
	return errors.Join(errs...)
}

// singleClient returns a client of member i alone.
func (c *Cluster) singleClient(i int) (*Client, error) {
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   []string{c.Endpoints()[i]},
		DialTimeout: dialTimeout,
		Logger:      zap.NewNop(),
	})
	if err != nil {
		return nil, fmt.Errorf("etcd: client of %s: %w", c.names[i], err)
	}
	return &Client{cli: cli, ids: c.ids}, nil
}
