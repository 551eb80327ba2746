package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"maps"
	"sync"
	"time"

	"faultline/system/maelstrom/examples/node"
)

type counter struct {
	mu   sync.Mutex
	slot string
	inc  map[string]int64
	dec  map[string]int64
}

func (c *counter) state() map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return map[string]any{"type": "counter_state", "inc": maps.Clone(c.inc), "dec": maps.Clone(c.dec)}
}

func (c *counter) merge(inc, dec map[string]int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for slot, v := range inc {
		c.inc[slot] = max(c.inc[slot], v)
	}
	for slot, v := range dec {
		c.dec[slot] = max(c.dec[slot], v)
	}
}

func (c *counter) value() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var sum int64
	for _, v := range c.inc {
		sum += v
	}
	for _, v := range c.dec {
		sum -= v
	}
	return sum
}

func main() {
	var nonce [8]byte
	_, _ = rand.Read(nonce[:]) // crypto/rand.Read never fails
	c := &counter{inc: map[string]int64{}, dec: map[string]int64{}}
	n := node.New()
	n.OnInit(func(context.Context) {
		c.mu.Lock()
		c.slot = n.ID() + "/" + hex.EncodeToString(nonce[:])
		c.mu.Unlock()
		n.Every(200*time.Millisecond, func(context.Context) {
			st := c.state()
			for _, peer := range n.Peers() {
				_ = n.Send(peer, st) // a state map always encodes
			}
		})
	})
	n.Handle("add", func(_ context.Context, req node.Msg) (any, error) {
		var b struct {
			Delta int64 `json:"delta"`
		}
		if err := req.Decode(&b); err != nil {
			return nil, err
		}
		c.mu.Lock()
		if b.Delta >= 0 {
			c.inc[c.slot] += b.Delta
		} else {
			c.dec[c.slot] -= b.Delta
		}
		c.mu.Unlock()
		return map[string]any{"type": "add_ok"}, nil
	})
	n.Handle("read", func(context.Context, node.Msg) (any, error) {
		return map[string]any{"type": "read_ok", "value": c.value()}, nil
	})
	n.Handle("counter_state", func(_ context.Context, req node.Msg) (any, error) {
		var b struct {
			Inc map[string]int64 `json:"inc"`
			Dec map[string]int64 `json:"dec"`
		}
		if err := req.Decode(&b); err != nil {
			return nil, err
		}
		c.merge(b.Inc, b.Dec)
		return nil, nil
	})
	n.Main()
}
