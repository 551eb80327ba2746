package raftkv

import (
	"context"
	"strings"
	"testing"
	"time"

	"faultline/internal/nodetest"
)

// TestNetnsCluster: with network: netns every node listens on an address
// of its own and the cluster serves, survives a kill and restart, and
// leaves nothing of its network behind.
func TestNetnsCluster(t *testing.T) {
	spec := nodetest.NetnsSpec(t, selfExec(t), 3, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	bc, err := Backend{}.Start(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	c := bc.(*Cluster)
	t.Cleanup(func() { c.Stop(context.Background()) })
	for _, a := range c.Addrs() {
		if !strings.HasPrefix(a, "198.") {
			t.Errorf("node address %s, want one in 198.18.0.0/15", a)
		}
	}
	nodetest.NetnsCluster(t, c, "n1", "k")
}
