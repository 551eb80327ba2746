package etcd

import (
	"context"
	"fmt"
	"syscall"
	"time"

	"faultline/system/backend"
)

// statusTimeout bounds each member's answer to Leader.
const statusTimeout = 500 * time.Millisecond

// Kill crashes node: SIGKILL to its process group in process mode; in
// in-process mode the member stops at once without handing over
// leadership, and its listeners and files are released. Killing a killed
// node is a no-op.
func (c *Cluster) Kill(_ context.Context, name string) error {
	i, err := c.index(name)
	if err != nil {
		return err
	}
	c.mu.Lock()
	m, p := c.members[i], c.procs[i]
	c.members[i], c.procs[i] = nil, nil
	c.mu.Unlock()
	if p != nil {
		return p.Kill()
	}
	if m != nil {
		m.kill()
	}
	return nil
}

// Restart brings a killed node back from its data directory on the same
// addresses. It returns once the member runs, without waiting for it to
// catch up. Restarting a running node is a no-op.
func (c *Cluster) Restart(_ context.Context, name string) error {
	i, err := c.index(name)
	if err != nil {
		return err
	}
	c.mu.Lock()
	running := c.members[i] != nil || c.procs[i] != nil
	stopped := c.stopped
	c.mu.Unlock()
	if stopped {
		return fmt.Errorf("etcd: restart %s: cluster stopped", name)
	}
	if running {
		return nil
	}
	return c.startMember(i)
}

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
		return fmt.Errorf("etcd: %v of in-process node %s: %w", sig, name, backend.ErrUnsupported)
	}
	i, err := c.index(name)
	if err != nil {
		return err
	}
	c.mu.Lock()
	p := c.procs[i]
	c.mu.Unlock()
	if p == nil {
		return fmt.Errorf("etcd: %v of %s: node is not running", sig, name)
	}
	return p.Signal(sig)
}

// Leader asks every member for its status and names the leader reported
// in the highest Raft term, or "" when no reachable member knows one.
func (c *Cluster) Leader(ctx context.Context) (string, error) {
	type answer struct {
		leader uint64
		term   uint64
		ok     bool
	}
	eps := c.Endpoints()
	ch := make(chan answer, len(eps))
	for _, ep := range eps {
		go func() {
			sctx, cancel := context.WithTimeout(ctx, statusTimeout)
			defer cancel()
			r, err := c.admin.Status(sctx, ep)
			if err != nil {
				ch <- answer{}
				return
			}
			ch <- answer{leader: r.Leader, term: r.RaftTerm, ok: true}
		}()
	}
	best, bestTerm := "", uint64(0)
	for range eps {
		a := <-ch
		if a.ok && a.leader != 0 && a.term >= bestTerm {
			if n, ok := c.ids[a.leader]; ok {
				best, bestTerm = n, a.term
			}
		}
	}
	return best, ctx.Err()
}
