package etcd

import (
	"context"
	"strings"
	"testing"
	"time"

	"faultline/internal/nodetest"
	"faultline/system/backend"
)

// TestNetnsCluster: with network: netns every member is a host of its own
// with links to fault; the cluster serves, survives a kill and restart,
// and leaves nothing of its network behind. peer-proxy with netns is
// refused.
func TestNetnsCluster(t *testing.T) {
	spec := nodetest.NetnsSpec(t, selfExec(t), 3, nil)
	if p := (Backend{}).Powers(spec); !strings.Contains(strings.Join(powerNames(p), ","), "links") {
		t.Errorf("powers %v under netns, want links", p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bc, err := Backend{}.Start(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	c := bc.(*Cluster)
	t.Cleanup(func() { c.Stop(context.Background()) })
	for _, ep := range c.Endpoints() {
		if !strings.Contains(ep, "198.") {
			t.Errorf("endpoint %s, want an address in 198.18.0.0/15", ep)
		}
	}
	nodetest.NetnsCluster(t, c, "n1", "k")

	spec.Options["peer-proxy"] = "true"
	if _, err := (Backend{}).Start(ctx, spec); err == nil || !strings.Contains(err.Error(), "choose one") {
		t.Errorf("peer-proxy with netns: %v", err)
	}
}

func powerNames(p []backend.Power) []string {
	out := make([]string, len(p))
	for i, x := range p {
		out[i] = string(x)
	}
	return out
}
