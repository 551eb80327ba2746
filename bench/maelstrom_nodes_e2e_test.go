package main

import (
	"testing"

	"faultline/workloads/checker"
	"faultline/workloads/results"
)

// TestMaelstromPythonNodes runs the Python example nodes through `bench
// maelstrom test` and the runner, as TestMaelstromCommandLine runs the Go
// ones: each workload's checker passes them.
func TestMaelstromPythonNodes(t *testing.T) {
	for _, tc := range []struct {
		name, workload string
		flags          []string
	}{
		{"unique-ids", "unique-ids", []string{"--node-count", "3", "--rate", "60", "--nemesis", "partition", "--nemesis-interval", "1"}},
		{"lin-kv", "lin-kv", []string{"--node-count", "3", "--concurrency", "2n", "--rate", "60"}},
		{"kafka", "kafka", []string{"--node-count", "2", "--concurrency", "2n", "--rate", "40"}},
		{"pn-counter", "pn-counter", []string{"--node-count", "3", "--rate", "30"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"maelstrom", "test", "-w", tc.workload, "--bin", pythonNode(t, tc.name), "--time-limit", "3"}, tc.flags...)
			wantVerdict(t, checker.Valid, "", args...)
		})
	}
}

// TestMaelstromPythonPartition: the Python broadcast and g-counter nodes
// keep every acknowledged value through partitions of random halves.
func TestMaelstromPythonPartition(t *testing.T) {
	for _, w := range []string{"broadcast", "g-counter"} {
		t.Run(w, func(t *testing.T) {
			wantVerdict(t, checker.Valid, "", "-config", partitionConfig(t, w, pythonNode(t, w)))
		})
	}
}

// TestMaelstromGSetPartition: the g-set nodes, Go and Python, under
// partitions of random halves; and the Go unique-ids node, which the
// other end-to-end tests leave out.
func TestMaelstromGSetPartition(t *testing.T) {
	t.Run("go", func(t *testing.T) {
		wantVerdict(t, checker.Valid, "", "-config", partitionConfig(t, "g-set", exampleNode(t, "g-set")))
	})
	t.Run("python", func(t *testing.T) {
		wantVerdict(t, checker.Valid, "", "-config", partitionConfig(t, "g-set", pythonNode(t, "g-set")))
	})
	t.Run("go unique-ids", func(t *testing.T) {
		wantVerdict(t, checker.Valid, "", "maelstrom", "test", "-w", "unique-ids", "--bin", exampleNode(t, "unique-ids"),
			"--node-count", "3", "--time-limit", "3", "--rate", "60", "--nemesis", "partition,kill", "--nemesis-interval", "1")
	})
}

// TestMaelstromKillNodeDir: the durable counter under kills (SIGKILL,
// restart under the same id, fresh init). With a node directory it keeps
// every acknowledged add across its restarts, so the final reads hold
// them all; without one, the same node counts again from zero under a
// slot its peers know larger, and the checker finds acknowledged adds
// missing from the final reads.
func TestMaelstromKillNodeDir(t *testing.T) {
	bin := exampleNode(t, "durable-counter")
	t.Run("node dir", func(t *testing.T) {
		res := wantVerdict(t, checker.Valid, "", "-config", killConfig(t, "g-counter", bin, true))
		wantRestarts(t, res)
	})
	t.Run("memory only", func(t *testing.T) {
		res := wantVerdict(t, checker.Invalid, "counter-out-of-bounds", "-config", killConfig(t, "g-counter", bin, false))
		wantRestarts(t, res)
	})
}

// wantRestarts checks that the run's kills took effect: some node's
// process was started again and answered a fresh init.
func wantRestarts(t *testing.T, res *results.Results) {
	t.Helper()
	kills := 0
	for _, f := range res.Faults {
		if f.Fault == "kill" && f.StartNS != results.NotApplied {
			kills++
		}
	}
	restarted := 0
	for _, n := range res.NodeStats {
		if n.Starts > 1 && n.Inits == n.Starts {
			restarted++
		}
	}
	if kills == 0 || restarted == 0 {
		t.Fatalf("%d kills applied, %d nodes restarted: faults %+v, nodes %+v", kills, restarted, res.Faults, res.NodeStats)
	}
}
