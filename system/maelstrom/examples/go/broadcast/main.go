package main

import (
	"faultline/system/maelstrom/examples/go/internal/broadcast"
	"faultline/system/maelstrom/examples/node"
)

func main() {
	n := node.New()
	broadcast.Serve(n, broadcast.Broadcast, broadcast.Reliable(n))
	n.Main()
}
