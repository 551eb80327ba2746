package memory

import (
	"context"
	"fmt"
	"sync"

	"faultline/system/backend"
)

// Name is the backend's name in configs.
const Name = "memory"

// nodeName is the name of the single node.
const nodeName = "n1"

// Backend is the "memory" backend.
type Backend struct{}

var _ backend.Backend = Backend{}

// Name implements backend.Backend.
func (Backend) Name() string { return Name }

// Start implements backend.Backend. The memory backend has exactly one node.
func (Backend) Start(ctx context.Context, spec backend.Spec) (backend.Cluster, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if spec.Nodes != 1 {
		return nil, fmt.Errorf("memkv: %d nodes asked, the memory backend has exactly 1: %w", spec.Nodes, backend.ErrUnsupported)
	}
	if spec.Mode == backend.ModeInProcess {
		n, err := StartNode("127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		return &inprocCluster{node: n}, nil
	}
	return startProcCluster(ctx, spec)
}

// inprocCluster is a node running as goroutines of the harness.
type inprocCluster struct {
	node *Node
	once sync.Once
	err  error
}

// Nodes implements backend.Cluster.
func (c *inprocCluster) Nodes() []string { return []string{nodeName} }

// Client implements backend.Cluster.
func (c *inprocCluster) Client(ctx context.Context, id int) (backend.Client, error) {
	return NewClient(nodeName, c.node.Addr()), nil
}

// Stop implements backend.Cluster.
func (c *inprocCluster) Stop(ctx context.Context) error {
	c.once.Do(func() { c.err = c.node.Close() })
	return c.err
}
