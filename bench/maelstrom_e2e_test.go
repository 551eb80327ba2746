package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"faultline/workloads/checker"
	"faultline/workloads/results"
)

// exampleNodes is the folder of the Go example nodes, built once per test
// binary (removed by TestMain).
var (
	nodesOnce sync.Once
	nodesDir  string
	nodesErr  error
)

// exampleNode returns the path of the Go example node name
// (system/maelstrom/examples/go/NAME), building them all on first use.
func exampleNode(t *testing.T, name string) string {
	t.Helper()
	nodesOnce.Do(func() {
		if nodesDir, nodesErr = os.MkdirTemp("", "faultline-mnodes-"); nodesErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", nodesDir+"/", "./system/maelstrom/examples/go/...")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			nodesErr = &buildError{err, string(out)}
		}
	})
	if nodesErr != nil {
		t.Fatalf("build example nodes: %v", nodesErr)
	}
	return filepath.Join(nodesDir, name)
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// maelstromRun runs bench in this process with args (a results folder
// under a fresh directory is added) and returns its exit status, output
// and results.
func maelstromRun(t *testing.T, args ...string) (int, string, *results.Results) {
	t.Helper()
	code, out, res, _ := maelstromRunDir(t, args...)
	return code, out, res
}

// maelstromRunDir is maelstromRun that also returns the run's results
// folder ("" when there is none).
func maelstromRunDir(t *testing.T, args ...string) (int, string, *results.Results, string) {
	t.Helper()
	out := t.TempDir()
	if args[0] == "maelstrom" {
		args = append(args[:2:2], append([]string{"--out", out}, args[2:]...)...)
	} else {
		args = append(args, "-out", out)
	}
	t.Setenv("MAELSTROM_NODE_RPC_TIMEOUT", "3")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// One writer for stdout and stderr, written by the run's goroutines
	// (progress, the message log, the copy of the nodes' stderr).
	var b bytes.Buffer
	w := &syncWriter{w: &b}
	code := run(ctx, newRegistries(), args, w, w)
	w.Lock()
	output := b.String()
	w.Unlock()
	dirs, _ := filepath.Glob(filepath.Join(out, "*", "results.json"))
	if len(dirs) != 1 {
		return code, output, nil, ""
	}
	res, err := results.ReadFile(dirs[0])
	if err != nil {
		t.Fatalf("results: %v\n%s", err, output)
	}
	return code, output, res, filepath.Dir(dirs[0])
}

// wantVerdict runs args and checks the run's verdict, that its workload's
// check found anomaly (when invalid), and the network sections.
func wantVerdict(t *testing.T, want checker.Verdict, anomaly string, args ...string) *results.Results {
	t.Helper()
	code, out, res := maelstromRun(t, args...)
	if res == nil {
		t.Fatalf("no results (exit %d):\n%s", code, out)
	}
	if res.Verdict != want || code != want.ExitCode() {
		t.Fatalf("verdict %s exit %d, want %s:\n%s", res.Verdict, code, want, out)
	}
	if anomaly != "" && !strings.Contains(out, anomaly) {
		t.Fatalf("no %q in the output:\n%s", anomaly, out)
	}
	if res.Network == nil || res.Network.All.Sent == 0 || res.Network.Ops == 0 || len(res.NodeStats) == 0 {
		t.Fatalf("network %+v, %d node stats", res.Network, len(res.NodeStats))
	}
	return res
}

func TestMaelstromEcho(t *testing.T) {
	res := wantVerdict(t, checker.Valid, "", "maelstrom", "test", "-w", "echo", "--bin", exampleNode(t, "echo"),
		"--node-count", "2", "--time-limit", "2", "--rate", "50")
	if res.Ops["echo"].OK == 0 || res.Files["messages"] != results.JournalFile {
		t.Fatalf("echo ops %+v, files %v", res.Ops["echo"], res.Files)
	}
}

func TestMaelstromPythonEcho(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatalf("python3 is required: %v", err)
	}
	py, err := filepath.Abs("../system/maelstrom/examples/python/echo.py")
	if err != nil {
		t.Fatal(err)
	}
	wantVerdict(t, checker.Valid, "", "maelstrom", "test", "-w", "echo", "--bin", py,
		"--node-count", "1", "--time-limit", "2", "--rate", "30")
}

