package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"

	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
	"faultline/transport"
	"faultline/transport/proxy"
)

// Cluster is a running exec cluster. It implements backend.Cluster,
// backend.Killer and backend.Pauser (through its node Set: SIGKILL and a
// restart on the same data directory and ports; SIGSTOP/SIGCONT),
// backend.Observer (a node that exits by itself), chaos.FaultSeam (the
// proxies' Mesh), and through its protocol backend.ClientSetup and
// backend.Barer.
type Cluster struct {
	*nodeproc.Set
	d     *Description
	plan  *plan
	mesh  *proxy.Mesh
	route io.Closer // the proxies (and Fronts), closed at Stop
	nodes []*node
	proto protocol

	events     chan backend.Event
	eventDrops atomic.Int64
	closeOnce  sync.Once
}

// node is one node's rendered commands and its current process.
type node struct {
	name, log string
	role      *Role
	argv, env []string
	ready     []string // the ready command, rendered
	client    string   // real addresses
	peer      string
	proc      atomic.Pointer[nodeproc.Proc]
}

var (
	_ backend.Cluster     = (*Cluster)(nil)
	_ backend.Killer      = (*Cluster)(nil)
	_ backend.Pauser      = (*Cluster)(nil)
	_ backend.Observer    = (*Cluster)(nil)
	_ backend.ClientSetup = (*Cluster)(nil)
	_ backend.Barer       = (*Cluster)(nil)
)

// eventBuffer bounds the events waiting for the harness; more are dropped
// and counted.
const eventBuffer = 64

// start plans the ports and proxies, renders every node's commands,
// writes their files, starts the nodes and waits for them and the
// protocol to be ready; on an error nothing is left running.
func start(ctx context.Context, spec backend.Spec, d *Description, o options) (*Cluster, error) {
	addrs, err := nodeproc.FreePorts(addrsNeeded(d))
	if err != nil {
		return nil, fmt.Errorf("exec: %w", err)
	}
	c := &Cluster{d: d, plan: newPlan(d, addrs), mesh: proxy.NewMesh(spec.Seed), events: make(chan backend.Event, eventBuffer)}
	if c.route, err = c.plan.route(c.mesh); err != nil {
		return nil, err
	}
	n := d.Nodes()
	for i := range n {
		nd, err := c.prepareNode(spec, i)
		if err != nil {
			c.route.Close()
			return nil, err
		}
		c.nodes = append(c.nodes, nd)
	}
	if c.proto, err = newProtocol(c, o); err != nil {
		c.route.Close()
		return nil, err
	}
	c.Set = nodeproc.NewSet(nodeproc.SetConfig{
		Backend: Name, Names: backend.Numbered("n", n), Mode: backend.ModeProcess, Dir: spec.Dir,
		Argv:       func(i int) []string { return slices.Clone(c.nodes[i].argv) },
		Env:        func(i int) []string { return c.nodes[i].env },
		Started:    func(i int, p *nodeproc.Proc) { c.nodes[i].proc.Store(p) },
		Restarted:  c.restarted,
		Exited:     c.exited,
		StopGrace:  d.Stop.Grace,
		StopSignal: d.Stop.Signal,
		Release:    c.release,
	})
	if err := c.StartAll(ctx, c.ready); err != nil {
		return nil, err
	}
	return c, nil
}

// prepareNode renders node i's commands and writes its files.
func (c *Cluster) prepareNode(spec backend.Spec, i int) (*node, error) {
	r, _ := c.d.roleOf(i)
	name := nodeName(i)
	dataDir, err := filepath.Abs(filepath.Join(spec.Dir, name))
	if err == nil {
		err = os.MkdirAll(dataDir, 0o755)
	}
	if err != nil {
		return nil, fmt.Errorf("exec: node %s: %w", name, err)
	}
	dir, _ := filepath.Abs(spec.Dir)
	v := c.plan.vars(i, dir, dataDir, spec.Seed)
	nd := &node{name: name, role: r, log: filepath.Join(spec.Dir, name+".log"), client: c.plan.client[i], peer: c.plan.peer[i]}
	if nd.argv, err = v.renderAll("command", r.Command); err == nil {
		if nd.env, err = v.renderAll("env", r.Env); err == nil {
			nd.ready, err = v.renderAll("ready.command", r.Ready.Command)
		}
	}
	for fname, text := range r.Files {
		if err != nil {
			break
		}
		var body string
		if body, err = v.render("files."+fname, text); err == nil {
			err = os.WriteFile(filepath.Join(dataDir, fname), []byte(body), 0o644)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("exec: node %s (role %s): %w", name, r.Name, err)
	}
	return nd, nil
}

// ready waits for every node, then for the protocol's own readiness.
func (c *Cluster) ready(ctx context.Context) error {
	errs := make([]error, len(c.nodes))
	var wg sync.WaitGroup
	for i := range c.nodes {
		wg.Go(func() { errs[i] = c.waitNode(ctx, i) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return c.proto.ready(ctx)
}

// restarted waits for a restarted node to be ready again.
func (c *Cluster) restarted(ctx context.Context, i int) error { return c.waitNode(ctx, i) }

// exited hears of a node process that exited by itself: the harness is
// told, with the end of the node's log.
func (c *Cluster) exited(i int, err error) {
	nd := c.nodes[i]
	detail := fmt.Sprintf("exited by itself (%v); its log ends: %s", err, nodeproc.LogTail(nd.log, 512))
	select {
	case c.events <- backend.Event{Kind: "exit", Node: nd.name, Detail: detail}:
	default:
		c.eventDrops.Add(1)
	}
}

// Events implements backend.Observer: an "exit" event for every node
// process that exited by itself. The channel closes when the Cluster
// stops.
func (c *Cluster) Events() <-chan backend.Event { return c.events }

// Faults implements chaos.FaultSeam: the link table of the proxies
// between the nodes, or nil for a single node.
func (c *Cluster) Faults() transport.LinkFaulter {
	if len(c.nodes) < 2 {
		return nil
	}
	return c.mesh
}

// Client implements backend.Cluster through the protocol.
func (c *Cluster) Client(ctx context.Context, id int) (backend.Client, error) {
	return c.proto.client(ctx, id)
}

// ClientSettings implements backend.ClientSetup.
func (c *Cluster) ClientSettings() backend.ClientSettings { return c.proto.settings() }

// Bare implements backend.Barer for the key/value protocols.
func (c *Cluster) Bare(ctx context.Context, spec backend.BareSpec) (backend.BareResult, error) {
	return c.proto.bare(ctx, spec)
}

// release closes the protocol's clients and the proxies once the nodes
// stopped, then the events channel.
func (c *Cluster) release() error {
	err := errors.Join(c.proto.close(), c.route.Close())
	c.closeOnce.Do(func() { close(c.events) })
	return err
}
