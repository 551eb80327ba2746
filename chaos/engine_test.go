package chaos

import (
	"context"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"

	"faultline/system/backend"
	"faultline/workloads"
	"faultline/workloads/checker"
	"faultline/workloads/results"
	"faultline/workloads/runner"
)

// kvCluster is a fakeCluster that serves clients from one map, so that
// the engine can run a workload against it.
type kvCluster struct {
	*fakeCluster
	mu sync.Mutex
	kv map[string]string
}

func (c *kvCluster) Client(context.Context, int) (backend.Client, error) { return kvClient{c}, nil }

type kvClient struct{ c *kvCluster }

func (k kvClient) Get(_ context.Context, key string) (string, error) {
	k.c.mu.Lock()
	defer k.c.mu.Unlock()
	return k.c.kv[key], nil
}

func (k kvClient) Put(_ context.Context, key, v string) error {
	k.c.mu.Lock()
	defer k.c.mu.Unlock()
	k.c.kv[key] = v
	return nil
}

func (k kvClient) Append(_ context.Context, key, v string) error {
	k.c.mu.Lock()
	defer k.c.mu.Unlock()
	k.c.kv[key] += v
	return nil
}

func (kvClient) Close() error { return nil }

type kvBackend struct{ c *kvCluster }

func (kvBackend) Name() string { return "fake" }
func (b kvBackend) Start(context.Context, backend.Spec) (backend.Cluster, error) {
	return b.c, nil
}

// configNemesis parses, defaults and validates the config src and builds
// its nemesis.
func configNemesis(t *testing.T, src string) (workloads.Config, *Nemesis) {
	t.Helper()
	var cfg workloads.Config
	if err := yaml.Unmarshal([]byte(src), &cfg); err != nil {
		t.Fatal(err)
	}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	nem, err := New(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, nem
}

// runEngine runs a 1.2s kv workload on c through the engine with the
// fault schedule sched (a 0.4s recovery).
func runEngine(t *testing.T, c *kvCluster, sched string) *results.Results {
	t.Helper()
	cfg, nem := configNemesis(t, "seed: 3\nbackend: {name: fake, nodes: 3, mode: inprocess}\nworkload: {kind: kv, clients: 2, keys: 5, duration: 1200ms}\n"+
		"faults:\n  recovery: 400ms\n  schedule:\n"+sched)
	res, err := runner.Run(context.Background(), runner.Spec{Config: cfg, Backend: kvBackend{c}, Nemesis: nem, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestEngineVerdictNamesMissedWindow: through the engine, a kill that
// never takes effect makes the run's verdict unknown (exit status 2), with
// a faults check naming the window; a kill retried into effect leaves the
// run valid (exit status 0).
func TestEngineVerdictNamesMissedWindow(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fails int
		want  checker.Verdict
		text  string
	}{
		{"retried", 2, checker.Valid, "all 1 fault window(s) happened as scheduled"},
		{"never", -1, checker.Unknown, "s: never took effect after"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &kvCluster{fakeCluster: newFake(3), kv: map[string]string{}}
			c.failN["kill n1"] = tc.fails
			res := runEngine(t, c, "    - {fault: kill, nodes: [n1], at: 100ms, for: 500ms}\n")
			if res.Verdict != tc.want || res.Verdict.ExitCode() != map[checker.Verdict]int{checker.Valid: 0, checker.Unknown: 2}[tc.want] {
				t.Fatalf("verdict %v (exit %d), checks %+v", res.Verdict, res.Verdict.ExitCode(), res.Checks)
			}
			var fc *results.Check
			for i := range res.Checks {
				if res.Checks[i].Name == results.FaultsCheck {
					fc = &res.Checks[i]
				}
			}
			if fc == nil || !strings.Contains(fc.Summary, tc.text) || (tc.want == checker.Unknown && !strings.Contains(fc.Summary, "faults.schedule[0] kill at 0.")) {
				t.Fatalf("faults check %+v, want %q", fc, tc.text)
			}
			if len(res.Faults) != 1 || res.Faults[0].IntendedStartNS <= 0 {
				t.Fatalf("faults %+v", res.Faults)
			}
		})
	}
}
