package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"faultline/workloads/checker"
	"faultline/workloads/results"
)

// needServers skips a test when a Debian server it runs is not on PATH,
// except in CI (CI=true), whose .ci/run installs them: there a missing
// server fails the test.
func needServers(t *testing.T, bins ...string) {
	t.Helper()
	for _, b := range bins {
		if _, err := exec.LookPath(b); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not on PATH, and CI must run this test (.ci/run installs it)", b)
			}
			t.Skipf("%s is not on PATH (apt-get install redis-server redis-sentinel etcd-server)", b)
		}
	}
}

// runExec runs the bench binary on config with a temporary directory of
// its own (TMPDIR, where the harness makes the cluster's directory), and
// fails the test if any process that inherited that environment (a node
// or anything a node forked) is still alive once bench exited.
func runExec(t *testing.T, config string, args ...string) (int, string, *results.Results) {
	t.Helper()
	tmp := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, benchBinary(t), append([]string{"-config", config, "-out", filepath.Join(tmp, "results")}, args...)...)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run bench: %v\n%s", err, out.String())
	}
	if left := processesWithEnv("TMPDIR=" + tmp); len(left) > 0 {
		t.Errorf("processes of the run left behind: %v", left)
	}
	dirs, _ := filepath.Glob(filepath.Join(tmp, "results", "*", "results.json"))
	if len(dirs) != 1 {
		return code, out.String(), nil
	}
	res, err := results.ReadFile(dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), res
}

// processesWithEnv lists the live processes whose environment holds kv.
func processesWithEnv(kv string) []string {
	ents, _ := os.ReadDir("/proc")
	var pids []string
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil || !slices.Contains(strings.Split(string(b), "\x00"), kv) {
			continue
		}
		if st, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); err == nil && !strings.Contains(string(st), ") Z ") {
			pids = append(pids, e.Name())
		}
	}
	return pids
}

// wantAnomaly runs config (with args), which has one fault window: the
// window must be applied, and the run judged invalid with an anomaly of
// kind among what its checks report.
func wantAnomaly(t *testing.T, kind checker.AnomalyKind, config string, args ...string) *results.Results {
	t.Helper()
	code, out, res := runExec(t, config, args...)
	if code != exitInvalid || res == nil {
		t.Fatalf("exit %d, want %d (invalid):\n%s", code, exitInvalid, out)
	}
	faultsApplied(t, res, 1)
	var kinds []checker.AnomalyKind
	for _, c := range res.Checks {
		for _, a := range c.Anomalies {
			kinds = append(kinds, a.Kind)
		}
	}
	if !slices.Contains(kinds, kind) {
		t.Fatalf("anomalies %v, want %v:\n%s", kinds, kind, out)
	}
	return res
}

// faultsApplied reports whether every scheduled fault of res took effect
// and was healed.
func faultsApplied(t *testing.T, res *results.Results, want int) {
	t.Helper()
	n := 0
	for _, f := range res.Faults {
		if f.StartNS != results.NotApplied && f.StopNS > f.StartNS {
			n++
		}
	}
	if n != want {
		t.Fatalf("%d fault windows applied, want %d: %+v", n, want, res.Faults)
	}
}

// TestExecRedisReplicatedStaleReads: redis-replicated.yaml reads from any
// node while a partition cuts the replicas off the primary: porcupine must
// find the history not linearizable and say where (the key, and its
// visualization of the longest linearizable prefix).
func TestExecRedisReplicatedStaleReads(t *testing.T) {
	needServers(t, "redis-server")
	res := wantAnomaly(t, checker.NonLinearizable, "../workloads/configs/redis-replicated.yaml", "-seed", "3", "-duration", "8s")
	for _, c := range res.Checks {
		if c.Name == "linearizable" {
			if c.Visualization == "" || c.Anomalies[0].Key == "" || !strings.Contains(c.Anomalies[0].Text, "porcupine") {
				t.Fatalf("the linearizability check does not explain itself: %+v", c)
			}
		}
	}
}

// TestExecRedisSentinelLosesWrites: redis-sentinel.yaml isolates the
// primary from its replicas and sentinels; the sentinels fail over while
// the old primary still acknowledges appends, which the failover then
// throws away: the append checker must report lost appends.
func TestExecRedisSentinelLosesWrites(t *testing.T) {
	needServers(t, "redis-server", "redis-sentinel", "redis-cli")
	wantAnomaly(t, checker.LostAppend, "../workloads/configs/redis-sentinel.yaml", "-seed", "5", "-duration", "13s")
}

// TestExecEtcdBinaryValid: etcd-binary.yaml, Debian's etcd members under
// the default fault schedule (leader partition, a kill, a slow lossy
// network), must stay linearizable, every fault applied.
func TestExecEtcdBinaryValid(t *testing.T) {
	needServers(t, "etcd")
	code, out, res := runExec(t, "../workloads/configs/etcd-binary.yaml", "-seed", "7")
	if code != exitValid || res == nil {
		t.Fatalf("exit %d, want %d (valid):\n%s", code, exitValid, out)
	}
	faultsApplied(t, res, 3)
}

// TestExecConfigErrors: mistakes in a cluster description are reported
// with its file and line before anything starts (no node log is made).
func TestExecConfigErrors(t *testing.T) {
	const workload = "name: bad\nbackend:\n  name: exec\n  nodes: 2\n  options:\n    cluster: cluster.yaml\nworkload:\n  kind: register\n  duration: 2s\n"
	const roles = "roles:\n  - name: a\n    count: 2\n    command: [%s]\n"
	for _, tc := range []struct {
		name, cluster, want string
	}{
		{"missing variable", "protocol: {name: resp}\n" + strings.Replace(roles, "%s", `sleep, "{{.ClientPrt}}"`, 1),
			`cluster.yaml:5: role a command: template: command[1]:1:2: executing "command[1]" at <.ClientPrt>: can't evaluate field ClientPrt`},
		{"unknown protocol", "protocol: {name: memcached}\n" + strings.Replace(roles, "%s", "sleep, 60", 1),
			`cluster.yaml:1: protocol.name: "memcached", want one of resp, etcd-v3, maelstrom-lin-kv`},
		{"binary not on PATH", "protocol: {name: resp}\n" + strings.Replace(roles, "%s", "no-such-server-xyz", 1),
			`cluster.yaml:5: role a command: program "no-such-server-xyz": exec: "no-such-server-xyz": executable file not found in $PATH`},
		{"node count", "protocol: {name: resp}\n" + strings.Replace(strings.Replace(roles, "%s", "sleep, 60", 1), "count: 2", "count: 3", 1),
			"the cluster has 3 nodes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "cluster.yaml", tc.cluster)
			cfg := writeFile(t, dir, "bad.yaml", workload)
			code, out, res := runExec(t, cfg)
			if code != exitFailed || res != nil {
				t.Fatalf("exit %d (results %v), want %d and no run:\n%s", code, res != nil, exitFailed, out)
			}
			if !strings.Contains(out, "bad.yaml:5: backend.options") || !strings.Contains(out, filepath.Join(dir, tc.want)) && !strings.Contains(out, tc.want) {
				t.Fatalf("output does not locate the error (want %q):\n%s", tc.want, out)
			}
		})
	}
}
