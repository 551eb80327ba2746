package chaos

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"faultline/system/backend"
	"faultline/system/backend/kernelnet"
	"faultline/system/backend/raftkv"
	"faultline/transport"
	"faultline/workloads/checker"
	"faultline/workloads/runner"
)

// countingBackend is raftkv whose cluster, when it stops, keeps what the
// kernel counted on its fault rules.
type countingBackend struct {
	raftkv.Backend
	once     sync.Once
	counters []kernelnet.Counter
	err      error
}

func (b *countingBackend) Start(ctx context.Context, spec backend.Spec) (backend.Cluster, error) {
	c, err := b.Backend.Start(ctx, spec)
	if err != nil {
		return nil, err
	}
	return &countingCluster{c.(*raftkv.Cluster), b}, nil
}

type countingCluster struct {
	*raftkv.Cluster
	b *countingBackend
}

func (c *countingCluster) Stop(ctx context.Context) error {
	c.b.once.Do(func() {
		kf, ok := c.Faults().(*kernelnet.Faults)
		if !ok {
			c.b.err = os.ErrInvalid
			return
		}
		c.b.counters, c.b.err = kf.Counters()
	})
	return c.Cluster.Stop(ctx)
}

// TestNetnsPartitionRaftKV runs raftkv in process mode with every node a
// host of its own (network: netns) under a schedule of partitions (a
// random node isolated, then random halves; no leader lookup, whose wait
// for an election would blur a window on a loaded machine) applied as
// nftables rules: the
// register workload's history is linearizable, every fault record names
// the kernel layer, and the kernel counted packets dropped by the block
// rules.
func TestNetnsPartitionRaftKV(t *testing.T) {
	if err := kernelnet.CheckPrivileges(); err != nil {
		t.Skipf("needs root: %v", err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cfg, nem := configNemesis(t, `seed: 11
backend: {name: raftkv, nodes: 3, mode: process, fsync: false, options: {network: netns}}
workload: {kind: register, keys: 3, read_fraction: 0.5, clients: 4, duration: 12s, timeout: 1s}
check: {linearizable: true, time_limit: 60s}
faults:
  recovery: 2500ms
  schedule:
    - {fault: partition, shape: isolate, target: random, at: 1s, for: 4s}
    - {fault: partition, shape: halves, at: 6s, for: 3s}
`)
	b := &countingBackend{}
	if err := nem.CheckDeclared(b, runner.BackendSpec(&cfg)); err != nil {
		t.Fatal(err)
	}
	res, err := runner.Run(context.Background(), runner.Spec{Config: cfg, Backend: b, Nemesis: nem,
		Dir: t.TempDir(), Exec: []string{exe, nodeMarker}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != checker.Valid {
		t.Errorf("verdict %v, checks %+v", res.Verdict, res.Checks)
	}
	if len(res.Faults) != 2 {
		t.Fatalf("faults %+v, want 2", res.Faults)
	}
	for _, f := range res.Faults {
		t.Logf("%s %q: intended %.3fs, in effect %.3fs-%.3fs", f.Entry, f.Desc, float64(f.IntendedStartNS)/1e9, float64(f.StartNS)/1e9, float64(f.StopNS)/1e9)
		if f.Layer != string(transport.LayerKernel) {
			t.Errorf("fault %s %q applied at layer %q, want kernel", f.Entry, f.Desc, f.Layer)
		}
	}
	if b.err != nil {
		t.Fatalf("counters: %v", b.err)
	}
	var blocked uint64
	for _, k := range b.counters {
		if k.Action == "block" {
			blocked += k.Packets
		}
	}
	t.Logf("kernel counters: %+v", b.counters)
	if blocked == 0 {
		t.Errorf("the block rules dropped no packet: %+v", b.counters)
	}
}

// TestNetnsRefusesNetem: a network fault with delay under network: netns
// is refused before any cluster starts, naming netem and the user-space
// layer.
func TestNetnsRefusesNetem(t *testing.T) {
	if err := kernelnet.CheckPrivileges(); err != nil {
		t.Skipf("needs root: %v", err)
	}
	cfg, nem := configNemesis(t, `backend: {name: raftkv, nodes: 3, mode: process, options: {network: netns}}
workload: {kind: register, duration: 20s}
faults:
  - {fault: network, delay: 50ms, at: 1s, for: 1s}
`)
	err := nem.CheckDeclared(raftkv.Backend{}, runner.BackendSpec(&cfg))
	if err == nil || !strings.Contains(err.Error(), "netem") || !strings.Contains(err.Error(), "network: netns") {
		t.Errorf("delay under netns: %v", err)
	}
}
