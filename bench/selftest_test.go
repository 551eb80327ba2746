package main

import (
	"path/filepath"
	"strings"
	"testing"

	"faultline/workloads/results"
)

// selfTestConfig runs a register workload on raftkv under the default
// schedule's leader isolation, with the read mode given.
const selfTestConfig = `name: selftest
backend:
  name: raftkv
  nodes: 3
  mode: process
  fsync: false
  options:
    reads: %s
workload:
  kind: register
  keys: 3
  read_fraction: 0.6
  clients: 8
  duration: 14s
  timeout: 1s
check:
  linearizable: true
  time_limit: 30s
faults:
  recovery: 3s
  schedule:
    - fault: partition
      shape: leader
      at: 2s
      for: 5s
`

// TestSelfTestCatchesBuggyRaftKV is the harness's proof that it finds real
// bugs: raftkv with reads served from any node's local state, without
// confirming leadership, must be judged NOT linearizable (exit 1) under a
// leader isolation; the same run with linearizable reads must pass (exit 0),
// so the verdict comes from the bug, not from the faults.
func TestSelfTestCatchesBuggyRaftKV(t *testing.T) {
	for _, tc := range []struct {
		reads string
		want  int
	}{{"unsafe-local", exitInvalid}, {"linearizable", exitValid}} {
		t.Run(tc.reads, func(t *testing.T) {
			dir := t.TempDir()
			cfg := writeFile(t, dir, "selftest.yaml", strings.Replace(selfTestConfig, "%s", tc.reads, 1))
			code, out := runBench(t, "-config", cfg, "-out", filepath.Join(dir, "results"), "-seed", "11")
			if code != tc.want {
				t.Fatalf("reads %s: exit %d, want %d:\n%s", tc.reads, code, tc.want, out)
			}
			// The fault really happened: results.json records the
			// partition's actual window (the progress lines that may name
			// it come every few seconds and can miss a 5 s window).
			res, err := results.ReadFile(filepath.Join(resultsDir(t, out), "results.json"))
			if err != nil {
				t.Fatal(err)
			}
			applied := false
			for _, f := range res.Faults {
				applied = applied || (f.Fault == "partition" && f.StartNS != results.NotApplied && f.StopNS > f.StartNS)
			}
			if !applied {
				t.Fatalf("results.json records no applied partition: %+v", res.Faults)
			}
		})
	}
}
