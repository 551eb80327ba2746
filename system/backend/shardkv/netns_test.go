package shardkv

import (
	"context"
	"testing"
	"time"

	"faultline/internal/nodetest"
)

// TestNetnsCluster: with network: netns every controller and replica is a
// host of its own; the store serves, survives a kill and restart of a
// replica, and leaves nothing of its network behind.
func TestNetnsCluster(t *testing.T) {
	spec := nodetest.NetnsSpec(t, selfExec(t), 3, map[string]string{"groups": "1"})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bc, err := Backend{}.Start(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	c := bc.(*Cluster)
	t.Cleanup(func() { c.Stop(context.Background()) })
	nodetest.NetnsCluster(t, c, "g1-1", "k")
}
