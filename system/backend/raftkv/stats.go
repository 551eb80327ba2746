package raftkv

import (
	"context"
	"fmt"

	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
	"faultline/transport"
	"faultline/transport/tcp"
)

var _ backend.Stats = (*Cluster)(nil)

// RPCStats sums the Raft RPCs sent by every running node since it last
// started: calls, and bytes on the wire as the TCP transport counts them.
// Unreachable nodes are skipped.
func (c *Cluster) RPCStats(ctx context.Context) (map[string]backend.RPCStat, error) {
	nodes := map[string]transport.ContextCaller{}
	for i, a := range c.admin {
		nodes[c.names[i]] = a
	}
	st, err := nodeproc.SumStats(ctx, nodes)
	if err != nil {
		return nil, fmt.Errorf("raftkv: %w", err)
	}
	return st, nil
}

// ListenerStats returns what node's listener did with the connections it
// accepted since the node last started: among them, those it rejected for
// failing authentication (tcp.ListenerStats.Rejected) or evicted while
// they held a handshake slot.
func (c *Cluster) ListenerStats(ctx context.Context, node string) (tcp.ListenerStats, error) {
	i, err := c.Index(node)
	if err != nil {
		return tcp.ListenerStats{}, err
	}
	st, err := nodeproc.NodeStats(ctx, c.admin[i])
	if err != nil {
		return tcp.ListenerStats{}, fmt.Errorf("raftkv: %s: %w", node, err)
	}
	return st.Listener, nil
}
