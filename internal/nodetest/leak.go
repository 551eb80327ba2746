package nodetest

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"faultline/system/backend"
)

// StopLeavesNoGoroutines starts an in-process cluster of three nodes of b,
// writes a key, kills and restarts node, reads the key back, stops the
// cluster twice, and fails t unless every goroutine the cluster started has
// exited within ten seconds. It logs how long each step took.
func StopLeavesNoGoroutines(t *testing.T, b backend.Backend, node string) {
	t.Helper()
	before := runtime.NumGoroutine()
	spec := backend.Spec{Nodes: 3, Mode: backend.ModeInProcess, Dir: t.TempDir()}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	step := func(what string, f func() error) {
		t.Helper()
		t0 := time.Now()
		if err := f(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		t.Logf("%s took %v", what, time.Since(t0))
	}
	var c backend.Cluster
	step("start", func() (err error) { c, err = b.Start(ctx, spec); return err })
	killer, ok := c.(backend.Killer)
	if !ok {
		c.Stop(ctx)
		t.Fatalf("%s cluster cannot kill nodes", b.Name())
	}
	var cl backend.Client
	step("client", func() (err error) { cl, err = c.Client(ctx, 0); return err })
	step("put", func() error { return cl.Put(ctx, "a", "1") })
	step("kill", func() error { return killer.Kill(ctx, node) })
	step("restart", func() error { return killer.Restart(ctx, node) })
	step("get", func() error {
		if v, err := cl.Get(ctx, "a"); err != nil || v != "1" {
			t.Fatalf("get = %q, %v", v, err)
		}
		return nil
	})
	step("close client", cl.Close)
	step("stop", func() error { return c.Stop(ctx) })
	step("second stop", func() error { return c.Stop(ctx) })
	NoGoroutinesLeft(t, before)
}

// NoGoroutinesLeft fails t unless the number of goroutines falls back to
// before (counted with runtime.NumGoroutine before a cluster started)
// within ten seconds.
func NoGoroutinesLeft(t testing.TB, before int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Fatalf("%d goroutines before, %d after Stop:\n%s", before, runtime.NumGoroutine(), buf[:n])
		}
		time.Sleep(10 * time.Millisecond) // bounded poll
	}
}

// NoChildren fails t if this process still has child processes (pgrep
// lists them; it exits 1 when there are none).
func NoChildren(t testing.TB) {
	t.Helper()
	out, err := exec.Command("pgrep", "-P", strconv.Itoa(os.Getpid())).Output()
	if err != nil {
		return
	}
	// pgrep itself has exited; anything listed is a leftover node.
	if s := strings.TrimSpace(string(out)); s != "" {
		t.Errorf("child processes left after Stop: %s", s)
	}
}
