package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync/atomic"

	"faultline/system/maelstrom/examples/node"
)

func main() {
	var nonce [8]byte
	_, _ = rand.Read(nonce[:]) // crypto/rand.Read never fails
	boot := hex.EncodeToString(nonce[:])
	var count atomic.Int64
	n := node.New()
	n.Handle("generate", func(context.Context, node.Msg) (any, error) {
		id := fmt.Sprintf("%s-%s-%d", n.ID(), boot, count.Add(1))
		return map[string]any{"type": "generate_ok", "id": id}, nil
	})
	n.Main()
}
