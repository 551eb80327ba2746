package main

import (
	"testing"

	"faultline/workloads/checker"
	"faultline/workloads/results"
)

// TestMaelstromPythonNodes runs the Python example nodes through the
// runner, as the other end-to-end tests run the Go ones: each workload's
// checker passes them, the set and counter nodes under partitions.
func TestMaelstromPythonNodes(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  nodesRun
	}{
		{"unique-ids", nodesRun{workload: "unique-ids", nodes: 3, rate: 60, fault: "partition"}},
		{"broadcast", nodesRun{workload: "broadcast", nodes: 3, fault: "partition"}},
		{"g-set", nodesRun{workload: "g-set", nodes: 3, fault: "partition"}},
		{"g-counter", nodesRun{workload: "g-counter", nodes: 3, fault: "partition"}},
		{"lin-kv", nodesRun{workload: "lin-kv", nodes: 3, clients: 6, rate: 60}},
		{"kafka", nodesRun{workload: "kafka", nodes: 2, clients: 4, rate: 40}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.run.bin, tc.run.args = pythonNode(t, tc.name)
			wantVerdict(t, checker.Valid, "", "-config", tc.run.config(t))
		})
	}
}

// TestMaelstromGoNodes: the Go g-set node under partitions, and the Go
// unique-ids node, which the other end-to-end tests leave out, under
// kills (a restarted node must not repeat an id).
func TestMaelstromGoNodes(t *testing.T) {
	for _, run := range []nodesRun{
		{workload: "g-set", nodes: 3, fault: "partition"},
		{workload: "unique-ids", nodes: 3, rate: 60, fault: "kill"},
	} {
		t.Run(run.workload, func(t *testing.T) {
			run.bin = exampleNode(t, run.workload)
			wantVerdict(t, checker.Valid, "", "-config", run.config(t))
		})
	}
}

// TestMaelstromKillNodeDir: the durable counter under kills (SIGKILL,
// restart under the same id, fresh init). With a node directory it keeps
// every acknowledged add across its restarts, so the final reads hold
// them all; without one, a restarted node counts again from zero, and
// the checker finds acknowledged adds missing from the final reads.
func TestMaelstromKillNodeDir(t *testing.T) {
	for _, tc := range []struct {
		name    string
		nodeDir bool
		want    checker.Verdict
		anomaly string
	}{
		{"node dir", true, checker.Valid, ""},
		{"memory only", false, checker.Invalid, "counter-out-of-bounds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := nodesRun{workload: "g-counter", bin: exampleNode(t, "durable-counter"), nodes: 3, rate: 60, fault: "kill", nodeDir: tc.nodeDir}
			wantRestarts(t, wantVerdict(t, tc.want, tc.anomaly, "-config", run.config(t)))
		})
	}
}

// TestMaelstromLinKVRaftKV: the lin-kv proxy node (Go) on a lin-kv
// service whose state is a raftkv cluster (option lin-kv=raftkv), each
// replica sharing its node's faults: linearizable under partitions of
// random halves and under kills.
func TestMaelstromLinKVRaftKV(t *testing.T) {
	for _, fault := range []string{"partition", "kill"} {
		t.Run(fault, func(t *testing.T) {
			run := nodesRun{workload: "lin-kv", bin: exampleNode(t, "lin-kv"), nodes: 3, clients: 6, rate: 60, fault: fault, linKV: "raftkv"}
			res := wantVerdict(t, checker.Valid, "", "-config", run.config(t))
			if res.Ops["write"].OK == 0 || res.Ops["cas"].OK == 0 || res.Ops["read"].OK == 0 {
				t.Fatalf("ops %+v: want reads, writes and cases done", res.Ops)
			}
			if fault == "kill" {
				wantRestarts(t, res)
			}
		})
	}
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
