package maelstrom

import (
	"context"
	"testing"
	"time"

	"faultline/system/backend/nodeproc"
	"faultline/transport"
)

// TestLinKVRaftKVFaults: with lin-kv on raftkv, a kill of a node kills its
// replica too (the others, a majority, still serve lin-kv), a restart
// brings both back, and a partition between nodes reaches their
// replicas' links; lin-kv serves through a majority all along.
func TestLinKVRaftKVFaults(t *testing.T) {
	cfg := testConfig(t, "good", 3)
	cfg.LinKV, cfg.LinKVNodes = LinKVRaftKV, 3
	c := startTest(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a, b := client(t, c, 0), client(t, c, 1) // of n0, of n1
	write := func(node *Client, v string) {
		t.Helper()
		// A node's call to lin-kv may time out while raftkv elects a new
		// leader (code 0): retry until the write is known to be done.
		err := nodeproc.Poll(ctx, 30*time.Second, 10*time.Millisecond, func(ctx context.Context) error {
			return node.Put(ctx, "1", v)
		})
		if err != nil {
			t.Fatalf("write %s: %v", v, err)
		}
		if got, err := node.Get(ctx, "1"); err != nil || got != v {
			t.Fatalf("read after writing %s = %q, %v", v, got, err)
		}
	}
	write(a, "1")
	if err := c.Kill(ctx, "n0"); err != nil {
		t.Fatal(err)
	}
	if !c.kv.down["n0"] {
		t.Fatal("n0's replica is not down after n0's kill")
	}
	write(b, "2")
	if err := c.Restart(ctx, "n0"); err != nil {
		t.Fatal(err)
	}
	write(a, "3")
	for _, peer := range []string{"n1", "n2"} {
		for _, l := range [][2]string{{"n0", peer}, {peer, "n0"}} {
			if err := c.Faults().SetLink(l[0], l[1], transport.LinkFaults{Blocked: true}); err != nil {
				t.Fatal(err)
			}
			if !c.kv.faults.Link(l[0], l[1]).Blocked {
				t.Fatalf("link %s -> %s blocked in the router but not between the replicas", l[0], l[1])
			}
		}
	}
	write(b, "4")
	c.Faults().HealAll()
	if c.kv.faults.Link("n0", "n1").Blocked {
		t.Fatal("HealAll left the replicas' link blocked")
	}
	write(a, "5")
}
