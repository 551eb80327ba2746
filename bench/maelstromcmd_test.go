package main

import (
	"io"
	"testing"
	"time"

	"faultline/chaos"
	"faultline/workloads"
)

// TestMaelstromCommandConfig: Maelstrom's command line becomes the run
// config it means, its --nemesis a schedule the chaos controller takes.
func TestMaelstromCommandConfig(t *testing.T) {
	cfg, es := commandConfig(t, "-w", "broadcast", "--bin", "/bin/true", "--node-count", "3", "--concurrency", "2n",
		"--time-limit", "10", "--rate", "20", "--latency", "5", "--topology", "line", "--nemesis", "partition,kill",
		"--nemesis-interval", "2", "--", "-x")
	w, b := cfg.Workload, cfg.Backend
	if b.Name != "maelstrom" || b.Nodes != 3 || b.Options["bin"] != "/bin/true" || b.Options["args"] != `["-x"]` ||
		b.Options["latency"] != "5" || w.Kind != "broadcast" || w.Clients != 6 || w.Loop != "open" || w.Rate != 20 ||
		w.Duration.D() != 10*time.Second || w.Maelstrom.Topology != "line" {
		t.Fatalf("config %+v %+v", b, w)
	}
	if len(es) != 2 || es[0].Fault != chaos.KindPartition || es[0].Shape != chaos.ShapeHalves || es[1].Fault != chaos.KindKill ||
		es[0].Interval != 4*time.Second || es[0].For != 2*time.Second || es[0].Start != 2*time.Second {
		t.Fatalf("schedule %+v", es)
	}
	// A run too short for the interval still gets its faults, earlier.
	if _, err := nemesisSchedule([]string{"pause"}, nil, 10*time.Second, 3*time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestMaelstromCommandOptions: the flags that are workload options and
// backend options land in the config, and the partition shapes take
// turns, one per window.
func TestMaelstromCommandOptions(t *testing.T) {
	cfg, es := commandConfig(t, "-w", "lin-kv", "--bin", "/bin/true", "--node-count", "4", "--time-limit", "30",
		"--nemesis", "partition,pause", "--nemesis-interval", "2", "--partition-shape", "ring,one-way-in,isolate",
		"--availability", "total", "--max-writes-per-key", "5", "--log-stderr", "--log-net-recv")
	m, opts := cfg.Workload.Maelstrom, cfg.Backend.Options
	if m.Availability != "total" || m.MaxWritesPerKey != 5 || opts["log-stderr"] != "true" || opts["log-net-recv"] != "true" ||
		opts["log-net-send"] != "" {
		t.Fatalf("workload %+v, backend options %v", m, opts)
	}
	if len(es) != 4 {
		t.Fatalf("%d entries: %+v", len(es), es)
	}
	for i, want := range []struct {
		shape   chaos.Shape
		inbound bool
		start   time.Duration
	}{{chaos.ShapeRing, false, 2 * time.Second}, {chaos.ShapeOneWay, true, 6 * time.Second}, {chaos.ShapeIsolate, false, 10 * time.Second}} {
		e := es[i]
		if e.Fault != chaos.KindPartition || e.Shape != want.shape || e.Inbound != want.inbound || e.Start != want.start ||
			e.Interval != 12*time.Second || e.For != 2*time.Second {
			t.Errorf("entry %d: %+v, want shape %s inbound %v from %v every 12s", i, e, want.shape, want.inbound, want.start)
		}
	}
	if es[3].Fault != chaos.KindPause || es[3].Interval != 4*time.Second {
		t.Errorf("pause entry %+v", es[3])
	}
}

// commandConfig is the checked run config of a command line and its
// fault schedule's entries.
func commandConfig(t *testing.T, args ...string) (*workloads.Config, []chaos.Entry) {
	t.Helper()
	o, err := parseMaelstromFlags(args, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := o.config()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	n, err := chaos.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, n.Schedule().Entries
}
