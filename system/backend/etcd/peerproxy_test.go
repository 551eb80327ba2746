package etcd

import (
	"context"
	"testing"
	"time"

	"faultline/system/backend"
	"faultline/transport"
	"faultline/transport/proxy"
)

// TestPeerProxyPartition starts a cluster with the option peer-proxy, cuts
// the leader off through the Mesh the cluster offers as its fault table,
// waits for the others to elect a new leader, and heals.
func TestPeerProxyPartition(t *testing.T) {
	c := startSpec(t, backend.Spec{Nodes: 3, Mode: backend.ModeInProcess, Dir: t.TempDir(), Seed: 1,
		Options: map[string]string{"peer-proxy": "true", "election-ms": "500"}})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	lf := c.Faults()
	if _, ok := lf.(*proxy.Mesh); !ok {
		t.Fatalf("Faults() = %T, want the peer Mesh", lf)
	}
	cl := newClient(t, c, 0)
	if err := cl.Put(ctx, "k", "v1"); err != nil {
		t.Fatal(err)
	}
	old := waitLeader(t, c)
	for _, n := range c.Nodes() {
		if n != old {
			for _, l := range [][2]string{{old, n}, {n, old}} {
				if err := lf.SetLink(l[0], l[1], transport.LinkFaults{Blocked: true}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	waitLeader(t, c, old)
	lf.HealAll()
	eventually(t, 30*time.Second, func(ctx context.Context) error { return cl.Put(ctx, "k", "v2") })
}

// TestDirectPeersHaveNoFaultTable checks that members talking directly
// offer no fault table.
func TestDirectPeersHaveNoFaultTable(t *testing.T) {
	if lf := (&Cluster{}).Faults(); lf != nil {
		t.Errorf("Faults() = %v, want nil", lf)
	}
}
