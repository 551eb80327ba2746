package etcd

import (
	"context"
	"testing"
	"time"

	"faultline/system/backend"
)

// TestClientsSharePool: clients of the same slot share one clientv3
// client, closing one leaves the others working, each keeps its own last
// served member, the cluster declares its pool, and Stop closes the pool.
func TestClientsSharePool(t *testing.T) {
	c := startSpec(t, backend.Spec{Nodes: 3, Mode: backend.ModeInProcess, Dir: t.TempDir(), Options: map[string]string{"conns": "2"}})
	if s := c.ClientSettings(); s.Conns != 2 || s.Library == "" {
		t.Fatalf("settings %+v, want 2 conns", s)
	}
	a, b, other := newClient(t, c, 0).(*Client), newClient(t, c, 2).(*Client), newClient(t, c, 1).(*Client)
	if a.cli != b.cli || a.cli == other.cli {
		t.Fatal("clients 0 and 2 must share slot 0's clientv3 client, client 1 must not")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := a.Put(ctx, "k", "a"); err != nil {
		t.Fatal(err)
	}
	served := a.LastNode()
	if served == "" {
		t.Fatal("no served member after a put")
	}
	// b's answers, whichever member gives them, are b's alone.
	for range 20 {
		if _, err := b.Get(ctx, "k"); err != nil {
			t.Fatal(err)
		}
		if b.LastNode() == "" || a.LastNode() != served {
			t.Fatalf("a served by %q then %q after b's ops (b: %q)", served, a.LastNode(), b.LastNode())
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if v, err := b.Get(ctx, "k"); err != nil || v != "a" {
		t.Fatalf("after a sibling closed: %q, %v", v, err)
	}
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if b.cli.Ctx().Err() == nil {
		t.Fatal("Stop left the pool's clientv3 client open")
	}
}

// TestConnsOption: conns outside 1..MaxConns is refused by name.
func TestConnsOption(t *testing.T) {
	for _, v := range []string{"0", "-1", "x", "1025"} {
		if _, err := parseOptions(map[string]string{"conns": v}); err == nil {
			t.Errorf("conns %q accepted", v)
		}
	}
	o, err := parseOptions(nil)
	if err != nil || o.conns != DefaultConns {
		t.Fatalf("default: %+v %v", o, err)
	}
}
