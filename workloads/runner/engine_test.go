package runner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"faultline/system/backend"
	"faultline/workloads"
	"faultline/workloads/checker"
	"faultline/workloads/results"
)

// fakeBackend starts a given cluster.
type fakeBackend struct{ c backend.Cluster }

func (b fakeBackend) Name() string { return "fake" }

func (b fakeBackend) Start(ctx context.Context, spec backend.Spec) (backend.Cluster, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	return b.c, nil
}

// TestRunKV: the engine as a library: a run built from values (backend,
// workload, nemesis, default checkers) returns its results and leaves
// results.json and the history in the results folder.
func TestRunKV(t *testing.T) {
	dir := t.TempDir()
	nem := &fakeNemesis{}
	res, err := Run(context.Background(), Spec{
		Config: testConfig(nil), Backend: fakeBackend{newFake()}, Nemesis: nem, Dir: dir,
		Files: map[string]string{"config": "config.yaml"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != checker.Valid || len(res.Checks) != 1 || res.Checks[0].Name != "linearizable" {
		t.Fatalf("verdict %v, checks %+v", res.Verdict, res.Checks)
	}
	if !nem.setup || !nem.healed || res.Ops["all"].Count == 0 || len(res.Events) == 0 {
		t.Fatalf("nemesis set up %v healed %v, %d ops, %d events", nem.setup, nem.healed, res.Ops["all"].Count, len(res.Events))
	}
	back, err := results.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if back.Verdict != res.Verdict || back.Files["history"] != HistoryFile || back.Files["config"] != "config.yaml" {
		t.Fatalf("results.json: verdict %v files %v", back.Verdict, back.Files)
	}
	if _, err := os.Stat(filepath.Join(dir, HistoryFile)); err != nil {
		t.Fatal(err)
	}
}

// TestRunWithoutChecksIsUnknown: nothing checked is not valid.
func TestRunWithoutChecksIsUnknown(t *testing.T) {
	res, err := Run(context.Background(), Spec{
		Config: testConfig(nil), Backend: fakeBackend{newFake()}, Dir: t.TempDir(), Checkers: []checker.Checker{},
	})
	if err != nil || res.Verdict != checker.Unknown {
		t.Fatalf("verdict %v, err %v; want unknown", res.Verdict, err)
	}
}

// TestRunWithoutOpsIsUnknown: a run that recorded no operation (here one
// interrupted before its first op) is unknown, and its check says why.
func TestRunWithoutOpsIsUnknown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Run(ctx, Spec{Config: testConfig(nil), Backend: fakeBackend{newFake()}, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Ops["all"].Count != 0 {
		t.Fatalf("%d ops recorded, want none", res.Ops["all"].Count)
	}
	if res.Verdict != checker.Unknown || len(res.Checks) != 1 || !strings.Contains(res.Checks[0].Summary, checker.NothingToCheck) {
		t.Fatalf("verdict %v, checks %+v; want unknown: %s", res.Verdict, res.Checks, checker.NothingToCheck)
	}
}

// TestRunFailedStart: a backend that cannot start fails the run, and
// results.json says so.
func TestRunFailedStart(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(nil)
	cfg.Backend.Nodes = 0 // the spec is refused
	res, err := Run(context.Background(), Spec{Config: cfg, Backend: fakeBackend{newFake()}, Dir: dir})
	if err == nil || res.Verdict != checker.Failed || res.Verdict.ExitCode() != 3 {
		t.Fatalf("verdict %v, err %v; want failed", res.Verdict, err)
	}
	if back, err := results.Read(dir); err != nil || back.Verdict != checker.Failed || back.Error == "" {
		t.Fatalf("results.json: %+v, %v", back, err)
	}
}

// fakeBatch is a batch cluster: RunJob waits until a worker has been
// killed (so the fault schedule runs while the job does), then writes the
// output and, unless ref is "none", a reference output.
type fakeBatch struct {
	ref string // "same", "differ" or "none"

	mu      sync.Mutex
	killed  chan struct{}
	kills   []string
	restart []string
}

func newFakeBatch(ref string) *fakeBatch { return &fakeBatch{ref: ref, killed: make(chan struct{})} }

var (
	_ backend.Batch  = (*fakeBatch)(nil)
	_ backend.Killer = (*fakeBatch)(nil)
)

func (b *fakeBatch) Nodes() []string { return []string{"w1", "w2", "w3"} }

func (b *fakeBatch) Client(ctx context.Context, id int) (backend.Client, error) {
	return nil, errors.New("a batch cluster has no clients")
}

func (b *fakeBatch) Stop(ctx context.Context) error { return nil }

func (b *fakeBatch) Kill(ctx context.Context, node string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.kills) == 0 {
		close(b.killed)
	}
	b.kills = append(b.kills, node)
	return nil
}

func (b *fakeBatch) Restart(ctx context.Context, node string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.restart = append(b.restart, node)
	return nil
}

func (b *fakeBatch) RunJob(ctx context.Context, job backend.JobSpec) (backend.JobReport, error) {
	select {
	case <-b.killed:
	case <-ctx.Done():
		return backend.JobReport{}, ctx.Err()
	case <-time.After(30 * time.Second):
		return backend.JobReport{}, errors.New("no worker was killed")
	}
	rep := backend.JobReport{Elapsed: time.Second, Output: job.Output, WorkersStarted: 4,
		Attempts: []backend.TaskAttempt{{Task: "map", Index: 0, Attempt: 1, Worker: "w2", End: time.Second}}}
	if err := os.WriteFile(filepath.Join(job.Output, "mr-out-0"), []byte("a 1\nb 2\n"), 0o644); err != nil {
		return rep, err
	}
	if err := os.WriteFile(filepath.Join(job.Output, "mr-out-1"), []byte("c 3\n"), 0o644); err != nil {
		return rep, err
	}
	if b.ref == "none" {
		return rep, nil
	}
	rep.Reference = filepath.Join(filepath.Dir(job.Output), "reference")
	want := "a 1\nb 2\nc 3\n"
	if b.ref == "differ" {
		want = "a 1\nb 7\nc 3\n"
	}
	if err := os.MkdirAll(rep.Reference, 0o755); err != nil {
		return rep, err
	}
	return rep, os.WriteFile(filepath.Join(rep.Reference, "mr-correct"), []byte(want), 0o644)
}

// killNemesis kills w2 as soon as it runs and restarts it at Heal, through
// the cluster's Killer power.
type killNemesis struct {
	k  backend.Killer
	id int
}

func (n *killNemesis) Setup(ctx context.Context, c backend.Cluster) error {
	k, ok := c.(backend.Killer)
	if !ok {
		return errors.New("no kill power")
	}
	n.k = k
	return nil
}

func (n *killNemesis) Run(ctx context.Context, ev *Events) error {
	if err := n.k.Kill(ctx, "w2"); err != nil {
		return err
	}
	n.id = ev.Begin("kill", []string{"w2"}, "kill w2")
	<-ctx.Done()
	return ctx.Err()
}

func (n *killNemesis) Heal(ctx context.Context, ev *Events) error {
	ev.End(n.id)
	return n.k.Restart(ctx, "w2")
}

// TestRunBatch: a workload of kind mapreduce runs its job on a cluster
// with the Batch power while the nemesis kills a worker; the output checker
// judges the job's output against its reference.
func TestRunBatch(t *testing.T) {
	for _, tc := range []struct {
		ref     string
		want    checker.Verdict
		summary string
	}{
		{"same", checker.Valid, "output equals the reference"},
		{"differ", checker.Invalid, `mr-out-0 line 2 "b 2" is not in the reference`},
		{"none", checker.Unknown, "not verified"},
	} {
		t.Run(tc.ref, func(t *testing.T) {
			in := t.TempDir()
			if err := os.WriteFile(filepath.Join(in, "pg-1.txt"), []byte("a b c"), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg := workloads.Config{Name: "job", Seed: 1,
				Backend:  workloads.Backend{Name: "fake", Nodes: 3, Mode: "inprocess"},
				Workload: workloads.Workload{Kind: workloads.KindMapReduce},
				Job:      &workloads.Job{Input: []string{filepath.Join(in, "pg-*.txt")}},
			}
			cfg.Defaults()
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
			b := newFakeBatch(tc.ref)
			dir := t.TempDir()
			res, err := Run(context.Background(), Spec{Config: cfg, Backend: fakeBackend{b}, Nemesis: &killNemesis{}, Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != tc.want || len(res.Checks) != 1 || res.Checks[0].Name != "output" ||
				!strings.Contains(res.Checks[0].Summary, tc.summary) {
				t.Fatalf("verdict %v, checks %+v; want %v with %q", res.Verdict, res.Checks, tc.want, tc.summary)
			}
			j := res.Job
			if j == nil || j.Kills != 1 || j.Workers != 3 || j.WorkersStarted != 4 || len(j.Attempts) != 1 ||
				j.Verified != (tc.ref != "none") || res.Files["output"] != OutputDir {
				t.Fatalf("job results %+v, files %v", j, res.Files)
			}
			if len(b.restart) != 1 {
				t.Fatalf("restarts %v, want w2 restarted at heal", b.restart)
			}
			back, err := results.Read(dir)
			if err != nil || back.Job == nil || back.Verdict != tc.want {
				t.Fatalf("results.json: %+v, %v", back, err)
			}
		})
	}
}

// TestRunBatchNeedsBatchPower: a mapreduce workload on a cluster without
// the Batch power fails the run, naming the backend.
func TestRunBatchNeedsBatchPower(t *testing.T) {
	cfg := workloads.Config{Name: "job", Seed: 1,
		Backend:  workloads.Backend{Name: "fake", Nodes: 1, Mode: "inprocess"},
		Workload: workloads.Workload{Kind: workloads.KindMapReduce},
		Job:      &workloads.Job{Input: []string{"x"}},
	}
	cfg.Defaults()
	res, err := Run(context.Background(), Spec{Config: cfg, Backend: fakeBackend{newFake()}, Dir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "does not run batch jobs") || res.Verdict != checker.Failed {
		t.Fatalf("verdict %v, err %v", res.Verdict, err)
	}
}
