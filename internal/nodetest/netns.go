package nodetest

import (
	"context"
	"testing"
	"time"

	"faultline/system/backend"
	"faultline/system/backend/kernelnet"
	"faultline/transport"
)

// NetnsStart starts b's cluster of nodes in process mode (exec) with the
// option network: netns added to opts, stopped when t ends; without root
// it skips t.
func NetnsStart(t *testing.T, b backend.Backend, exec []string, nodes int, opts map[string]string) backend.Cluster {
	t.Helper()
	if err := kernelnet.CheckPrivileges(); err != nil {
		t.Skipf("needs root: %v", err)
	}
	o := map[string]string{"network": "netns"}
	for k, v := range opts {
		o[k] = v
	}
	spec := backend.Spec{Nodes: nodes, Mode: backend.ModeProcess, Dir: t.TempDir(), Exec: exec, Options: o}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := b.Start(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Stop(context.Background()) })
	return c
}

// NetnsCluster checks a cluster started by NetnsStart: its fault seam is
// the kernel's, a node killed and restarted (in its own namespace again)
// comes back and the cluster serves key through cl before and after, and
// once the cluster stops nothing of its network is left.
func NetnsCluster(t *testing.T, c backend.Cluster, node, key string) {
	t.Helper()
	seam, ok := c.(interface{ Faults() transport.LinkFaulter })
	if !ok {
		t.Fatalf("%T has no fault seam", c)
	}
	kf, ok := seam.Faults().(*kernelnet.Faults)
	if !ok || transport.LayerOf(kf) != transport.LayerKernel {
		t.Fatalf("fault seam %T, want the kernel's", seam.Faults())
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := c.Client(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	GetPutAppend(ctx, t, cl, key)
	k, ok := c.(backend.Killer)
	if !ok {
		t.Fatalf("%T cannot kill", c)
	}
	if err := k.Kill(ctx, node); err != nil {
		t.Fatal(err)
	}
	if err := k.Restart(ctx, node); err != nil {
		t.Fatal(err)
	}
	GetPutAppend(ctx, t, cl, key+"-after")
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	left, err := kernelnet.Leftovers(kf.NetID())
	if err != nil || len(left) > 0 {
		t.Errorf("after stop, left of %s: %v %v", kf.NetID(), left, err)
	}
}
