package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"faultline/reports"
	"faultline/workloads/checker"
)

// TestComparisonRun runs a small comparison end to end: two backends, two
// cases (one under a kill fault), alternating rounds, then the benchmark
// page and its numbers.
func TestComparisonRun(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "cmp.yaml", `name: tiny
seed: 7
out: `+filepath.Join(dir, "results")+`
backend: {nodes: 3, mode: inprocess, fsync: false}
workload:
  keys: 20
  clients: 4
  warmup: 0s
  duration: 1500ms
  timeout: 1s
compare:
  backends: [raftkv, {name: memory, nodes: 1}]   # memory is one node
  rounds: 2
  cases:
    - name: puts
      set: {workload: {mix: {put: 1}}}
    - name: kill
      rounds: 1
      backends: [raftkv]
      set:
        workload: {duration: 3s, mix: {get: 1, put: 1}}
        faults:
          recovery: 1s
          schedule:
            - {fault: kill, target: random, at: 500ms, for: 1s}
`)
	code, out := runBench(t, "-config", cfg)
	if code != exitValid {
		t.Fatalf("exit %d\n%s", code, out)
	}
	// Runs alternate: round 1 raftkv first, round 2 memory first.
	order := regexp.MustCompile(`case (\S+), backend (\S+), round (\d)`).FindAllStringSubmatch(out, -1)
	var got []string
	for _, m := range order {
		got = append(got, m[1]+"/"+m[2]+"/"+m[3])
	}
	want := "puts/raftkv/1 puts/memory/1 kill/raftkv/1 puts/memory/2 puts/raftkv/2"
	if strings.Join(got, " ") != want {
		t.Fatalf("run order %v, want %s\n%s", got, want, out)
	}
	m := regexp.MustCompile(`comparison: (\S+compare\.html)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no comparison page in the output\n%s", out)
	}
	root := filepath.Dir(m[1])
	js, err := os.ReadFile(filepath.Join(root, "compare.json"))
	if err != nil {
		t.Fatal(err)
	}
	var bm reports.Benchmark
	if err := json.Unmarshal(js, &bm); err != nil {
		t.Fatal(err)
	}
	if len(bm.Cases) != 2 || bm.Cases[0].Name != "puts" || bm.Cases[1].Name != "kill" {
		t.Fatalf("cases %+v", bm.Cases)
	}
	puts := bm.Cases[0]
	if len(puts.Backends) != 2 || puts.Backends[0].Backend != "raftkv" || puts.Backends[1].Backend != "memory" {
		t.Fatalf("puts backends %+v", puts.Backends)
	}
	for _, b := range puts.Backends {
		if b.Rounds != 2 || b.OpsPerS <= 0 || b.Verdict != checker.Valid {
			t.Errorf("puts/%s: %d rounds, median %v ops/s, verdict %s", b.Backend, b.Rounds, b.OpsPerS, b.Verdict)
		}
		for _, d := range b.Dirs {
			if _, err := os.Stat(filepath.Join(root, d, "report.html")); err != nil {
				t.Errorf("round report: %v", err)
			}
		}
	}
	if r := puts.Backends[1].Ratio["ops"]; r != reportsRatio(puts.Backends[1].OpsPerS, puts.Backends[0].OpsPerS) {
		t.Errorf("memory/raftkv ratio %v", r)
	}
	kill := bm.Cases[1].Backends
	if len(kill) != 1 || kill[0].Backend != "raftkv" || kill[0].FaultAvailability < 0 {
		t.Errorf("kill case %+v: want raftkv with availability in the fault window", kill)
	}
	if len(kill) == 1 && (len(kill[0].Windows) != 1 || kill[0].Windows[0].Kind != "kill") {
		t.Errorf("kill case windows %+v, want one kill window", kill[0].Windows)
	}
	if !strings.Contains(out, "availability per fault window, case kill") {
		t.Errorf("no per-window availability table\n%s", out)
	}
	top, err := os.ReadFile(filepath.Join(dir, "results", "index.html"))
	if err != nil || !strings.Contains(string(top), filepath.Base(root)+"/compare.html") {
		t.Errorf("the results index does not link the comparison (%v)", err)
	}
	if !strings.Contains(out, "medians over rounds (ratios to raftkv)") {
		t.Errorf("no medians table\n%s", out)
	}
}

func reportsRatio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	r := a / b
	return float64(int64(r*1000+0.5)) / 1000
}

// TestComparisonConfigErrors: a comparison's problems are reported, with
// lines, before anything starts.
func TestComparisonConfigErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []badConfig{
		{"unknown backend", "compare:\n  backends: [raftkv, nosuch]\n", nil,
			`cfg.yaml:2: backend.name: unknown backend "nosuch", want one of`},
		{"fault schedule", "workload: {duration: 5s}\ncompare:\n  backends: [raftkv]\n  cases:\n    - name: f\n      set:\n        faults:\n          recovery: 1s\n          schedule:\n            - {fault: kill, at: 9s, for: 1s}\n", nil,
			`cfg.yaml:10: faults.schedule[0].at: at 9s is not before the final heal at 4s`},
		{"single-run flag", "compare:\n  backends: [raftkv]\n", []string{"-backend", "memory"},
			"flag -backend shapes a single run"},
		{"rounds range", "compare:\n  backends: [raftkv]\n", []string{"-rounds", "0"},
			"-rounds: 0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if out := runBadConfig(t, dir, "cfg.yaml", tc); strings.Contains(out, "starting ") {
				t.Errorf("a cluster started despite the error")
			}
		})
	}
	code, out := runBench(t, "-rounds", "2")
	if code != exitFailed || !strings.Contains(out, "-rounds applies to a config with a compare section") {
		t.Errorf("-rounds without a comparison: exit %d\n%s", code, out)
	}
}

// TestComparisonInterrupt: a Ctrl-C during a comparison stops it, leaves
// the interrupted round out of the medians, still writes the page over the
// finished rounds, and leaves no node process behind.
func TestComparisonInterrupt(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "results")
	cfg := writeFile(t, dir, "cmp.yaml", `name: stop
backend: {nodes: 3, mode: process, fsync: false}
workload: {keys: 20, clients: 4, warmup: 0s, duration: 4s, mix: {put: 1}}
compare:
  backends: [{name: memory, nodes: 1}, raftkv]
  rounds: 3
`)
	bin := benchBinary(t)
	cmd := exec.Command(bin, "-config", cfg, "-out", out)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once the second run records ops.
	interruptWhen(t, cmd, &buf, "ops recorded by the second run", 60*time.Second, func() bool {
		hs, _ := filepath.Glob(filepath.Join(out, "*", "*", "history.jsonl"))
		sort.Strings(hs)
		if len(hs) != 2 {
			return false
		}
		st, err := os.Stat(hs[1])
		return err == nil && st.Size() > 0
	})
	text := buf.String()
	if code := cmd.ProcessState.ExitCode(); code != exitFailed {
		t.Errorf("exit %d after an interrupted comparison, want %d", code, exitFailed)
	}
	if !strings.Contains(text, "left out of the comparison: interrupted") {
		t.Errorf("the interrupted round was not left out:\n%s", text)
	}
	runs, _ := filepath.Glob(filepath.Join(out, "*", "*", "results.json"))
	js, err := os.ReadFile(filepath.Join(filepath.Dir(filepath.Dir(runs[0])), "compare.json"))
	if err != nil {
		t.Fatalf("no comparison written: %v\n%s", err, text)
	}
	var bm reports.Benchmark
	if err := json.Unmarshal(js, &bm); err != nil {
		t.Fatal(err)
	}
	counted := 0
	for _, c := range bm.Cases {
		for _, b := range c.Backends {
			counted += b.Rounds
		}
	}
	if counted != len(runs)-1 {
		t.Errorf("the comparison counts %d rounds of %d runs, want all but the interrupted one", counted, len(runs))
	}
	if pids := nodeProcesses(t, bin); len(pids) > 0 {
		t.Fatalf("node processes left after SIGINT: %v", pids)
	}
}
