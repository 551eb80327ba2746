package counter

import (
	"context"
	"fmt"
	"maps"
	"os"
	"sync"
	"time"

	"faultline/system/maelstrom/examples/node"
)

// pushEvery is how often a node sends its whole state to every other
// node.
const pushEvery = 200 * time.Millisecond

// Journal makes a node's own counts survive a crash.
type Journal interface {
	// Load returns the own slot's increments and decrements recorded so
	// far.
	Load() (inc, dec int64, err error)
	// Record makes delta durable; it returns only once a crash can no
	// longer lose it.
	Record(delta int64) error
}

type counter struct {
	mu      sync.Mutex
	slot    string
	journal Journal
	inc     map[string]int64
	dec     map[string]int64
}

// Serve registers on n the counter's handlers. slot names the node's own
// slot from its id (at init); with a journal, the slot starts from the
// journal's counts and every add is recorded in it before add_ok, else
// the counts live only in memory. A journal that cannot be loaded stops
// the process.
func Serve(n *node.Node, slot func(id string) string, j Journal) {
	c := &counter{journal: j, inc: map[string]int64{}, dec: map[string]int64{}}
	n.OnInit(func(context.Context) {
		c.mu.Lock()
		c.slot = slot(n.ID())
		if j != nil {
			inc, dec, err := j.Load()
			if err != nil {
				n.Logf("counter journal: %v", err)
				os.Exit(1)
			}
			c.inc[c.slot], c.dec[c.slot] = inc, dec
		}
		c.mu.Unlock()
		n.Every(pushEvery, func(context.Context) {
			st := c.state()
			for _, peer := range n.Peers() {
				_ = n.Send(peer, st) // a state map always encodes
			}
		})
	})
	n.Handle("add", node.Decoded(func(_ context.Context, _ node.Msg, b struct {
		Delta int64 `json:"delta"`
	}) (any, error) {
		if err := c.add(b.Delta); err != nil {
			return nil, err
		}
		return map[string]any{"type": "add_ok"}, nil
	}))
	n.Handle("read", func(context.Context, node.Msg) (any, error) {
		return map[string]any{"type": "read_ok", "value": c.value()}, nil
	})
	n.Handle("counter_state", node.Decoded(func(_ context.Context, _ node.Msg, b struct {
		Inc map[string]int64 `json:"inc"`
		Dec map[string]int64 `json:"dec"`
	}) (any, error) {
		c.merge(b.Inc, b.Dec)
		return nil, nil
	}))
}

// add counts delta under the own slot, recording it in the journal first.
// A delta the journal failed to record is not counted (the process may
// still count it at its next boot, so the reply is crash, indefinite).
func (c *counter) add(delta int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.journal != nil {
		if err := c.journal.Record(delta); err != nil {
			return fmt.Errorf("journal: %w", err)
		}
	}
	if delta >= 0 {
		c.inc[c.slot] += delta
	} else {
		c.dec[c.slot] -= delta
	}
	return nil
}

func (c *counter) state() map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return map[string]any{"type": "counter_state", "inc": maps.Clone(c.inc), "dec": maps.Clone(c.dec)}
}

func (c *counter) merge(inc, dec map[string]int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for slot, v := range inc {
		c.inc[slot] = max(c.inc[slot], v)
	}
	for slot, v := range dec {
		c.dec[slot] = max(c.dec[slot], v)
	}
}

func (c *counter) value() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var sum int64
	for _, v := range c.inc {
		sum += v
	}
	for _, v := range c.dec {
		sum -= v
	}
	return sum
}
