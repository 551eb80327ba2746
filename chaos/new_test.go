package chaos

import (
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"faultline/workloads"
)

func TestNewFromConfig(t *testing.T) {
	load := func(src string) *workloads.Config {
		var cfg workloads.Config
		if err := yaml.Unmarshal([]byte(src), &cfg); err != nil {
			t.Fatal(err)
		}
		return &cfg
	}
	cfg := load(`
seed: 9
backend: {name: raftkv, nodes: 3}
workload: {duration: 20s}
faults:
  recovery: 5s
  schedule:
    - {fault: kill, at: 2s, for: 1s}
`)
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if n.seed != 9 || n.runLen != 20*time.Second || n.backend != "raftkv" {
		t.Errorf("seed %d runLen %v backend %q", n.seed, n.runLen, n.backend)
	}

	cfg = load(`
backend: {name: raftkv, nodes: 2}
phases:
  - {name: a, duration: 5s}
  - {name: b, duration: 5s}
faults:
  recovery: 2s
  schedule:
    - {fault: kill, at: 9s, for: 1s}
    - {fault: partition, shape: ring, at: 1s, for: 1s}
`)
	// A ring on two nodes is the backend's to refuse (CheckDeclared,
	// Setup): New judges the schedule against the run's length only.
	_, err = New(cfg)
	if fields := workloads.Fields(err); len(fields) != 1 || fields[0].Path != "faults.schedule[0].at" {
		t.Fatalf("errors %v", err)
	}
}
