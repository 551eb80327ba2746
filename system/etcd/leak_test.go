package etcd

import (
	"context"
	"runtime"
	"testing"
	"time"

	"faultline/system/backend"
)

// TestStopLeavesNoGoroutines starts an in-process cluster, uses, kills and
// restarts a member, stops the cluster, and checks that every goroutine it
// started has exited.
func TestStopLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	spec := backend.Spec{Nodes: 3, Mode: backend.ModeInProcess, Dir: t.TempDir()}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	t0 := time.Now()
	bc, err := Backend{}.Start(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("start took %v", time.Since(t0))
	c := bc.(*Cluster)
	cl, err := c.Client(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Put(ctx, "a", "1"); err != nil {
		t.Fatal(err)
	}
	t0 = time.Now()
	if err := c.Kill(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	t.Logf("kill took %v", time.Since(t0))
	t0 = time.Now()
	if err := c.Restart(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	t.Logf("restart took %v", time.Since(t0))
	t0 = time.Now()
	if v, err := cl.Get(ctx, "a"); err != nil || v != "1" {
		t.Fatalf("get = %q, %v", v, err)
	}
	t.Logf("get took %v", time.Since(t0))
	if err := cl.Close(); err != nil {
		t.Fatal(err)
	}
	t0 = time.Now()
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("stop took %v", time.Since(t0))
	if err := c.Stop(ctx); err != nil {
		t.Fatalf("second stop: %v", err)
	}
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
