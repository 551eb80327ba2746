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
	c.Members, err = NewMembers(c.names, c.Endpoints(), opts.conns)
	if err != nil {
		c.Stop(context.Background())
		return nil, err
	}
	if err := c.StartAll(ctx, c.WaitReady); err != nil {
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
// and, through its Members, backend.LeaderFinder, backend.Barer and
// backend.ClientSetup.
type Cluster struct {
	*nodeproc.Set
	*Members
	names []string
	cfgs  []MemberConfig
	links []PeerLink
	proxy io.Closer
	mesh  *proxy.Mesh // the peer proxies when Start made them, else nil
	// kernel is the kernel's link fault table with the option network:
	// netns, else nil.
	kernel *kernelnet.Faults
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

// dialTimeout bounds a clientv3 client's first connection.
const dialTimeout = 2 * time.Second

// release closes the admin client and then the peer proxies; the node Set
// calls it once, when the cluster stops, after the members stopped.
func (c *Cluster) release() error {
	var errs []error
	if c.Members != nil {
		errs = append(errs, c.Members.Close())
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
