package exec

import (
	"context"
	"errors"
	"fmt"
	"net"
	osexec "os/exec"
	"time"

	"faultline/system/backend/nodeproc"
)

// Bounds of a readiness probe.
const (
	probeEvery   = 50 * time.Millisecond
	probeTimeout = 2 * time.Second
	logTail      = 2 << 10 // bytes of a node's log quoted in errors
)

// waitNode waits until node i's current process passes its role's
// readiness check (a TCP connect, a command, or both), for at most the
// role's ready.within. A process that exits first, or a check that never
// passes, is an error quoting the end of the node's log.
func (c *Cluster) waitNode(ctx context.Context, i int) error {
	nd := c.nodes[i]
	p := nd.proc.Load()
	if p == nil {
		return fmt.Errorf("exec: node %s was not started", nd.name)
	}
	ctx, cancel := context.WithTimeout(ctx, nd.role.Ready.Within)
	defer cancel()
	start := time.Now()
	var last error
	for {
		select {
		case <-p.Done():
			return nd.failure(fmt.Sprintf("exited before it was ready (%v)", p.Err()))
		default:
		}
		if last = nd.probe(ctx); last == nil {
			return nil
		}
		t := time.NewTimer(probeEvery)
		select {
		case <-p.Done():
			t.Stop()
			return nd.failure(fmt.Sprintf("exited before it was ready (%v)", p.Err()))
		case <-ctx.Done():
			t.Stop()
			return nd.failure(fmt.Sprintf("not ready after %v: %v", time.Since(start).Round(time.Millisecond), last))
		case <-t.C:
		}
	}
}

// failure is an error about node nd, with the end of its log.
func (nd *node) failure(what string) error {
	tail := nodeproc.LogTail(nd.log, logTail)
	if tail == "" {
		return fmt.Errorf("exec: node %s (role %s) %s; its log %s is empty", nd.name, nd.role.Name, what, nd.log)
	}
	return fmt.Errorf("exec: node %s (role %s) %s; its log %s ends:\n%s", nd.name, nd.role.Name, what, nd.log, tail)
}

// probe runs the node's readiness checks once.
func (nd *node) probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if port := nd.role.Ready.TCP; port != "" {
		addr := nd.client
		if port == "peer" {
			addr = nd.peer
		}
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return fmt.Errorf("connect to the %s port: %w", port, err)
		}
		conn.Close()
	}
	if len(nd.ready) > 0 {
		cmd := osexec.CommandContext(ctx, nd.ready[0], nd.ready[1:]...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			var ee *osexec.ExitError
			if errors.As(err, &ee) && len(out) > 0 {
				return fmt.Errorf("ready command: %w: %.200s", err, out)
			}
			return fmt.Errorf("ready command: %w", err)
		}
	}
	return nil
}
