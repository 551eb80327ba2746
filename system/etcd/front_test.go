package etcd

import (
	"context"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"faultline/system/backend"
)

// TestFrontsRouteBySender runs a cluster whose peer traffic goes through
// Fronts and checks that the member IDs Start predicts are etcd's, that
// every directed link is recognised by its sender, and that the cluster
// serves through them.
func TestFrontsRouteBySender(t *testing.T) {
	var mu sync.Mutex
	seen := map[[2]string]int{}
	var listen map[string]string
	b := Backend{PeerProxy: func(_ context.Context, links []PeerLink) (io.Closer, error) {
		listen = map[string]string{}
		for _, l := range links {
			if l.Advertise == l.Listen {
				return nil, fmt.Errorf("%s advertises its listen address %s", l.Node, l.Listen)
			}
			listen[l.Node] = l.Listen
		}
		return ServeFronts(links, func(from, to string) string {
			mu.Lock()
			seen[[2]string{from, to}]++
			mu.Unlock()
			return listen[to]
		})
	}}
	spec := backend.Spec{Nodes: 3, Mode: backend.ModeInProcess, Dir: t.TempDir()}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	bc, err := b.Start(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	c := bc.(*Cluster)
	defer c.Stop(context.Background())
	ids := c.MemberIDs()
	for _, l := range c.PeerLinks() {
		if ids[l.ID] != l.Node {
			t.Errorf("predicted ID %x of %s, etcd names it %q (IDs %v)", l.ID, l.Node, ids[l.ID], ids)
		}
	}
	cl := newClient(t, c, 0)
	if err := cl.Put(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func(context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		for _, from := range c.Nodes() {
			for _, to := range c.Nodes() {
				if from != to && seen[[2]string{from, to}] == 0 {
					return fmt.Errorf("no connection seen from %s to %s (seen %v)", from, to, seen)
				}
			}
		}
		return nil
	})
}
