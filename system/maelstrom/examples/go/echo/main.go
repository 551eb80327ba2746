package main

import (
	"context"
	"encoding/json"

	"faultline/system/maelstrom/examples/node"
)

func main() {
	n := node.New()
	n.Handle("echo", func(_ context.Context, req node.Msg) (any, error) {
		var b struct {
			Echo json.RawMessage `json:"echo"`
		}
		if err := req.Decode(&b); err != nil {
			return nil, err
		}
		return map[string]any{"type": "echo_ok", "echo": b.Echo}, nil
	})
	n.Main()
}
