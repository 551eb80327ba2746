package main

import (
	"context"

	"faultline/system/maelstrom/examples/node"
)

func main() {
	n := node.New()
	proxy := func(ctx context.Context, req node.Msg) (any, error) {
		dest := "lin-kv"
		if ids := n.NodeIDs(); len(ids) > 0 && ids[0] != n.ID() {
			dest = ids[0]
		}
		return n.Forward(ctx, dest, req)
	}
	for _, typ := range []string{"read", "write", "cas"} {
		n.Handle(typ, proxy)
	}
	n.Main()
}
