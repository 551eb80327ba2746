package nodeproc

import (
	"context"
	"errors"
	"fmt"

	"faultline/system/backend"
	"faultline/transport"
	"faultline/transport/tcp"
)

// StatsService exposes one node's transport counters over RPC (service
// "Stats"): the calls its tcp clients made to other nodes and their bytes,
// and what its listener did with the connections it accepted (how many it
// rejected for failing authentication, say). Give every client of the
// node the same Meter.
type StatsService struct {
	Meter *tcp.Meter
	// Listener, if set, returns the node's listener counts.
	Listener func() tcp.ListenerStats
}

// StatsArgs are the arguments of Stats.RPC.
type StatsArgs struct{}

// StatsReply is the reply of Stats.RPC: the node's calls since it started,
// by "Service.Method", and its listener's counts.
type StatsReply struct {
	Methods  map[string]tcp.MethodStats
	Listener tcp.ListenerStats
}

// RPC reports the node's counters.
func (s *StatsService) RPC(_ *StatsArgs, reply *StatsReply) {
	reply.Methods = s.Meter.Snapshot()
	if s.Listener != nil {
		reply.Listener = s.Listener()
	}
}

// NodeStats asks one node (through its admin caller c) for its counters.
func NodeStats(ctx context.Context, c transport.ContextCaller) (StatsReply, error) {
	var reply StatsReply
	if err := c.CallContext(ctx, "Stats.RPC", &StatsArgs{}, &reply); err != nil {
		return StatsReply{}, fmt.Errorf("node stats: %w", err)
	}
	return reply, nil
}

// SumStats asks every node (by name) for its counters and sums them by
// method: calls, and bytes on the wire (request frames sent plus reply
// frames received). Unreachable nodes are skipped; it fails only when no
// node answers.
func SumStats(ctx context.Context, nodes map[string]transport.ContextCaller) (map[string]backend.RPCStat, error) {
	out := map[string]backend.RPCStat{}
	var errs []error
	answered := 0
	for name, c := range nodes {
		reply, err := NodeStats(ctx, c)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		answered++
		for k, v := range reply.Methods {
			s := out[k]
			s.Calls += v.Calls
			s.Bytes += v.BytesSent + v.BytesReceived
			out[k] = s
		}
	}
	if answered == 0 {
		return nil, fmt.Errorf("rpc stats: no node answered: %w", errors.Join(errs...))
	}
	return out, nil
}
