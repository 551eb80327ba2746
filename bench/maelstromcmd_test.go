package main

import (
	"io"
	"testing"
	"time"

	"faultline/chaos"
)

// TestMaelstromCommandConfig: Maelstrom's command line becomes the run
// config it means, its --nemesis a schedule the chaos controller takes.
func TestMaelstromCommandConfig(t *testing.T) {
	o, err := parseMaelstromFlags([]string{"-w", "broadcast", "--bin", "/bin/true", "--node-count", "3", "--concurrency", "2n",
		"--time-limit", "10", "--rate", "20", "--latency", "5", "--topology", "line", "--nemesis", "partition,kill",
		"--nemesis-interval", "2", "--", "-x"}, io.Discard)
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
	w, b := cfg.Workload, cfg.Backend
	if b.Name != "maelstrom" || b.Nodes != 3 || b.Options["bin"] != "/bin/true" || b.Options["args"] != `["-x"]` ||
		b.Options["latency"] != "5" || w.Kind != "broadcast" || w.Clients != 6 || w.Loop != "open" || w.Rate != 20 ||
		w.Duration.D() != 10*time.Second || w.Maelstrom.Topology != "line" {
		t.Fatalf("config %+v %+v", b, w)
	}
	n, err := chaos.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	es := n.Schedule().Entries
	if len(es) != 2 || es[0].Fault != chaos.KindPartition || es[0].Shape != chaos.ShapeHalves || es[1].Fault != chaos.KindKill ||
		es[0].Interval != 4*time.Second || es[0].For != 2*time.Second || es[0].Start != 2*time.Second {
		t.Fatalf("schedule %+v", es)
	}
	// A run too short for the interval still gets its faults, earlier.
	if _, err := nemesisSchedule([]string{"pause"}, nil, 10*time.Second, 3*time.Second); err != nil {
		t.Fatal(err)
	}
}
