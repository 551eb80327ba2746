package memory

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	"faultline/internal/nodetest"
	"faultline/system/backend"
)

// nodeMarker, found in the test binary's arguments, makes it run as the
// memory node (the process-mode tests re-execute themselves).
const nodeMarker = "memory-test-node"

func TestMain(m *testing.M) { nodetest.Main(m, nodeMarker, RunNode) }

func spec(t *testing.T, mode backend.Mode) backend.Spec {
	t.Helper()
	return backend.Spec{Nodes: 1, Mode: mode, Dir: t.TempDir(), Exec: nodetest.Exec(t, nodeMarker)}
}

func start(t *testing.T, mode backend.Mode) backend.Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Backend{}.Start(ctx, spec(t, mode))
	if err != nil {
		t.Fatalf("start %s: %v", mode, err)
	}
	t.Cleanup(func() { _ = c.Stop(context.Background()) })
	return c
}

func TestGetPutAppend(t *testing.T) {
	for _, mode := range []backend.Mode{backend.ModeInProcess, backend.ModeProcess} {
		t.Run(string(mode), func(t *testing.T) {
			c := start(t, mode)
			cl, err := c.Client(context.Background(), 0)
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if got := nodetest.GetPutAppend(ctx, t, cl, "k"); got != "n1" {
				t.Fatalf("LastNode = %q", got)
			}
		})
	}
}

func TestRejectsSeveralNodes(t *testing.T) {
	s := spec(t, backend.ModeInProcess)
	s.Nodes = 3
	if _, err := (Backend{}).Start(context.Background(), s); !errors.Is(err, backend.ErrUnsupported) {
		t.Fatalf("Start(3 nodes) = %v, want ErrUnsupported", err)
	}
}

// alive reports whether pid still exists (and is not a zombie we reaped).
func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

func TestProcessKillRestartPauseStop(t *testing.T) {
	c := start(t, backend.ModeProcess).(*Cluster)
	ctx := context.Background()
	cl, _ := c.Client(ctx, 0)
	defer cl.Close()
	short := func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, 300*time.Millisecond) }

	if err := cl.Put(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	pid := c.Pids()[0]
	if err := c.Pause(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := short()
	if _, err := cl.Get(cctx, "k"); err == nil {
		t.Fatal("Get on a paused node succeeded")
	}
	cancel()
	if err := c.Resume(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	if v, err := cl.Get(ctx, "k"); err != nil || v != "v" {
		t.Fatalf("Get after resume = %q, %v", v, err)
	}
	if err := c.Kill(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	if alive(pid) {
		t.Fatalf("pid %d alive after Kill", pid)
	}
	if err := c.Restart(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	// The node lost its memory; the client reconnects to the same address.
	if v, err := getEventually(ctx, cl, "k"); err != nil || v != "" {
		t.Fatalf("Get after restart = %q, %v; want \"\" (state is in memory only)", v, err)
	}
	nodetest.StopLeavesNoProcess(t, c, 1)
	nodetest.NoChildren(t)
}

// TestInProcessKillRestart: an in-process node is killed (its listener
// closes, its keys are lost) and restarted empty on the same address;
// Pause is not supported.
func TestInProcessKillRestart(t *testing.T) {
	c := start(t, backend.ModeInProcess).(*Cluster)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl, _ := c.Client(ctx, 0)
	defer cl.Close()
	if err := cl.Put(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	if err := c.Pause(ctx, "n1"); !errors.Is(err, backend.ErrUnsupported) {
		t.Fatalf("Pause in process = %v, want ErrUnsupported", err)
	}
	if err := c.Kill(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	short, cancelShort := context.WithTimeout(ctx, 300*time.Millisecond)
	if _, err := cl.Get(short, "k"); err == nil {
		t.Fatal("Get on a killed node succeeded")
	}
	cancelShort()
	if err := c.Restart(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	// The client reconnects (after its backoff) to the same address.
	v, err := getEventually(ctx, cl, "k")
	if err != nil || v != "" {
		t.Fatalf("Get after restart = %q, %v; want \"\" (state is in memory only)", v, err)
	}
}

// getEventually retries Get for up to five seconds, for a client whose
// node just came back.
func getEventually(ctx context.Context, cl backend.Client, key string) (string, error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		v, err := cl.Get(ctx, key)
		if err == nil || time.Now().After(deadline) {
			return v, err
		}
		time.Sleep(20 * time.Millisecond) // bounded poll
	}
}
