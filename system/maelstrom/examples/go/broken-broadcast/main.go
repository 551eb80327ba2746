package main

import (
	"encoding/json"

	"faultline/system/maelstrom/examples/go/internal/broadcast"
	"faultline/system/maelstrom/examples/node"
)

func main() {
	n := node.New()
	broadcast.Serve(n, broadcast.Broadcast, func(v json.RawMessage, to []string) {
		for _, nb := range to {
			_ = n.Send(nb, map[string]any{"type": "gossip", "messages": []json.RawMessage{v}}) // once, never again
		}
	})
	n.Main()
}
