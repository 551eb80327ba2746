package raftkv

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"faultline/system/backend"
	"faultline/transport"
)

// counter counts the RPCs a node sends to its peers, by method.
type counter struct {
	m sync.Map // svcMeth -> *atomic.Int64
}

func (c *counter) add(svcMeth string) {
	v, ok := c.m.Load(svcMeth)
	if !ok {
		v, _ = c.m.LoadOrStore(svcMeth, new(atomic.Int64))
	}
	v.(*atomic.Int64).Add(1)
}

func (c *counter) snapshot() map[string]int64 {
	out := map[string]int64{}
	c.m.Range(func(k, v any) bool {
		out[k.(string)] = v.(*atomic.Int64).Load()
		return true
	})
	return out
}

// countingPeer counts every call made through a peer connection.
type countingPeer struct {
	transport.ContextCaller
	c *counter
}

// Call implements transport.Caller.
func (p countingPeer) Call(svcMeth string, args, reply any) bool {
	p.c.add(svcMeth)
	return p.ContextCaller.Call(svcMeth, args, reply)
}

// CallContext implements transport.ContextCaller.
func (p countingPeer) CallContext(ctx context.Context, svcMeth string, args, reply any) error {
	p.c.add(svcMeth)
	return p.ContextCaller.CallContext(ctx, svcMeth, args, reply)
}

// StatsArgs are the arguments of Node.Stats.
type StatsArgs struct{}

// StatsReply is the reply of Node.Stats: RPCs the node sent to its peers
// since it started, by "Service.Method".
type StatsReply struct {
	Calls map[string]int64
}

// nodeService is the node's own RPC service ("Node").
type nodeService struct {
	c *counter
}

// Stats reports the node's RPC counters.
func (s *nodeService) Stats(_ *StatsArgs, reply *StatsReply) {
	reply.Calls = s.c.snapshot()
}

var _ backend.Stats = (*Cluster)(nil)

// RPCStats sums the Raft RPCs sent by every running node since it last
// started. Only calls are counted (Bytes stays 0): the TCP transport does not
// expose byte counts. Unreachable nodes are skipped.
func (c *Cluster) RPCStats(ctx context.Context) (map[string]backend.RPCStat, error) {
	out := map[string]backend.RPCStat{}
	var errs []error
	answered := 0
	for i := range c.names {
		var reply StatsReply
		if err := c.admin[i].CallContext(ctx, "Node.Stats", &StatsArgs{}, &reply); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c.names[i], err))
			continue
		}
		answered++
		for k, v := range reply.Calls {
			s := out[k]
			s.Calls += v
			out[k] = s
		}
	}
	if answered == 0 {
		return nil, fmt.Errorf("raftkv: rpc stats: %w", errors.Join(errs...))
	}
	return out, nil
}
