package shardkv

import (
	"testing"

	"faultline/internal/nodetest"
)

// TestNetnsCluster: with network: netns every controller and replica is a
// host of its own; the store serves, survives a kill and restart of a
// replica, and leaves nothing of its network behind.
func TestNetnsCluster(t *testing.T) {
	c := nodetest.NetnsStart(t, Backend{}, selfExec(t), 3, map[string]string{"groups": "1"})
	nodetest.NetnsCluster(t, c, "g1-1", "k")
}
