package raftkv

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"faultline/chaos"
	"faultline/workloads"
	"faultline/workloads/results"
	"faultline/workloads/runner"
)

// faultfsMounts lists the faultfs mounts under dir in this process's
// mount table.
func faultfsMounts(t *testing.T, dir string) []string {
	t.Helper()
	m, err := mountsUnder(dir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// mountsUnder lists the faultfs mounts under dir.
func mountsUnder(dir string) ([]string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		before, after, ok := strings.Cut(sc.Text(), " - ")
		left, right := strings.Fields(before), strings.Fields(after)
		if !ok || len(left) < 5 || len(right) < 1 || right[0] != "fuse.faultfs" {
			continue
		}
		if strings.HasPrefix(left[4], dir+"/") {
			out = append(out, left[4])
		}
	}
	return out, sc.Err()
}

// storageRun is a raftkv run in process mode under the append workload
// with a fault schedule (the "schedule:" list, indented by four spaces).
type storageRun struct {
	fsync    bool
	duration string // measured run
	recovery string
	sched    string
	// started, if set, is called with the results folder as the run
	// starts.
	started func(dir string)
}

// run runs r through the runner and the chaos controller, with the
// runner's cluster directory in a temporary directory of the test (so
// that its mounts can be looked for), and returns the results.
func (r storageRun) run(ctx context.Context, t *testing.T) (*results.Results, string) {
	t.Helper()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	src := fmt.Sprintf(`seed: 11
backend: {name: raftkv, nodes: 3, mode: process, fsync: %v}
workload: {kind: append, keys: 4, clients: 4, read_fraction: 0.3, duration: %s, timeout: 2s}
check: {linearizable: false}
faults:
  recovery: %s
  schedule:
%s`, r.fsync, r.duration, r.recovery, r.sched)
	var cfg workloads.Config
	if err := yaml.Unmarshal([]byte(src), &cfg); err != nil {
		t.Fatal(err)
	}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	nem, err := chaos.New(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := nem.CheckDeclared(Backend{}, runner.BackendSpec(&cfg)); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "results")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if r.started != nil {
		r.started(dir)
	}
	res, err := runner.Run(ctx, runner.Spec{Config: cfg, Backend: Backend{}, Nemesis: nem, Dir: dir, Exec: selfExec(t)})
	if err != nil && ctx.Err() == nil {
		t.Fatalf("run: %v", err)
	}
	if m := faultfsMounts(t, tmp); len(m) > 0 {
		t.Fatalf("mounts left after the run: %v", m)
	}
	return res, dir
}

// check returns the run's check called name, or fails the test.
func check(t *testing.T, res *results.Results, name string) results.Check {
	t.Helper()
	if c, ok := res.Check(name); ok {
		return c
	}
	t.Fatalf("no %s check in %+v", name, res.Checks)
	return results.Check{}
}

// faultsOf counts the run's fault occurrences of kind that took effect.
func faultsOf(res *results.Results, kind string) int {
	n := 0
	for _, f := range res.Faults {
		if f.Fault == kind && f.StartNS != results.NotApplied {
			n++
		}
	}
	return n
}

// nodeLogs is the text of the node logs the run kept.
func nodeLogs(t *testing.T, dir string) string {
	t.Helper()
	logs, _ := filepath.Glob(filepath.Join(dir, "logs", "*.log"))
	var b strings.Builder
	for _, l := range logs {
		data, err := os.ReadFile(l)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return b.String()
}
