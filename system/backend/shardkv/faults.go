package shardkv

import (
	"context"
	"fmt"

	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
	"faultline/transport"
)

// addrFaults is the cluster's link-fault seam: chaos names links by node
// name (c0, g1-2), the nodes' fault tables by address.
type addrFaults struct {
	*nodeproc.RemoteFaults
	addr map[string]string // node name -> address
	// byName are the same connections by node name.
	byName map[string]transport.ContextCaller
}

var (
	_ transport.LinkFaulter = (*addrFaults)(nil)
	// The nodes' tables apply every link fault (RemoteFaults.SupportsLink
	// is promoted: support does not depend on the link's names).
	_ transport.FaultSupport = (*addrFaults)(nil)
)

func (c *Cluster) newFaults() *addrFaults {
	f := &addrFaults{addr: map[string]string{}, byName: map[string]transport.ContextCaller{}}
	callers := map[string]transport.ContextCaller{}
	for _, cfg := range c.cfgs {
		a := cfg.Peers[cfg.ID]
		f.addr[cfg.Name()] = a
		conn := c.adminConns.Dial(a, c.secret.Config())
		callers[a] = conn
		f.byName[cfg.Name()] = conn
	}
	f.RemoteFaults = nodeproc.NewRemoteFaults(callers)
	return f
}

// SetLink implements transport.LinkFaulter for node names.
func (f *addrFaults) SetLink(from, to string, lf transport.LinkFaults) error {
	return f.RemoteFaults.SetLink(f.name(from), f.name(to), lf)
}

// Link implements transport.LinkFaulter for node names.
func (f *addrFaults) Link(from, to string) transport.LinkFaults {
	return f.RemoteFaults.Link(f.name(from), f.name(to))
}

func (f *addrFaults) name(node string) string {
	if a, ok := f.addr[node]; ok {
		return a
	}
	return node // unknown: RemoteFaults reports it
}

// Faults returns the cluster's link-fault seam (chaos.FaultSeam): per
// directed link between nodes, applied in the nodes' own transports, or
// with the option network: netns by the kernel (kernelnet.Faults).
func (c *Cluster) Faults() transport.LinkFaulter { return c.linkFaults }

var _ backend.Stats = (*Cluster)(nil)

// RPCStats sums the RPCs every running node (controllers and replica
// groups) sent to others since it last started: calls, and bytes on the
// wire as the TCP transport counts them. Unreachable nodes are skipped.
func (c *Cluster) RPCStats(ctx context.Context) (map[string]backend.RPCStat, error) {
	st, err := nodeproc.SumStats(ctx, c.faults.byName)
	if err != nil {
		return nil, fmt.Errorf("shardkv: %w", err)
	}
	return st, nil
}
