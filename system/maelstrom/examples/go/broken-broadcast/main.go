// Command broken-broadcast is a broadcast node that is wrong on purpose:
// it sends each new value to each neighbour exactly once, as a one-way
// gossip message (no msg_id) that nobody acknowledges, and never sends it
// again. A value sent while a link is cut (a partition, a lost message)
// never reaches the nodes behind that link, so reads there miss an
// acknowledged broadcast. The broadcast checker must catch it under
// --nemesis partition (or lossy links): final reads lack values.
//
// Everything else is the correct node's (internal/broadcast).
package main

import (
	"encoding/json"

	"faultline/system/maelstrom/examples/go/internal/broadcast"
	"faultline/system/maelstrom/examples/node"
)

func main() {
	n := node.New()
	broadcast.Serve(n, func(v json.RawMessage, to []string) {
		for _, nb := range to {
			_ = n.Send(nb, map[string]any{"type": "gossip", "messages": []json.RawMessage{v}}) // once, never again
		}
	})
	n.Main()
}
