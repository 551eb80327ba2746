package etcd

import (
	"bufio"
	"bytes"
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

// FuzzReadHead checks that readHead never panics, returns a prefix of its
// input ending at a blank line, and finds a sender header only if present.
func FuzzReadHead(f *testing.F) {
	f.Add([]byte("GET /raft/stream/msgapp/8e9e05c52164694d HTTP/1.1\r\nHost: a\r\nX-Server-From: 8e9e05c52164694d\r\n\r\nbody"))
	f.Add([]byte("POST /raft HTTP/1.1\r\nx-server-from:1\r\n\r\n"))
	f.Add([]byte("GET /version HTTP/1.1\r\n\r\n"))
	f.Add([]byte("\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		head, from, err := readHead(bufio.NewReader(bytes.NewReader(in)))
		if err != nil {
			return
		}
		if !bytes.HasPrefix(in, head) || !bytes.HasSuffix(head, []byte("\n")) {
			t.Fatalf("head %q is not a line-terminated prefix of %q", head, in)
		}
		if from != "" && !bytes.Contains(bytes.ToLower(head), bytes.ToLower([]byte(senderHeader))) {
			t.Fatalf("sender %q found in a head without the header: %q", from, head)
		}
	})
}
