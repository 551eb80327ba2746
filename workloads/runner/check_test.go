package runner

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"faultline/workloads"
	"faultline/workloads/checker"
	"faultline/workloads/history"
	"faultline/workloads/results"
)

// runAndCheck runs a workload against a fake cluster with bug b and checks
// its history as a real run does.
func runAndCheck(t *testing.T, kind string, b bug, seed uint64) []results.Check {
	t.Helper()
	cfg := testConfig(func(c *workloads.Config) {
		c.Seed = int64(seed)
		c.Workload.Kind = kind
		c.Workload.Mix = workloads.Mix{}
		c.Workload.Keys = 3
		c.Workload.Clients = 5
		c.Workload.Distribution = workloads.DistUniform
		c.Workload.Duration = 0
		c.Workload.Ops = 1500
		c.Check.TimeLimit = workloads.Duration(30 * time.Second)
	})
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "history.jsonl")
	var buf bytes.Buffer
	hw := history.NewWriter(&buf)
	if _, err := drive(context.Background(), loadOptions{Config: cfg, Cluster: newBuggy(b, seed), History: hw, Clock: history.NewClock()}); err != nil {
		t.Fatal(err)
	}
	if err := hw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return Check(context.Background(), path, nil, Checkers(&cfg), dir)
}

// TestCheckersFlagBrokenBackends: a backend that serves stale reads and one
// that loses acknowledged writes are both caught, by the linearizability
// check (register workload) and by the append checker (append workload); a
// correct backend passes both.
func TestCheckersFlagBrokenBackends(t *testing.T) {
	for _, kind := range []string{workloads.KindRegister, workloads.KindAppend} {
		for _, tc := range []struct {
			name string
			bug  bug
			want checker.Verdict
		}{{"correct", correct, checker.Valid}, {"stale-read", stale, checker.Invalid}, {"lost-write", lostWrite, checker.Invalid}} {
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				const seed = 3
				checks := runAndCheck(t, kind, tc.bug, seed)
				if got := results.Merge(checks); got != tc.want {
					t.Fatalf("seed %d: verdict %s, want %s: %+v", seed, got, tc.want, checks)
				}
				if tc.want == checker.Invalid && len(checks[0].Keys) == 0 {
					t.Fatalf("invalid without failing keys: %+v", checks[0])
				}
			})
		}
	}
}

func TestCheckHistoryPicksTheChecker(t *testing.T) {
	tok := history.Token{Client: 1, Seq: 1}.String()
	cases := []struct {
		name    string
		ops     []history.Op
		checker string
		verdict checker.Verdict
	}{
		{"append", []history.Op{
			{Client: 1, Kind: history.Append, Key: "k", Value: tok, Invoke: 0, Complete: 10, Outcome: history.OK},
			{Client: 2, Kind: history.Get, Key: "k", Output: "", Invoke: 20, Complete: 30, Outcome: history.OK},
		}, "append", checker.Invalid},
		{"register", []history.Op{
			{Client: 1, Kind: history.Write, Key: "r", Value: "1", Invoke: 0, Complete: 10, Outcome: history.OK},
			{Client: 2, Kind: history.Read, Key: "r", Output: "1", Invoke: 20, Complete: 30, Outcome: history.OK},
		}, "linearizable", checker.Valid},
		{"kv put", []history.Op{
			{Client: 1, Kind: history.Put, Key: "k", Value: "x", Invoke: 0, Complete: 10, Outcome: history.OK},
			{Client: 2, Kind: history.Get, Key: "k", Output: "", Invoke: 20, Complete: 30, Outcome: history.OK},
		}, "linearizable", checker.Invalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			run := checker.Run{Ops: tc.ops, Dir: t.TempDir()}
			got := CheckRun(context.Background(), run, []checker.Checker{checker.ForHistory(tc.ops, 10*time.Second)})
			if len(got) != 1 || got[0].Name != tc.checker || got[0].Verdict != tc.verdict {
				t.Fatalf("got %+v, want %s %s", got, tc.checker, tc.verdict)
			}
			if tc.checker == "linearizable" && tc.verdict == checker.Invalid && got[0].Visualization != checker.VisualizationFile {
				t.Fatalf("no visualization for a violation: %+v", got[0])
			}
		})
	}
}
