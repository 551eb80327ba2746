package raftkv

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"faultline/internal/nodetest"
	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
)

func startCluster(t *testing.T, mode backend.Mode, nodes int, fsync bool) *Cluster {
	t.Helper()
	spec := backend.Spec{Nodes: nodes, Mode: mode, Dir: t.TempDir(), Fsync: fsync}
	if mode == backend.ModeProcess {
		spec.Exec = selfExec(t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	bc, err := Backend{}.Start(ctx, spec)
	if err != nil {
		t.Fatalf("start %s cluster: %v", mode, err)
	}
	c := bc.(*Cluster)
	t.Cleanup(func() {
		if err := c.Stop(context.Background()); err != nil {
			t.Errorf("stop: %v", err)
		}
		if mode == backend.ModeProcess {
			nodetest.NoChildren(t)
		}
	})
	return c
}

func opCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// writer appends numbered values to one key, keeping the acknowledged ones.
type writer struct {
	cl    backend.Client
	key   string
	n     int
	acked []string
}

func (w *writer) write(t *testing.T, count int) {
	t.Helper()
	for range count {
		v := fmt.Sprintf("[%d]", w.n)
		w.n++
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := w.cl.Append(ctx, w.key, v)
		cancel()
		if err != nil {
			t.Logf("append %s: %v", v, err)
			continue
		}
		w.acked = append(w.acked, v)
	}
}

// verify checks that every acknowledged append is in the key's value
// exactly once and in order. Its read may follow a crash of every node,
// so it waits as long as a cluster's start may take (every process
// recovering its log and electing a leader on a loaded machine), not
// one op's time.
func (w *writer) verify(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v, err := w.cl.Get(ctx, w.key)
	if err != nil {
		t.Fatalf("get %q: %v", w.key, err)
	}
	at := -1
	for _, a := range w.acked {
		if n := strings.Count(v, a); n != 1 {
			t.Fatalf("acknowledged append %s appears %d times in %q", a, n, v)
		}
		i := strings.Index(v, a)
		if i < at {
			t.Fatalf("acknowledged append %s out of order in %q", a, v)
		}
		at = i
	}
}

func newWriter(t *testing.T, c *Cluster, key string) *writer {
	t.Helper()
	cl, err := c.Client(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return &writer{cl: cl, key: key}
}

func leader(t *testing.T, c *Cluster) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		l, err := c.Leader(opCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		if l != "" {
			return l
		}
		time.Sleep(20 * time.Millisecond) // bounded poll
	}
	t.Fatal("no leader within 15s")
	return ""
}

// killScenario writes, kills and restarts a follower, kills the leader,
// writes on, and checks that no acknowledged write is lost.
func killScenario(t *testing.T, mode backend.Mode) {
	c := startCluster(t, mode, 3, true)
	w := newWriter(t, c, "k")
	w.write(t, 20)

	l := leader(t, c)
	follower := c.Nodes()[0]
	if follower == l {
		follower = c.Nodes()[1]
	}
	ctx := opCtx(t)
	// crash kills node, writes 20 without it, restarts it and writes 10.
	crash := func(node string) {
		t.Helper()
		if err := c.Kill(ctx, node); err != nil {
			t.Fatalf("kill %s: %v", node, err)
		}
		w.write(t, 20)
		if err := c.Restart(ctx, node); err != nil {
			t.Fatalf("restart %s: %v", node, err)
		}
		w.write(t, 10)
	}
	crash(follower)
	crash(leader(t, c))
	if len(w.acked) < 60 {
		t.Fatalf("only %d of 80 appends acknowledged", len(w.acked))
	}
	w.verify(t)

	// Everything survives a full-cluster crash too.
	crashAll(ctx, t, c)
	w.verify(t)
}

// crashAll kills every node, then restarts every node.
func crashAll(ctx context.Context, t *testing.T, c *Cluster) {
	t.Helper()
	for _, n := range c.Nodes() {
		if err := c.Kill(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range c.Nodes() {
		if err := c.Restart(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
}

func TestKillRestartInProcess(t *testing.T) { killScenario(t, backend.ModeInProcess) }

// TestKillRestartProcess runs the nodes as separate OS processes with the
// durable log, SIGKILLs a follower and then the leader, and checks that no
// acknowledged write is lost.
func TestKillRestartProcess(t *testing.T) { killScenario(t, backend.ModeProcess) }

func TestPauseProcess(t *testing.T) {
	c := startCluster(t, backend.ModeProcess, 3, false)
	w := newWriter(t, c, "p")
	w.write(t, 5)
	l := leader(t, c)
	ctx := opCtx(t)
	if err := c.Pause(ctx, l); err != nil {
		t.Fatal(err)
	}
	w.write(t, 10) // the others elect a new leader
	if err := c.Resume(ctx, l); err != nil {
		t.Fatal(err)
	}
	w.write(t, 5)
	if len(w.acked) != 20 {
		t.Fatalf("%d of 20 appends acknowledged", len(w.acked))
	}
	w.verify(t)
}

func TestPauseInProcessUnsupported(t *testing.T) {
	c := startCluster(t, backend.ModeInProcess, 1, false)
	if err := c.Pause(opCtx(t), c.Nodes()[0]); !errors.Is(err, backend.ErrUnsupported) {
		t.Fatalf("pause in process: %v, want ErrUnsupported", err)
	}
}

func TestClientOpsInProcess(t *testing.T) {
	c := startCluster(t, backend.ModeInProcess, 3, false)
	cl, err := c.Client(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx := opCtx(t)
	if node := nodetest.GetPutAppend(ctx, t, cl, "a"); node == "" {
		t.Fatal("client does not report the serving node")
	}
	// A cancelled context ends an operation with an error.
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := cl.Put(cctx, "a", "3"); err == nil {
		t.Fatal("put with a cancelled context succeeded")
	}
}

func TestNodeArgs(t *testing.T) {
	cfg := NodeConfig{ID: 2, Addrs: []string{"a:1", "b:2", "c:3"}, Dir: "/d", Fsync: false, MaxRaftState: 77, Reads: ReadsUnsafeLocal}
	var got NodeConfig
	if err := nodeproc.DecodeArgs(nodeproc.EncodeArgs(cfg), &got); err != nil {
		t.Fatal(err)
	}
	if got.ID != 2 || strings.Join(got.Addrs, ",") != "a:1,b:2,c:3" || got.Dir != "/d" || got.Fsync || got.MaxRaftState != 77 || got.Reads != ReadsUnsafeLocal {
		t.Fatalf("round trip = %+v", got)
	}
	for _, bad := range [][]string{{"--id", "5", "--peers", "a", "--dir", "d"}, {"--peers", "a"}, {"--bogus"}} {
		var cfg NodeConfig
		if err := nodeproc.DecodeArgs(bad, &cfg); err == nil && cfg.Validate() == nil {
			t.Errorf("node arguments %q accepted", bad)
		}
	}
}

func TestRPCStats(t *testing.T) {
	c := startCluster(t, backend.ModeInProcess, 3, false)
	w := newWriter(t, c, "s")
	w.write(t, 5)
	st, err := c.RPCStats(opCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	ae := st["Raft.AppendEntries"]
	if ae.Calls == 0 {
		t.Fatalf("no AppendEntries counted: %v", st)
	}
	// Every call moves at least a frame header each way; five writes of
	// their values to two followers move at least their bytes.
	if ae.Bytes < 2*ae.Calls*8 {
		t.Fatalf("AppendEntries: %d calls but %d bytes", ae.Calls, ae.Bytes)
	}
}

// TestSnapshotOnDisk: with a small maxraftstate the nodes snapshot into
// their data directories, keep the log bounded, and a full restart recovers
// from snapshot plus log tail.
func TestSnapshotOnDisk(t *testing.T) {
	const maxraftstate = 4000
	spec := backend.Spec{Nodes: 3, Mode: backend.ModeInProcess, Dir: t.TempDir(),
		Options: map[string]string{"maxraftstate": strconv.Itoa(maxraftstate)}}
	bc, err := Backend{}.Start(opCtx(t), spec)
	if err != nil {
		t.Fatal(err)
	}
	c := bc.(*Cluster)
	t.Cleanup(func() { c.Stop(context.Background()) })
	w := newWriter(t, c, "k")
	w.write(t, 300)
	for i := range c.Nodes() {
		n := c.InProcess(i).(*node)
		if n.Store.SnapshotSize() == 0 {
			t.Errorf("node %d took no snapshot", i)
		}
		if sz := n.Store.RaftStateSize(); sz > 8*maxraftstate {
			t.Errorf("node %d raft state %d bytes > 8x maxraftstate", i, sz)
		}
	}
	ctx := opCtx(t)
	crashAll(ctx, t, c)
	if len(w.acked) != 300 {
		t.Fatalf("%d of 300 appends acknowledged", len(w.acked))
	}
	w.verify(t)
}
