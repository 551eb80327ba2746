package main

import (
	"context"
	"encoding/json"
	"sync"

	"faultline/system/maelstrom/examples/node"
)

func main() {
	n := node.New()
	var (
		mu    sync.Mutex
		cache = map[string]json.RawMessage{} // canonical key -> value
	)
	remember := func(key, value json.RawMessage) {
		mu.Lock()
		defer mu.Unlock()
		cache[node.Canonical(key)] = value
	}
	type op struct {
		Key   json.RawMessage `json:"key"`
		Value json.RawMessage `json:"value"`
		To    json.RawMessage `json:"to"`
	}
	n.Handle("read", func(ctx context.Context, req node.Msg) (any, error) {
		var b op
		if err := req.Decode(&b); err != nil {
			return nil, err
		}
		mu.Lock()
		v, ok := cache[node.Canonical(b.Key)]
		mu.Unlock()
		if ok {
			return map[string]any{"type": "read_ok", "value": v}, nil // the stale read
		}
		v, err := node.NewKV(n, "lin-kv").Read(ctx, b.Key)
		if err != nil {
			return nil, err
		}
		remember(b.Key, v)
		return map[string]any{"type": "read_ok", "value": v}, nil
	})
	for typ, field := range map[string]func(op) json.RawMessage{
		"write": func(b op) json.RawMessage { return b.Value },
		"cas":   func(b op) json.RawMessage { return b.To },
	} {
		n.Handle(typ, func(ctx context.Context, req node.Msg) (any, error) {
			var b op
			if err := req.Decode(&b); err != nil {
				return nil, err
			}
			reply, err := n.Forward(ctx, "lin-kv", req)
			if err == nil {
				remember(b.Key, field(b))
			}
			return reply, err
		})
	}
	n.Main()
}
