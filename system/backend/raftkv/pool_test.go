package raftkv

import (
	"context"
	"testing"
	"time"

	"faultline/system/backend"
)

// TestClerksShareCallers: clerks of the same slot call the nodes through
// the same callers, each with its own session, leader memory and last
// served node; closing one leaves the others working; the cluster
// declares its pool.
func TestClerksShareCallers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	bc, err := Backend{}.Start(ctx, backend.Spec{Nodes: 3, Mode: backend.ModeInProcess, Dir: t.TempDir(), Options: map[string]string{"conns": "2"}})
	if err != nil {
		t.Fatal(err)
	}
	c := bc.(*Cluster)
	t.Cleanup(func() { c.Stop(context.Background()) })
	if s := c.ClientSettings(); s.Conns != 2 {
		t.Fatalf("settings %+v, want 2 conns", s)
	}
	slot0, _ := c.pool.Get(0)
	slot1, _ := c.pool.Get(1)
	if again, _ := c.pool.Get(2); again != slot0 || slot1 == slot0 {
		t.Fatal("client 2 must share slot 0, client 1 must not")
	}
	cls := make([]backend.Client, 3)
	for i := range cls {
		if cls[i], err = c.Client(ctx, i); err != nil {
			t.Fatal(err)
		}
	}
	for i, cl := range cls {
		if err := cl.Put(ctx, "k", string(rune('a'+i))); err != nil {
			t.Fatal(err)
		}
		if cl.(backend.Served).LastNode() == "" {
			t.Fatalf("client %d: no served node", i)
		}
	}
	if err := cls[0].Close(); err != nil {
		t.Fatal(err)
	}
	if v, err := cls[2].Get(ctx, "k"); err != nil || v != "c" {
		t.Fatalf("after a sibling closed: %q, %v", v, err)
	}
}
