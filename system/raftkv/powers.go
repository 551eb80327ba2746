package raftkv

import (
	"context"
	"fmt"
	"syscall"
	"time"

	"faultline/system/backend"
	"faultline/transport"
)

// Kill crashes node: SIGKILL to its process group in process mode; in
// in-process mode its server, Raft peer, listener and persister are stopped
// at once. Killing a killed node is a no-op.
func (c *Cluster) Kill(_ context.Context, name string) error {
	i, err := c.index(name)
	if err != nil {
		return err
	}
	c.mu.Lock()
	n, p := c.nodes[i], c.procs[i]
	c.nodes[i], c.procs[i] = nil, nil
	c.mu.Unlock()
	if p != nil {
		return p.Kill()
	}
	if n != nil {
		return n.stop()
	}
	return nil
}

// Restart brings a killed node back from its data directory on the same
// address. Restarting a running node is a no-op.
func (c *Cluster) Restart(_ context.Context, name string) error {
	i, err := c.index(name)
	if err != nil {
		return err
	}
	c.mu.Lock()
	running := c.nodes[i] != nil || c.procs[i] != nil
	stopped := c.stopped
	c.mu.Unlock()
	if stopped {
		return fmt.Errorf("raftkv: restart %s: cluster stopped", name)
	}
	if running {
		return nil
	}
	if err := c.startNode(i); err != nil {
		return err
	}
	// The node's fault table starts empty: give it back the faults of its
	// links once it listens.
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := c.faults.Reapply(name)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Faults returns the cluster's link-fault seam (chaos.FaultSeam): per
// directed link between nodes, applied by the nodes' own transports (a
// fault on a -> b is set in both a's and b's tables, since each judges its
// requests and the replies to them).
func (c *Cluster) Faults() transport.LinkFaulter { return c.faults }

// Pause freezes node with SIGSTOP (process mode only).
func (c *Cluster) Pause(_ context.Context, name string) error {
	return c.signal(name, syscall.SIGSTOP)
}

// Resume thaws a paused node with SIGCONT (process mode only).
func (c *Cluster) Resume(_ context.Context, name string) error {
	return c.signal(name, syscall.SIGCONT)
}

func (c *Cluster) signal(name string, sig syscall.Signal) error {
	if c.spec.Mode != backend.ModeProcess {
		return fmt.Errorf("raftkv: %v of in-process node %s: %w", sig, name, backend.ErrUnsupported)
	}
	i, err := c.index(name)
	if err != nil {
		return err
	}
	c.mu.Lock()
	p := c.procs[i]
	c.mu.Unlock()
	if p == nil {
		return fmt.Errorf("raftkv: %v of %s: node is not running", sig, name)
	}
	return p.Signal(sig)
}
