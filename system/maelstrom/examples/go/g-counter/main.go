package main

import (
	"crypto/rand"
	"encoding/hex"

	"faultline/system/maelstrom/examples/go/internal/counter"
	"faultline/system/maelstrom/examples/node"
)

func main() {
	var nonce [8]byte
	_, _ = rand.Read(nonce[:]) // crypto/rand.Read never fails
	n := node.New()
	counter.Serve(n, func(id string) string { return id + "/" + hex.EncodeToString(nonce[:]) }, nil)
	n.Main()
}
