package raftkv

import (
	"strings"
	"testing"

	"faultline/internal/nodetest"
)

// TestNetnsCluster: with network: netns every node listens on an address
// of its own and the cluster serves, survives a kill and restart, and
// leaves nothing of its network behind.
func TestNetnsCluster(t *testing.T) {
	c := nodetest.NetnsStart(t, Backend{}, selfExec(t), 3, nil).(*Cluster)
	for _, a := range c.Addrs() {
		if !strings.HasPrefix(a, "198.") {
			t.Errorf("node address %s, want one in 198.18.0.0/15", a)
		}
	}
	nodetest.NetnsCluster(t, c, "n1", "k")
}
