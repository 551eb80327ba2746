package broadcast

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"faultline/system/maelstrom/examples/node"
)

// gossipEvery is how often a reliable node pushes its unacknowledged
// values to each neighbour.
const gossipEvery = 100 * time.Millisecond

// gossiper spreads values reliably: each value is queued for each
// neighbour, and resent until that neighbour acknowledges it.
type gossiper struct {
	n        *node.Node
	mu       sync.Mutex
	unacked  map[string]map[string]json.RawMessage // neighbour -> canonical value -> value
	inFlight map[string]bool
}

// Reliable returns the Spread of the correct nodes: a new value is queued
// for every neighbour it goes to; every 100 ms (from init on) each
// neighbour with queued values gets one gossip request holding them all,
// at most one in flight per neighbour, and a gossip_ok removes them from
// its queue. Values are resent until acknowledged, so they survive lost
// messages and partitions.
func Reliable(n *node.Node) Spread {
	g := &gossiper{n: n, unacked: map[string]map[string]json.RawMessage{}, inFlight: map[string]bool{}}
	n.OnInit(func(context.Context) { n.Every(gossipEvery, g.push) })
	return g.queue
}

// queue queues v for each neighbour in to.
func (g *gossiper) queue(v json.RawMessage, to []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, nb := range to {
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
