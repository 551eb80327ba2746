package etcd

import (
	"context"
	"slices"
	"strings"
	"testing"

	"faultline/internal/nodetest"
	"faultline/system/backend"
)

// TestNetnsCluster: with network: netns every member is a host of its own
// with links to fault; the cluster serves, survives a kill and restart,
// and leaves nothing of its network behind. peer-proxy with netns is
// refused.
func TestNetnsCluster(t *testing.T) {
	c := nodetest.NetnsStart(t, Backend{}, selfExec(t), 3, nil).(*Cluster)
	for _, ep := range c.Endpoints() {
		if !strings.Contains(ep, "198.") {
			t.Errorf("endpoint %s, want an address in 198.18.0.0/15", ep)
		}
	}
	nodetest.NetnsCluster(t, c, "n1", "k")

	spec := backend.Spec{Nodes: 3, Mode: backend.ModeProcess, Dir: t.TempDir(), Exec: selfExec(t),
		Options: map[string]string{"network": "netns", "peer-proxy": "true"}}
	if _, err := (Backend{}).Start(context.Background(), spec); err == nil || !strings.Contains(err.Error(), "choose one") {
		t.Errorf("peer-proxy with netns: %v", err)
	}
	spec.Options = map[string]string{"network": "netns"}
	if p := (Backend{}).Powers(spec); !slices.Contains(p, backend.PowerLinks) {
		t.Errorf("powers %v under netns, want links", p)
	}
}
