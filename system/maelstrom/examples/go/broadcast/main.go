package main

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"faultline/system/maelstrom/examples/go/internal/broadcast"
	"faultline/system/maelstrom/examples/node"
)

type gossiper struct {
	n        *node.Node
	mu       sync.Mutex
	unacked  map[string]map[string]json.RawMessage // neighbour -> canonical value -> value
	inFlight map[string]bool
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

func main() {
	n := node.New()
	g := &gossiper{n: n, unacked: map[string]map[string]json.RawMessage{}, inFlight: map[string]bool{}}
	broadcast.Serve(n, g.queue)
	n.OnInit(func(context.Context) { n.Every(100*time.Millisecond, g.push) })
	n.Main()
}
