package nodeproc

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"faultline/transport"
	"faultline/transport/tcp"
)

// FaultService exposes one node's link-fault table over RPC (service
// "Faults"), so that the chaos controller can fault the links of nodes that
// run as separate processes. Every node of a cluster gives all its tcp
// clients the same table.
type FaultService struct {
	Table *tcp.Faults
}

// SetLinkArgs asks for the faults f on the link From -> To.
type SetLinkArgs struct {
	From, To string
	Faults   transport.LinkFaults
}

// SetLinkReply answers SetLink; Err is empty on success.
type SetLinkReply struct {
	Err string
}

// HealArgs asks to heal every link.
type HealArgs struct{}

// HealReply answers HealAll.
type HealReply struct{}

// SetLink is the RPC handler that edits the table.
func (s *FaultService) SetLink(args *SetLinkArgs, reply *SetLinkReply) {
	if err := s.Table.SetLink(args.From, args.To, args.Faults); err != nil {
		reply.Err = err.Error()
	}
}

// HealAll is the RPC handler that heals every link.
func (s *FaultService) HealAll(_ *HealArgs, _ *HealReply) {
	s.Table.HealAll()
}

// RemoteFaults is a transport.LinkFaulter that applies faults to the
// tables of a cluster's nodes through their FaultService. A node's tcp
// client judges both its requests (link me -> peer) and the replies to them
// (link peer -> me), so SetLink(from, to) is sent to both from and to.
type RemoteFaults struct {
	nodes   map[string]transport.ContextCaller
	timeout time.Duration

	mu    sync.Mutex
	links map[[2]string]transport.LinkFaults
}

var (
	_ transport.LinkFaulter  = (*RemoteFaults)(nil)
	_ transport.FaultSupport = (*RemoteFaults)(nil)
)

// SupportsLink implements transport.FaultSupport: the remote tables are
// tcp.Faults, which apply every field of f (LinkFaults travels whole in
// SetLinkArgs).
func (r *RemoteFaults) SupportsLink(f transport.LinkFaults) error {
	var table *tcp.Faults
	return table.SupportsLink(f)
}

// NewRemoteFaults returns a faulter over the named nodes' admin callers.
func NewRemoteFaults(nodes map[string]transport.ContextCaller) *RemoteFaults {
	return &RemoteFaults{nodes: maps.Clone(nodes), timeout: 2 * time.Second,
		links: map[[2]string]transport.LinkFaults{}}
}

func (r *RemoteFaults) call(name, method string, args, reply any) error {
	c, ok := r.nodes[name]
	if !ok {
		return fmt.Errorf("nodeproc: no node %q for link faults", name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	if err := c.CallContext(ctx, "Faults."+method, args, reply); err != nil {
		return fmt.Errorf("nodeproc: %s on node %s: %w", method, name, err)
	}
	return nil
}

// SetLink implements transport.LinkFaulter. A node that cannot be reached
// (killed, paused) is reported in the error; the other side still gets the
// fault, and the link is remembered for when the node is back: Reapply
// sends it again.
func (r *RemoteFaults) SetLink(from, to string, f transport.LinkFaults) error {
	if err := f.Validate(); err != nil {
		return err
	}
	r.mu.Lock()
	if f.Healthy() {
		delete(r.links, [2]string{from, to})
	} else {
		r.links[[2]string{from, to}] = f
	}
	r.mu.Unlock()
	var errs []error
	for _, n := range []string{from, to} {
		var reply SetLinkReply
		if err := r.call(n, "SetLink", &SetLinkArgs{From: from, To: to, Faults: f}, &reply); err != nil {
			errs = append(errs, err)
		} else if reply.Err != "" {
			errs = append(errs, fmt.Errorf("nodeproc: SetLink on %s: %s", n, reply.Err))
		}
	}
	return errors.Join(errs...)
}

// Link implements transport.LinkFaulter: the faults last set on from -> to.
func (r *RemoteFaults) Link(from, to string) transport.LinkFaults {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.links[[2]string{from, to}]
}

// HealAll implements transport.LinkFaulter: every node's table is cleared
// (nodes that cannot be reached start healthy when they restart).
func (r *RemoteFaults) HealAll() {
	r.mu.Lock()
	clear(r.links)
	r.mu.Unlock()
	var wg sync.WaitGroup
	for n := range r.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = r.call(n, "HealAll", &HealArgs{}, &HealReply{})
		}()
	}
	wg.Wait()
}

// Reapply sends node every remembered fault of a link it is on, for a node
// that restarted with an empty table.
func (r *RemoteFaults) Reapply(node string) error {
	r.mu.Lock()
	links := maps.Clone(r.links)
	r.mu.Unlock()
	var errs []error
	for l, f := range links {
		if l[0] != node && l[1] != node {
			continue
		}
		var reply SetLinkReply
		if err := r.call(node, "SetLink", &SetLinkArgs{From: l[0], To: l[1], Faults: f}, &reply); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ReapplyWithin calls Reapply(node) until it succeeds, for a node that
// just restarted and may not listen yet: it retries every 20ms for at most
// within, or until ctx ends, and returns the last error.
func (r *RemoteFaults) ReapplyWithin(ctx context.Context, node string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		err := r.Reapply(node)
		if err == nil || time.Now().After(deadline) || ctx.Err() != nil {
			return err
		}
		t := time.NewTimer(20 * time.Millisecond)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}
