package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"faultline/system/backend"
	"faultline/workloads"
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
// ops/s.
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
			res, err := runner.Run(context.Background(), runner.Spec{Config: cfg, Backend: e.backend, Dir: b.TempDir()})
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
			b.ReportMetric(res.Bare.Ratio, "harness/bare")
			b.ReportMetric(res.Bare.HarnessOpsPerS, "harness-ops/s")
			b.ReportMetric(res.Bare.BareOpsPerS, "bare-ops/s")
		})
	}
}
