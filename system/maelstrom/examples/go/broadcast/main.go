// Command broadcast is a Maelstrom node for the broadcast workload.
//
// A value a client broadcasts (or a neighbour gossips) is kept and queued
// for every neighbour in the topology but the one it came from. Every
// 100 ms the node sends each neighbour one gossip request with all values
// that neighbour has not acknowledged yet, at most one request in flight
// per neighbour; a value leaves a neighbour's queue only when a
// gossip_ok acknowledges it. So a value survives lost messages and
// partitions: it is resent until the link heals. Until a topology message
// says otherwise, every other node is a neighbour.
//
// Between nodes: {"type":"gossip","messages":[...]} answered by
// {"type":"gossip_ok"} (the same messages the Python broadcast node
// speaks, so the two can share a cluster).
package main

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"faultline/system/maelstrom/examples/node"
)

type gossiper struct {
	n          *node.Node
	mu         sync.Mutex
	values     node.Set
	neighbours []string
	unacked    map[string]map[string]json.RawMessage // neighbour -> canonical value -> value
	inFlight   map[string]bool
}

// add keeps v and queues it for every neighbour but from.
func (g *gossiper) add(v json.RawMessage, from string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.values.Add(v) {
		return
	}
	for _, nb := range g.neighbours {
		if nb == from {
			continue
		}
		if g.unacked[nb] == nil {
			g.unacked[nb] = map[string]json.RawMessage{}
		}
		g.unacked[nb][node.Canonical(v)] = v
	}
}

// push sends each neighbour with unacknowledged values one gossip
// request, unless one is already in flight.
func (g *gossiper) push(context.Context) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for nb, queue := range g.unacked {
		if len(queue) == 0 || g.inFlight[nb] {
			continue
		}
		batch := make([]json.RawMessage, 0, len(queue))
		for _, v := range queue {
			batch = append(batch, v)
		}
		g.inFlight[nb] = true
		g.n.RPC(nb, map[string]any{"type": "gossip", "messages": batch}, func(_ node.Msg, err error) {
			g.mu.Lock()
			defer g.mu.Unlock()
			g.inFlight[nb] = false
			if err != nil {
				return
			}
			for _, v := range batch {
				delete(g.unacked[nb], node.Canonical(v))
			}
		})
	}
}

func main() {
	n := node.New()
	g := &gossiper{n: n, unacked: map[string]map[string]json.RawMessage{}, inFlight: map[string]bool{}}
	n.OnInit(func(context.Context) {
		g.mu.Lock()
		g.neighbours = n.Peers()
		g.mu.Unlock()
		n.Every(100*time.Millisecond, g.push)
	})
	n.Handle("topology", func(_ context.Context, req node.Msg) (any, error) {
		var b struct {
			Topology map[string][]string `json:"topology"`
		}
		if err := req.Decode(&b); err != nil {
			return nil, err
		}
		if nbs, ok := b.Topology[n.ID()]; ok {
			g.mu.Lock()
			g.neighbours = nbs
			g.mu.Unlock()
		}
		return map[string]any{"type": "topology_ok"}, nil
	})
	n.Handle("broadcast", func(_ context.Context, req node.Msg) (any, error) {
		var b struct {
			Message json.RawMessage `json:"message"`
		}
		if err := req.Decode(&b); err != nil {
			return nil, err
		}
		g.add(b.Message, "")
		return map[string]any{"type": "broadcast_ok"}, nil
	})
	n.Handle("gossip", func(_ context.Context, req node.Msg) (any, error) {
		var b struct {
			Messages []json.RawMessage `json:"messages"`
		}
		if err := req.Decode(&b); err != nil {
			return nil, err
		}
		for _, v := range b.Messages {
			g.add(v, req.Src)
		}
		return map[string]any{"type": "gossip_ok"}, nil
	})
	n.Handle("read", func(context.Context, node.Msg) (any, error) {
		g.mu.Lock()
		defer g.mu.Unlock()
		return map[string]any{"type": "read_ok", "messages": g.values.Values()}, nil
	})
	n.Main()
}
