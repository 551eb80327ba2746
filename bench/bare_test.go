package main

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"faultline/system/backend"
	"faultline/workloads"
	"faultline/workloads/results"
	"faultline/workloads/runner"
)

// noBare is a backend that declares no power at all.
type noBare struct{ backend.Backend }

func (noBare) Powers(backend.Spec) []backend.Power { return nil }
func (noBare) Nodes(backend.Spec) []string         { return []string{"n0"} }

// TestBareRefusedWithoutThePower: a bare section on a backend that does
// not declare the bare power is refused before anything starts, at
// bare.rounds, naming the backend; one that declares it passes.
func TestBareRefusedWithoutThePower(t *testing.T) {
	cfg := &workloads.Config{Backend: workloads.Backend{Name: "plain", Nodes: 1, Mode: "inprocess"}, Bare: &workloads.Bare{Rounds: 3}}
	fe := bareRefusal(cfg, noBare{})
	if fe == nil || fe.Path != "bare.rounds" || !strings.Contains(fe.Msg, `backend "plain" has no bare loop`) {
		t.Fatalf("refusal = %v, want bare.rounds naming the backend", fe)
	}
	reg := newRegistries()
	for _, name := range []string{"memory", "raftkv", "etcd", "shardkv"} {
		cfg.Backend.Name = name
		if fe := bareRefusal(cfg, reg.backends[name].backend); fe != nil {
			t.Errorf("%s: %v", name, fe)
		}
	}
}

// BenchmarkHarnessVsBare measures the harness's overhead on each backend,
// in process (one cluster per backend, fsync off): 64 closed-loop clients,
// 50% linearizable gets and 50% puts on 10k uniform keys of 128 B; the
// measured 6 s per b.N are six 1 s harness stretches (history recorded)
// each paired with a 1 s stretch of the backend's bare loop, the order
// alternating (config section bare). Short stretches keep the two sides
// of a round close in time, so that the load of a shared machine, which
// drifts over seconds, weighs on both alike. It reports the median
// harness/bare ratio of the rounds (goal >= 0.90) and both medians in
// ops/s, and cpu-bare/harness: the process's CPU time per op of the bare
// loop over the harness's (cluster included, as it runs in process), the
// median over pairs of rounds. On a machine loaded by other jobs, the
// wall-clock ratio swings with the CPU the process happens to get in
// each stretch; the CPU ratio does not, and is what the wall-clock ratio
// tends to when the process has the CPU to itself and is bound by it.
//
//	go test -run '^$' -bench BenchmarkHarnessVsBare -benchtime 3x ./bench/
func BenchmarkHarnessVsBare(b *testing.B) {
	reg := newRegistries()
	for _, name := range []string{"memory", "raftkv", "etcd"} {
		b.Run(name, func(b *testing.B) {
			e := reg.backends[name]
			fsync := false
			cfg := workloads.Config{
				Name: "harness-vs-bare", Seed: 1, Out: b.TempDir(),
				Backend: workloads.Backend{Name: name, Nodes: e.nodes, Mode: "inprocess", Fsync: &fsync},
				Workload: workloads.Workload{Kind: workloads.KindKV, Mix: workloads.Mix{Get: 0.5, Put: 0.5},
					Keys: 10000, Distribution: workloads.DistUniform, ValueSize: 128, Clients: 64,
					Warmup: workloads.Duration(time.Second), Duration: workloads.Duration(time.Duration(6*b.N) * time.Second)},
				Check: workloads.Check{Linearizable: new(bool)},
				Bare:  &workloads.Bare{Rounds: 6 * b.N},
			}
			cfg.Defaults()
			if err := cfg.Validate(); err != nil {
				b.Fatal(err)
			}
			var marks []cpuMark
			res, err := runner.Run(context.Background(), runner.Spec{Config: cfg, Backend: cpuBackend{e.backend, &marks}, Dir: b.TempDir()})
			if err != nil {
				b.Fatal(err)
			}
			if res.Bare == nil || len(res.Bare.Rounds) == 0 {
				b.Fatalf("no harness/bare rounds: %+v", res.Bare)
			}
			for _, r := range res.Bare.Rounds {
				b.Logf("round %d (%s first): harness %.0f ops/s, bare %.0f ops/s (%d errors), ratio %.3f",
					r.Round, r.First, r.HarnessOpsPerS, r.BareOpsPerS, r.BareErrors, r.Ratio)
			}
			if r := cpuRatios(res.Bare.Rounds, marks); len(r) > 0 {
				b.Logf("CPU per op, bare/harness, by pair of rounds: %.3f", r)
				b.ReportMetric(results.Median(r), "cpu-bare/harness")
			}
			b.ReportMetric(res.Bare.Ratio, "harness/bare")
			b.ReportMetric(res.Bare.HarnessOpsPerS, "harness-ops/s")
			b.ReportMetric(res.Bare.BareOpsPerS, "bare-ops/s")
		})
	}
}

// cpuMark is one bare stretch: the process's CPU time at its start and
// end, and its ops.
type cpuMark struct {
	start, end time.Duration
	ops        int64
}

// cpuBackend starts its backend's clusters with their bare stretches
// marked in process CPU time (cpuCluster).
type cpuBackend struct {
	backend.Backend
	marks *[]cpuMark
}

func (b cpuBackend) Start(ctx context.Context, spec backend.Spec) (backend.Cluster, error) {
	c, err := b.Backend.Start(ctx, spec)
	if err != nil {
		return nil, err
	}
	return &cpuCluster{Cluster: c, marks: b.marks}, nil
}

// cpuCluster is a cluster whose bare stretches are marked; it keeps the
// bare power and the client settings of the cluster it wraps.
type cpuCluster struct {
	backend.Cluster
	marks *[]cpuMark
}

func (c *cpuCluster) Bare(ctx context.Context, spec backend.BareSpec) (backend.BareResult, error) {
	start := processCPU()
	res, err := c.Cluster.(backend.Barer).Bare(ctx, spec)
	ops, _, _ := res.Total()
	*c.marks = append(*c.marks, cpuMark{start: start, end: processCPU(), ops: ops})
	return res, err
}

func (c *cpuCluster) ClientSettings() backend.ClientSettings {
	if cs, ok := c.Cluster.(backend.ClientSetup); ok {
		return cs.ClientSettings()
	}
	return backend.ClientSettings{}
}

// cpuRatios pairs the rounds: round k runs bare first and round k+1
// harness first, so the two harness stretches of a pair run between the
// pair's two bare stretches; each pair's ratio is the bare loop's CPU
// per op over the harness's.
func cpuRatios(rounds []results.BareRound, marks []cpuMark) []float64 {
	if len(marks) != len(rounds) {
		return nil
	}
	var out []float64
	for k := 0; k+1 < len(rounds); k += 2 {
		bareCPU := marks[k].end - marks[k].start + marks[k+1].end - marks[k+1].start
		bareOps := marks[k].ops + marks[k+1].ops
		harnessCPU := marks[k+1].start - marks[k].end
		harnessOps := rounds[k].HarnessOps + rounds[k+1].HarnessOps
		if bareOps > 0 && harnessOps > 0 && harnessCPU > 0 {
			out = append(out, results.Round((bareCPU.Seconds()/float64(bareOps))/(harnessCPU.Seconds()/float64(harnessOps)), 3))
		}
	}
	return out
}

// processCPU is the CPU time the process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
