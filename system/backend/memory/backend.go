package memory

import (
	"context"
	"fmt"
	"time"

	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
)

// Name is the backend's name in configs.
const Name = "memory"

// nodeName is the name of the single node.
const nodeName = "n1"

// readyTimeout bounds how long Start and Restart wait for the node to
// answer.
const readyTimeout = 10 * time.Second

// Backend is the "memory" backend.
type Backend struct{}

var _ backend.Backend = Backend{}

// Name implements backend.Backend.
func (Backend) Name() string { return Name }

// Start implements backend.Backend. The memory backend has exactly one
// node, on a free loopback port that it keeps across restarts.
func (Backend) Start(ctx context.Context, spec backend.Spec) (backend.Cluster, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if spec.Nodes != 1 {
		return nil, fmt.Errorf("memkv: %d nodes asked, the memory backend has exactly 1: %w", spec.Nodes, backend.ErrUnsupported)
	}
	addrs, err := nodeproc.FreePorts(1)
	if err != nil {
		return nil, fmt.Errorf("memkv: %w", err)
	}
	secret, err := nodeproc.NewSecret(spec.Dir)
	if err != nil {
		return nil, fmt.Errorf("memkv: %w", err)
	}
	for k := range spec.Options {
		if k != "conns" && k != "txn" {
			return nil, fmt.Errorf("memkv: unknown option %q (known: conns, txn)", k)
		}
	}
	mode, err := txnMode(spec.Options["txn"])
	if err != nil {
		return nil, err
	}
	conns, err := backend.ConnsOption(Name, spec.Options, DefaultConns)
	if err != nil {
		return nil, err
	}
	c := &Cluster{addr: addrs[0], secret: secret.Key, pool: nodeproc.NewCallerPool(conns, clientConfig(secret.Key))}
	cfg := NodeConfig{Addr: c.addr, SecretFile: secret.File, Txn: mode}
	c.Set = nodeproc.NewSet(nodeproc.SetConfig{
		Backend: Name, Names: []string{nodeName}, Mode: spec.Mode,
		Exec: spec.Exec, Config: func(int) any { return cfg }, Dir: spec.Dir,
		InProcess: func(int) (nodeproc.Stopper, error) { return StartNode(cfg) },
		Restarted: func(ctx context.Context, _ int) error { return c.waitReady(ctx) },
		Release:   c.pool.Close,
	})
	if err := c.StartAll(ctx, c.waitReady); err != nil {
		return nil, err
	}
	return c, nil
}

// Cluster is the running node, in this process or as a child process. It
// implements backend.Killer (Kill loses every key: the node keeps nothing
// on disk; Restart serves an empty store on the same address) and, in
// process mode, backend.Pauser, through its node Set.
type Cluster struct {
	*nodeproc.Set
	addr   string
	secret []byte                           // the cluster's, for its clients
	pool   *backend.Pool[*nodeproc.Callers] // shared by the clients (option conns)
}

var (
	_ backend.Cluster = (*Cluster)(nil)
	_ backend.Killer  = (*Cluster)(nil)
	_ backend.Pauser  = (*Cluster)(nil)
)

// The bare loop and the client settings of a caller pool (Bare,
// ClientSettings).
var _ interface {
	backend.Barer
	backend.ClientSetup
} = (*Cluster)(nil)

// DefaultConns is the number of connections a cluster's clients share
// when the option "conns" does not say; chosen by measurement (see the
// package doc).
const DefaultConns = 1

// Client implements backend.Cluster: client id shares the connection of
// pool slot id mod conns with the other clients of that slot; closing it
// leaves the connection open (the cluster's Stop closes the pool).
// Clients keep working across restarts (the node comes back on the same
// address).
func (c *Cluster) Client(_ context.Context, id int) (backend.Client, error) {
	return c.client(c.pool, id)
}

// client returns a client over the connection of pool's slot id mod its
// size.
func (c *Cluster) client(pool *backend.Pool[*nodeproc.Callers], id int) (*Client, error) {
	slot, err := pool.Get(id)
	if err != nil {
		return nil, fmt.Errorf("memkv: client: %w", err)
	}
	return &Client{node: nodeName, c: slot.Dial(nodeName, c.addr), close: func() error { return nil }}, nil
}

// waitReady polls until the node answers a read.
func (c *Cluster) waitReady(ctx context.Context) error {
	cl := NewClient(nodeName, c.addr, c.secret)
	defer cl.Close()
	err := nodeproc.Poll(ctx, readyTimeout, 5*time.Millisecond, func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
		defer cancel()
		_, err := cl.Get(ctx, "")
		return err
	})
	if err != nil {
		return fmt.Errorf("memkv: waiting for the node: %w", err)
	}
	return nil
}

// Bare implements backend.Barer: client i is a Client of its own over
// pool slot i mod conns, called directly (it is the library: one RPC per
// op).
func (c *Cluster) Bare(ctx context.Context, spec backend.BareSpec) (backend.BareResult, error) {
	return nodeproc.CallerBare(ctx, spec, c.pool, clientConfig(c.secret), func(pool *backend.Pool[*nodeproc.Callers], i int) (backend.KV, error) {
		return c.client(pool, i)
	}, nil)
}

// ClientSettings implements backend.ClientSetup.
func (c *Cluster) ClientSettings() backend.ClientSettings {
	return nodeproc.CallerSettings(c.pool, "memkv Client", "linearizable (one node, one lock)")
}
