package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"faultline/system/maelstrom"
	"faultline/system/maelstrom/examples/node"
)

// nodeDirEnv names the node's own directory, which survives its restarts.
const nodeDirEnv = "MAELSTROM_NODE_DIR"

// counter is this node's own count, journalled when journal is set.
type counter struct {
	mu      sync.Mutex
	value   int64
	journal *journal // nil: memory only
}

// add records delta in the journal (if any), then counts it. A delta the
// journal failed to record is not counted now, but may be at the next
// boot, so the error is crash (indefinite).
func (c *counter) add(delta int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.journal != nil {
		if err := c.journal.record(delta); err != nil {
			return err
		}
	}
	c.value += delta
	return nil
}

func (c *counter) get() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.value
}

// total is the sum of every node's count: its own and each peer's,
// asked concurrently. A peer that does not answer fails the read.
func total(ctx context.Context, n *node.Node, c *counter) (int64, error) {
	peers := n.Peers()
	counts := make([]int64, len(peers))
	errs := make([]error, len(peers))
	var wg sync.WaitGroup
	for i, p := range peers {
		wg.Go(func() {
			var b struct {
				Value int64 `json:"value"`
			}
			m, err := n.Call(ctx, p, map[string]any{"type": "count"})
			if err == nil {
				err = m.Decode(&b)
			}
			counts[i], errs[i] = b.Value, err
		})
	}
	wg.Wait()
	sum := c.get()
	for i, err := range errs {
		if err != nil {
			return 0, &maelstrom.RPCError{Code: maelstrom.CodeTemporarilyUnavailable,
				Text: fmt.Sprintf("count of %s: %v", peers[i], err)}
		}
		sum += counts[i]
	}
	return sum, nil
}

func main() {
	n := node.New()
	c := &counter{}
	if dir := os.Getenv(nodeDirEnv); dir != "" {
		c.journal = &journal{path: filepath.Join(dir, "counter.log")}
		sum, err := c.journal.load()
		if err != nil {
			n.Logf("%v", err)
			os.Exit(1)
		}
		c.value = sum
	}
	n.Handle("add", node.Decoded(func(_ context.Context, _ node.Msg, b struct {
		Delta int64 `json:"delta"`
	}) (any, error) {
		if err := c.add(b.Delta); err != nil {
			return nil, err
		}
		return map[string]any{"type": "add_ok"}, nil
	}))
	n.Handle("count", func(context.Context, node.Msg) (any, error) {
		return map[string]any{"type": "count_ok", "value": c.get()}, nil
	})
	n.Handle("read", func(ctx context.Context, _ node.Msg) (any, error) {
		sum, err := total(ctx, n, c)
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "read_ok", "value": sum}, nil
	})
	n.Main()
}
