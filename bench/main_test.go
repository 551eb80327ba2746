package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"faultline/workloads/checker"
	"faultline/workloads/results"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// benchBinary builds the bench command once per test run.
func benchBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bench-test-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "bench")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("build bench: %v", buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	if nodesDir != "" {
		os.RemoveAll(nodesDir)
	}
	os.Exit(code)
}

// runBench runs the binary and returns its exit status and output.
func runBench(t *testing.T, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, benchBinary(t), args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), out.String()
	}
	t.Fatalf("run bench %v: %v\n%s", args, err, out.String())
	return 0, ""
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const tinyConfig = `name: tiny
backend:
  name: memory
  mode: %s
workload:
  kind: register
  keys: 3
  clients: 4
  duration: 1s
`

func resultsDir(t *testing.T, out string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if d, ok := strings.CutPrefix(l, "results: "); ok {
			return d
		}
	}
	t.Fatalf("no results line in output:\n%s", out)
	return ""
}

func TestExitValidWithMemoryBackend(t *testing.T) {
	for _, mode := range []string{"inprocess", "process"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			cfg := writeFile(t, dir, "tiny.yaml", strings.ReplaceAll(tinyConfig, "%s", mode))
			code, out := runBench(t, "-config", cfg, "-out", filepath.Join(dir, "results"), "-seed", "7")
			if code != exitValid {
				t.Fatalf("exit %d, want %d (valid):\n%s", code, exitValid, out)
			}
			rd := resultsDir(t, out)
			res, err := results.ReadFile(filepath.Join(rd, "results.json"))
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != checker.Valid || res.Seed != 7 || res.Ops["all"].Count == 0 || len(res.Series) == 0 {
				t.Fatalf("results: verdict %s seed %d ops %+v", res.Verdict, res.Seed, res.Ops["all"])
			}
			for _, f := range []string{"config.yaml", "history.jsonl", "bench.log"} {
				if _, err := os.Stat(filepath.Join(rd, f)); err != nil {
					t.Errorf("results folder lacks %s: %v", f, err)
				}
			}
			// The saved config reruns as is.
			code, out = runBench(t, "-config", filepath.Join(rd, "config.yaml"), "-duration", "300ms", "-out", filepath.Join(dir, "again"))
			if code != exitValid {
				t.Fatalf("re-run of the saved config: exit %d:\n%s", code, out)
			}
			// Re-checking the saved history offline agrees.
			code, out = runBench(t, "check", filepath.Join(rd, "history.jsonl"))
			if code != exitValid || !strings.Contains(out, "verdict: valid") {
				t.Fatalf("bench check: exit %d:\n%s", code, out)
			}
		})
	}
}

// badConfig is a config (and flags) that bench must reject before it
// starts anything, with an error containing want.
type badConfig struct {
	name, body string
	args       []string
	want       string
}

// runBadConfig writes tc's config as file in dir, runs bench on it with
// results going to dir/r, checks that it fails with tc.want, and returns
// its output.
func runBadConfig(t *testing.T, dir, file string, tc badConfig) string {
	t.Helper()
	cfg := writeFile(t, dir, file, tc.body)
	code, out := runBench(t, append([]string{"-config", cfg, "-out", filepath.Join(dir, "r")}, tc.args...)...)
	if code != exitFailed {
		t.Fatalf("exit %d, want %d:\n%s", code, exitFailed, out)
	}
	if !strings.Contains(out, tc.want) {
		t.Fatalf("output lacks %q:\n%s", tc.want, out)
	}
	return out
}