// partitionConfig is a run of workload on bin with 3 nodes under
// partitions of random halves (recovery shortened for the tests).
func partitionConfig(t *testing.T, workload, bin string) string {
	return writeFile(t, t.TempDir(), "run.yaml", `name: `+workload+`
backend:
  name: maelstrom
  nodes: 3
  options: {bin: "`+bin+`"}
workload:
  kind: `+workload+`
  clients: 3
  loop: open
  rate: 30
  duration: 3s
  maelstrom: {recovery: 1s, final_timeout: 5s}
faults:
  recovery: 1s
  schedule:
    - fault: partition
      shape: halves
      every: 1s
      start: 200ms
      for: 700ms
`)
}

func TestMaelstromBroadcastPartition(t *testing.T) {
	wantVerdict(t, checker.Valid, "", "-config", partitionConfig(t, "broadcast", exampleNode(t, "broadcast")))
}

func TestMaelstromBrokenBroadcastPartition(t *testing.T) {
	wantVerdict(t, checker.Invalid, "lost", "-config", partitionConfig(t, "broadcast", exampleNode(t, "broken-broadcast")))
}

func TestMaelstromGCounterPartition(t *testing.T) {
	wantVerdict(t, checker.Valid, "", "-config", partitionConfig(t, "g-counter", exampleNode(t, "g-counter")))
}

// TestMaelstromCommandLine runs `bench maelstrom test` on the example
// nodes: the correct ones are valid, the broken ones caught.
func TestMaelstromCommandLine(t *testing.T) {
	for _, tc := range []struct {
		name, workload, node string
		want                 checker.Verdict
		anomaly              string
		flags                []string
	}{
		{"lin-kv", "lin-kv", "lin-kv", checker.Valid, "", []string{"--node-count", "3", "--concurrency", "2n", "--rate", "60"}},
		{"broken-lin-kv", "lin-kv", "broken-lin-kv", checker.Invalid, "", []string{"--node-count", "3", "--concurrency", "2n", "--rate", "100"}},
		// No faults, so no recovery wait: the final reads are repeated
		// until the nodes' gossip has converged.
		{"pn-counter", "pn-counter", "g-counter", checker.Valid, "", []string{"--node-count", "3", "--rate", "30"}},
		{"kafka", "kafka", "kafka", checker.Valid, "", []string{"--node-count", "2", "--concurrency", "2n", "--rate", "50"}},
		{"broken-kafka", "kafka", "broken-kafka", checker.Invalid, "", []string{"--node-count", "2", "--concurrency", "2n", "--rate", "50"}},
		// The round trip (2 x 200 ms) outlasts the node's 300 ms resend,
		// so its deltas count twice without any fault, as its README says.
		{"broken-counter", "g-counter", "broken-counter", checker.Invalid, "counter-out-of-bounds",
			[]string{"--node-count", "3", "--rate", "30", "--latency", "200"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"maelstrom", "test", "-w", tc.workload, "--bin", exampleNode(t, tc.node), "--time-limit", "3"}, tc.flags...)
			wantVerdict(t, tc.want, tc.anomaly, args...)
		})
	}
}

// TestMaelstromRefusals: a fault the workload's checker cannot judge, a
// Maelstrom workload on a key/value backend and a misspelt flag are all
// refused before anything starts, saying why.
func TestMaelstromRefusals(t *testing.T) {
	bin := exampleNode(t, "g-counter")
	dup := writeFile(t, t.TempDir(), "dup.yaml", `backend: {name: maelstrom, nodes: 3, options: {bin: "`+bin+`"}}
workload: {kind: g-counter, duration: 10s}
faults:
  - fault: network
    duplicate: 0.2
    at: 500ms
    for: 500ms
`)
	kv := writeFile(t, t.TempDir(), "kv.yaml", "backend: {name: memory}\nworkload: {kind: echo, duration: 1s}\n")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"cannot judge", []string{"-config", dup}, "cannot judge"},
		{"not an invoker", []string{"-config", kv}, "needs a backend whose clients take Maelstrom requests"},
		{"unknown flag", []string{"maelstrom", "test", "-w", "echo", "--bin", bin, "--node-cout", "3"}, "did you mean --node-count"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, res := maelstromRun(t, tc.args...)
			if code != exitFailed || res != nil || !strings.Contains(out, tc.want) {
				t.Fatalf("exit %d, results %v, want %q in:\n%s", code, res != nil, tc.want, out)
			}
		})
	}
}
