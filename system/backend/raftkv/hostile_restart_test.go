package raftkv

import (
	"context"
	"testing"

	"faultline/internal/hostile"
	"faultline/transport/tcp"
)

// TestHostileRestartAll: after an attack without the secret, every node is
// killed (SIGKILL) and restarted through the Killer power; the restarted
// nodes read the secret file again, still refuse a client without it,
// elect a leader and serve, and no acknowledged write is lost.
func TestHostileRestartAll(t *testing.T) {
	c, ctx, w := servedCluster(t)
	refusedEverywhere(ctx, t, c)

	restartAllAndServe(ctx, t, c, w, func() { refusedEverywhere(ctx, t, c) })
}

// restartAllAndServe kills and restarts every node through the Killer
// power, asserts a leader is elected, runs check (if any), then serves
// another workload round that verifies the appends of every round: no
// acknowledged write was lost to the restart.
func restartAllAndServe(ctx context.Context, t *testing.T, c *Cluster, w *hostile.Workload, check func()) {
	t.Helper()
	crashAll(ctx, t, c)
	if l := leader(t, c); l == "" {
		t.Fatal("no leader after restarting every node")
	}
	if check != nil {
		check()
	}
	acked := w.Acked()
	hostileWorkload(ctx, t, c, w, 60)
	if w.Acked() <= acked {
		t.Fatalf("no append acknowledged after the restart (%d before, %d after)", acked, w.Acked())
	}
}

// refusedEverywhere checks that every node refuses a forged vote request
// from a client without the secret, and counts the connection.
func refusedEverywhere(ctx context.Context, t *testing.T, c *Cluster) {
	t.Helper()
	before := rejected(ctx, t, c)
	for i := range c.Addrs() {
		a := attacks(i)[3] // Raft.RequestVote at MaxInt64
		if err := callNode(ctx, c, i, tcp.Config{}, a.method, a.args, a.repl); err == nil {
			t.Fatalf("node %s answered %s without the secret", nodeName(i), a.method)
		}
	}
	for n, st := range rejected(ctx, t, c) {
		if st.Rejected <= before[n].Rejected {
			t.Errorf("node %s did not count the rejected connection (stats %+v)", n, st)
		}
	}
	for i := range c.Nodes() {
		st, err := c.status(ctx, i)
		if err == nil && st.Term > 1<<20 {
			t.Fatalf("node %d is at term %d", i, st.Term)
		}
	}
}