func TestExitFailedOnBadConfig(t *testing.T) {
	dir := t.TempDir()
	cases := []badConfig{
		{"unknown key", "name: x\nworkload:\n  clientz: 3\n", nil, "bad.yaml:3: unknown key \"clientz\""},
		{"unknown backend", "backend:\n  name: cassandra\n", nil, "bad.yaml:2: backend.name: unknown backend \"cassandra\""},
		{"bad flag value", "name: x\n", []string{"-clients", "-1"}, "-clients: -1 clients"},
		{"too many memory nodes", "backend:\n  name: memory\n  nodes: 3\n", nil, "bad.yaml:3: backend.nodes: 3 nodes, but backend \"memory\" has at most 1"},
		{"job on raftkv", "workload:\n  kind: mapreduce\njob:\n  input: [x]\n", nil, "bad.yaml:2: workload.kind: kind \"mapreduce\" does not go with backend \"raftkv\""},
		{"bad duration flag", "name: x\n", []string{"-duration", "soon"}, "-duration: \"soon\" is not a duration"},
		{"fault without a kind", "faults:\n  - kind: kill\n", nil, "bad.yaml:2: faults[0].fault: missing"},
		{"partition of one node", "backend:\n  name: memory\n  nodes: 1\nfaults:\n  - fault: partition\n    shape: halves\n    at: 1s\n    for: 1s\n", nil, "bad.yaml:5: faults[0]: backend \"memory\" (1 node(s), process mode) cannot take partition halves: shape halves needs at least 2 nodes, the cluster has 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			runBadConfig(t, dir, "bad.yaml", tc)
			if _, err := os.Stat(filepath.Join(dir, "r")); err == nil {
				t.Fatalf("a results folder was made for a rejected config")
			}
		})
	}
}

func TestCheckExitStatuses(t *testing.T) {
	dir := t.TempDir()
	// A stale read: the write of 2 completed before the read began, yet the
	// read returned 1.
	stale := writeFile(t, dir, "stale.jsonl", `{"type":"op","client":0,"kind":"put","key":"x","value":"1","invoke":0,"complete":10,"outcome":"ok"}
{"type":"op","client":0,"kind":"put","key":"x","value":"2","invoke":20,"complete":30,"outcome":"ok"}
{"type":"op","client":1,"kind":"get","key":"x","output":"1","invoke":40,"complete":50,"outcome":"ok"}
`)
	if code, out := runBench(t, "check", stale); code != exitInvalid {
		t.Fatalf("stale history: exit %d, want %d:\n%s", code, exitInvalid, out)
	}
	// porcupine's visualization is written next to the history.
	if b, err := os.ReadFile(filepath.Join(dir, checker.VisualizationFile)); err != nil || !bytes.Contains(b, []byte("<html")) {
		t.Fatalf("no HTML visualization beside the violating history: %v", err)
	}
	good := writeFile(t, dir, "good.jsonl", `{"type":"op","client":0,"kind":"put","key":"x","value":"1","invoke":0,"complete":10,"outcome":"ok"}
{"type":"op","client":1,"kind":"get","key":"x","output":"1","invoke":5,"complete":50,"outcome":"ok"}
`)
	if code, out := runBench(t, "check", good); code != exitValid {
		t.Fatalf("good history: exit %d, want %d:\n%s", code, exitValid, out)
	}
	// A time limit too short to decide anything is unknown, never valid.
	if code, out := runBench(t, "check", "-time-limit", "1ns", good); code != exitUnknown {
		t.Fatalf("good history with no time to check: exit %d, want %d:\n%s", code, exitUnknown, out)
	}
	if code, out := runBench(t, "check", filepath.Join(dir, "missing.jsonl")); code != exitFailed {
		t.Fatalf("missing history: exit %d, want %d:\n%s", code, exitFailed, out)
	}
	edn := writeFile(t, dir, "history.edn", `{:type :invoke, :f :write, :value 1, :process 0, :time 0}
{:type :ok, :f :write, :value 1, :process 0, :time 10}
{:type :invoke, :f :cas, :value [1 2], :process 1, :time 20}
{:type :ok, :f :cas, :value [1 2], :process 1, :time 30}
{:type :invoke, :f :read, :value nil, :process 2, :time 40}
{:type :ok, :f :read, :value 1, :process 2, :time 50}
`)
	if code, out := runBench(t, "check", edn); code != exitInvalid {
		t.Fatalf("stale Jepsen history: exit %d, want %d:\n%s", code, exitInvalid, out)
	}
}

// TestCheckNothingIsUnknown: a history with no operation to judge is
// unknown (exit 2) and the output says why, whatever its format.
func TestCheckNothingIsUnknown(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"empty.jsonl":       "",
		"blank.jsonl":       "\n\n",
		"events-only.jsonl": `{"type":"event","kind":"partition","start":0,"stop":10}` + "\n",
		"failed-only.jsonl": `{"type":"op","client":0,"kind":"put","key":"x","value":"1","invoke":0,"complete":10,"outcome":"fail"}` + "\n",
		"empty.edn":         "",
		"jepsen.log":        "INFO  jepsen.core - Running test\nINFO  jepsen.util - :nemesis\t:info\t:start\tnil\n",
	} {
		t.Run(name, func(t *testing.T) {
			code, out := runBench(t, "check", writeFile(t, dir, name, body))
			if code != exitUnknown || !strings.Contains(out, "nothing to check") || !strings.Contains(out, "verdict: unknown") {
				t.Fatalf("exit %d, want %d with a reason:\n%s", code, exitUnknown, out)
			}
		})
	}
}

