package chaos

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"faultline/system/backend"
	"faultline/system/backend/raftkv"
)

// newRaftCluster starts the raftkv backend's cluster of n nodes in this
// test process: real nodes over transport/tcp with their link fault
// tables, kills and restarts that keep each node's data directory.
func newRaftCluster(t *testing.T, n int) *raftkv.Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := raftkv.Backend{}.Start(ctx, backend.Spec{Nodes: n, Mode: backend.ModeInProcess, Dir: t.TempDir(), Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Stop(context.Background()) })
	return c.(*raftkv.Cluster)
}

// waitLeader waits for a leader other than not, and names it.
func waitLeader(t *testing.T, c *raftkv.Cluster, not string) string {
	t.Helper()
	var l string
	waitFor(t, "a leader other than "+not, func() bool {
		l, _ = c.Leader(context.Background())
		return l != "" && l != not
	})
	return l
}

func put(t *testing.T, cl backend.Client, k, v string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := cl.Put(ctx, k, v); err != nil {
		t.Fatalf("put %s: %v", k, err)
	}
}

func get(t *testing.T, cl backend.Client, k string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := cl.Get(ctx, k)
	if err != nil {
		t.Fatalf("get %s: %v", k, err)
	}
	return v
}

func TestIsolatedLeaderIsReplaced(t *testing.T) {
	c := newRaftCluster(t, 3)
	old := waitLeader(t, c, "")
	cl, err := c.Client(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	put(t, cl, "k", "before")

	n := nemesisFor(t, "- {fault: partition, shape: leader, at: 0s, for: 1h}", 0)
	r, stop := setUp(t, n, c)
	r.await(t, "partition")
	if ev, _ := r.find("partition"); !strings.Contains(ev.desc, old+" | ") {
		t.Errorf("partition %q does not isolate the leader %s", ev.desc, old)
	}
	repl := waitLeader(t, c, old)
	t.Logf("leader %s isolated, %s took over", old, repl)
	// The majority side serves writes.
	put(t, cl, "k", "during")
	stop()
	put(t, cl, "k", "after")
	if v := get(t, cl, "k"); v != "after" {
		t.Errorf("get k = %q after heal", v)
	}
}

func TestKilledNodesRestartWithTheirData(t *testing.T) {
	c := newRaftCluster(t, 3)
	waitLeader(t, c, "")
	cl, err := c.Client(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for i := range 5 {
		put(t, cl, fmt.Sprint("k", i), fmt.Sprint("v", i))
	}
	n := nemesisFor(t, "- {fault: kill, target: all, at: 0s, for: 300ms}", 0)
	r, stop := setUp(t, n, c)
	r.await(t, "kill")
	// While the window is open every node is gone: nothing runs, nothing
	// listens.
	if ev, _ := r.find("kill"); ev.open {
		for i := range c.Nodes() {
			if c.InProcess(i) != nil {
				if ev, _ := r.find("kill"); ev.open {
					t.Errorf("node %d still running during the kill", i)
				}
			}
		}
		for i, addr := range c.Addrs() {
			conn, err := net.DialTimeout("tcp", addr, time.Second)
			if err != nil {
				continue
			}
			conn.Close()
			// The window may have just ended; only complain if it is
			// still open.
			if ev, _ := r.find("kill"); ev.open {
				t.Errorf("node %d still listens during the kill", i)
			}
		}
	}
	waitFor(t, "the restart", func() bool { ev, _ := r.find("kill"); return !ev.open })
	stop()
	waitLeader(t, c, "")
	for i := range 5 {
		if v := get(t, cl, fmt.Sprint("k", i)); v != fmt.Sprint("v", i) {
			t.Errorf("after restart k%d = %q, want v%d", i, v, i)
		}
	}
}
