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
	c := &Cluster{addr: addrs[0], secret: secret.Key}
	cfg := NodeConfig{Addr: c.addr, SecretFile: secret.File}
	c.Set = nodeproc.NewSet(nodeproc.SetConfig{
		Backend: Name, Names: []string{nodeName}, Mode: spec.Mode,
		Exec: spec.Exec, Config: func(int) any { return cfg }, Dir: spec.Dir,
		InProcess: func(int) (nodeproc.Stopper, error) { return StartNode(cfg) },
		Restarted: func(ctx context.Context, _ int) error { return c.waitReady(ctx) },
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
	secret []byte // the cluster's, for its clients
}

var (
	_ backend.Cluster = (*Cluster)(nil)
	_ backend.Killer  = (*Cluster)(nil)
	_ backend.Pauser  = (*Cluster)(nil)
)

// Client implements backend.Cluster: clients keep working across restarts
// (the node comes back on the same address).
func (c *Cluster) Client(context.Context, int) (backend.Client, error) {
	return NewClient(nodeName, c.addr, c.secret), nil
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
