package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"
)

// pythonNode returns the bin and args that run the Python example node
// name (system/maelstrom/examples/python/NAME.py): python3 -S, since the
// nodes use the standard library only, and skipping the site packages'
// start-up hooks keeps a node's start well inside the init deadline on a
// loaded machine. python3 is required: CI installs it, and the test fails
// without it.
func pythonNode(t *testing.T, name string) (bin, args string) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is required for the Python example nodes (CI installs it): %v", err)
	}
	t.Setenv("PYTHONDONTWRITEBYTECODE", "1") // keep the examples folder clean
	script, err := filepath.Abs("../system/maelstrom/examples/python/" + name + ".py")
	if err != nil {
		t.Fatal(err)
	}
	return py, "-S " + script
}

// nodesRun is a seeded run of a Maelstrom workload on example nodes, as
// a config file for the runner.
type nodesRun struct {
	workload, bin string
	args          string // the node's arguments (option args)
	nodes         int
	clients       int    // default nodes
	rate          int    // ops/s, default 30
	fault         string // "", "partition" (random halves) or "kill" (a random node)
	nodeDir       bool   // every node has its own directory (MAELSTROM_NODE_DIR)
	linKV         string // the backend's option lin-kv ("" for its default)
}

// faultSchedules are the fault schedules of nodesRun: one fault every 2
// s from 1 s on (so that every node has acknowledged ops before the first
// fault), for 1.6 s: long windows, so that a fault applied late on a
// loaded machine (a partition or kill of lin-kv's raftkv replicas takes
// RPCs or waits) still covers most of its window.
var faultSchedules = map[string]string{
	"":          "",
	"partition": "faults:\n  recovery: 1s\n  schedule:\n    - {fault: partition, shape: halves, every: 2s, start: 1s, for: 1600ms}\n",
	"kill":      "faults:\n  recovery: 1s\n  schedule:\n    - {fault: kill, every: 2s, start: 1s, for: 1600ms}\n",
}

// config writes the run's config file and returns its path. Nodes get 60
// s to answer init: a Python node needs half a second of CPU to start,
// which a machine under heavy load (CPU pressure near 100%) can stretch
// to 20 s.
func (r nodesRun) config(t *testing.T) string {
	t.Helper()
	if r.clients == 0 {
		r.clients = r.nodes
	}
	if r.rate == 0 {
		r.rate = 30
	}
	sched, ok := faultSchedules[r.fault]
	if !ok {
		t.Fatalf("no fault schedule %q", r.fault)
	}
	linKV := ""
	if r.linKV != "" {
		linKV = ", lin-kv: " + r.linKV
	}
	return writeFile(t, t.TempDir(), "run.yaml", fmt.Sprintf(`name: %[1]s
seed: 11
backend:
  name: maelstrom
  nodes: %[2]d
  options: {bin: %[3]q, args: %[9]q, init-timeout: 60s, node-dir: "%[4]t"%[8]s}
workload:
  kind: %[1]s
  clients: %[5]d
  loop: open
  rate: %[6]d
  duration: 6s
  maelstrom: {recovery: 1s, final_timeout: 5s}
%[7]s`, r.workload, r.nodes, r.bin, r.nodeDir, r.clients, r.rate, sched, linKV, r.args))
}
