package raftkv

import (
	"context"
	"fmt"

	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
	"faultline/transport"
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
