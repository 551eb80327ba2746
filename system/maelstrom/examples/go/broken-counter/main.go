package main

import (
	"context"
	"sync"
	"time"

	"faultline/system/maelstrom/examples/node"
)

func main() {
	n := node.New()
	n.SetRPCTimeout(300 * time.Millisecond)
	var (
		mu    sync.Mutex
		total int64
	)
	count := func(d int64) {
		mu.Lock()
		defer mu.Unlock()
		total += d
	}
	// push resends the delta to peer until peer acknowledges it.
	var push func(peer string, d int64)
	push = func(peer string, d int64) {
		n.RPC(peer, map[string]any{"type": "delta", "delta": d}, func(_ node.Msg, err error) {
			if err != nil && !n.Stopped() {
				push(peer, d)
			}
		})
	}
	n.Handle("add", func(_ context.Context, req node.Msg) (any, error) {
		var b struct {
			Delta int64 `json:"delta"`
		}
		if err := req.Decode(&b); err != nil {
			return nil, err
		}
		count(b.Delta)
		for _, peer := range n.Peers() {
			push(peer, b.Delta)
		}
		return map[string]any{"type": "add_ok"}, nil
	})
	n.Handle("delta", func(_ context.Context, req node.Msg) (any, error) {
		var b struct {
			Delta int64 `json:"delta"`
		}
		if err := req.Decode(&b); err != nil {
			return nil, err
		}
		count(b.Delta) // no dedup: a resent delta counts again
		return map[string]any{"type": "delta_ok"}, nil
	})
	n.Handle("read", func(context.Context, node.Msg) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		return map[string]any{"type": "read_ok", "value": total}, nil
	})
	n.Main()
}