// TestCheckNegativeTimeLimit: a negative time limit is an error, not "no
// limit".
func TestCheckNegativeTimeLimit(t *testing.T) {
	good := writeFile(t, t.TempDir(), "good.jsonl", `{"type":"op","client":0,"kind":"put","key":"x","value":"1","invoke":0,"complete":10,"outcome":"ok"}`+"\n")
	for _, limit := range []string{"-5s", "0s"} {
		if code, out := runBench(t, "check", "-time-limit", limit, good); code != exitFailed || !strings.Contains(out, "-time-limit") {
			t.Errorf("-time-limit %s: exit %d, want %d with an error naming the flag:\n%s", limit, code, exitFailed, out)
		}
	}
}

// TestNoLeakedNodeProcesses: after a process-mode run, no node process of
// this binary is left.
func TestNoLeakedNodeProcesses(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "tiny.yaml", strings.ReplaceAll(tinyConfig, "%s", "process"))
	bin := benchBinary(t)
	code, out := runBench(t, "-config", cfg, "-out", filepath.Join(dir, "results"))
	if code == exitFailed {
		t.Fatalf("run failed:\n%s", out)
	}
	if pids := nodeProcesses(t, bin); len(pids) > 0 {
		t.Fatalf("node processes left after the run: %v", pids)
	}
}

// nodeProcesses lists the pids whose command line starts with bin node.
func nodeProcesses(t *testing.T, bin string) []string {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc")
	}
	var pids []string
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(string(b), "\x00")
		if len(args) > 1 && args[0] == bin && args[1] == "node" {
			if syscall.Kill(atoi(e.Name()), 0) == nil {
				pids = append(pids, e.Name())
			}
		}
	}
	return pids
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestList(t *testing.T) {
	code, out := runBench(t, "list")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"memory", "raftkv", "maelstrom", "register", "append", "zipfian", "range scans"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
}

// TestInterruptLeavesNothing: a Ctrl-C in the middle of a process-mode run
// winds it down: the results are still written (marked interrupted), the
// exit status is not "failed", and no node process is left.
func TestInterruptLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "long.yaml", strings.ReplaceAll(tinyConfig, "%s", "process"))
	bin := benchBinary(t)
	out := filepath.Join(dir, "results")
	cmd := exec.Command(bin, "-config", cfg, "-duration", "60s", "-out", out)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once ops are being recorded.
	interruptWhen(t, cmd, &buf, "ops recorded", 30*time.Second, func() bool {
		hs, _ := filepath.Glob(filepath.Join(out, "*", "history.jsonl"))
		if len(hs) != 1 {
			return false
		}
		st, err := os.Stat(hs[0])
		return err == nil && st.Size() > 0
	})
	if code := cmd.ProcessState.ExitCode(); code == exitFailed || code < 0 {
		t.Fatalf("exit %d after SIGINT:\n%s", code, buf.String())
	}
	res, err := results.ReadFile(filepath.Join(resultsDir(t, buf.String()), "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Error, "interrupted") || res.MeasureS >= 60 {
		t.Fatalf("results not marked interrupted: error %q, measured %.1fs", res.Error, res.MeasureS)
	}
	if pids := nodeProcesses(t, bin); len(pids) > 0 {
		t.Fatalf("node processes left after SIGINT: %v", pids)
	}
}

// interruptWhen polls ready until it holds (failing the test after wait),
// sends the running bench SIGINT, and waits for it to exit (failing after
// wait again).
func interruptWhen(t *testing.T, cmd *exec.Cmd, out *bytes.Buffer, what string, wait time.Duration, ready func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !ready() {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("not %s within %v:\n%s", what, wait, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(wait):
		_ = cmd.Process.Kill()
		t.Fatalf("bench did not stop within %v of SIGINT:\n%s", wait, out.String())
	}
}
