package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// pythonNode returns the absolute path of the Python example node name
// (system/maelstrom/examples/python/NAME.py). python3 is required: CI
// installs it, and the test fails without it.
func pythonNode(t *testing.T, name string) string {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatalf("python3 is required for the Python example nodes (CI installs it): %v", err)
	}
	t.Setenv("PYTHONDONTWRITEBYTECODE", "1") // keep the examples folder clean
	py, err := filepath.Abs("../system/maelstrom/examples/python/" + name + ".py")
	if err != nil {
		t.Fatal(err)
	}
	return py
}

// killConfig is a seeded run of workload on bin with 3 nodes under kills
// of a random node (SIGKILL, then a restart with a fresh init) every
// second; nodeDir gives every node its own directory (MAELSTROM_NODE_DIR)
// that survives its restarts.
func killConfig(t *testing.T, workload, bin string, nodeDir bool) string {
	opts := `{bin: "` + bin + `"}`
	if nodeDir {
		opts = `{bin: "` + bin + `", node-dir: "true"}`
	}
	return writeFile(t, t.TempDir(), "run.yaml", strings.TrimSpace(`
name: `+workload+`-kill
seed: 11
backend:
  name: maelstrom
  nodes: 3
  options: `+opts+`
workload:
  kind: `+workload+`
  clients: 3
  loop: open
  rate: 60
  duration: 4s
  maelstrom: {recovery: 1s, final_timeout: 5s}
faults:
  recovery: 1s
  schedule:
    - fault: kill
      every: 1s
      start: 300ms
      for: 400ms
`)+"\n")
}
