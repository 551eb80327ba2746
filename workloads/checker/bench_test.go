package checker

import (
	"flag"
	"fmt"
	"sync"
	"testing"
	"time"

	"faultline/workloads/history"
)

var porcupineLimit = flag.Duration("porcupine-limit", 10*time.Second, "time limit for porcupine in benchmarks")

var (
	benchMu        sync.Mutex
	benchHistories = map[simConfig][]history.Op{}
)

// benchHistory builds (once) a history from a correct store.
func benchHistory(cfg simConfig) []history.Op {
	benchMu.Lock()
	defer benchMu.Unlock()
	if h, ok := benchHistories[cfg]; ok {
		return h
	}
	h := simulate(cfg)
	benchHistories[cfg] = h
	return h
}

func appendBenchConfig(ops, keys int) simConfig {
	return simConfig{seed: 1, workload: appendWorkload, clients: 16, ops: ops, keys: keys, readFrac: 0.5, infoFrac: 0.01, failFrac: 0.01}
}

var benchShapes = []struct{ ops, keys int }{
	{10_000, 1}, {100_000, 1}, {1_000_000, 1},
	{10_000, 1000}, {100_000, 1000}, {1_000_000, 1000},
}

// BenchmarkAppend measures the exact append check on histories of a correct
// store with 16 clients.
func BenchmarkAppend(b *testing.B) {
	onBenchShapes(b, func(b *testing.B, ops []history.Op) {
		for b.Loop() {
			res, err := CheckAppend(ops, AppendOptions{})
			if err != nil || res.Verdict != Valid {
				b.Fatalf("%v %s", err, res.Summary())
			}
		}
	})
}

// onBenchShapes runs bench as a sub-benchmark on the append history of
// each of benchShapes, counting allocations and excluding the history's
// generation from the timing.
func onBenchShapes(b *testing.B, bench func(b *testing.B, ops []history.Op)) {
	for _, s := range benchShapes {
		b.Run(fmt.Sprintf("ops=%d/keys=%d", s.ops, s.keys), func(b *testing.B) {
			ops := benchHistory(appendBenchConfig(s.ops, s.keys))
			b.ReportAllocs()
			b.ResetTimer()
			bench(b, ops)
		})
	}
}

// BenchmarkPorcupineAppend runs porcupine (KVModel, with a time limit per
// key and overall of -porcupine-limit) on the same histories; the decided
// metric is 1 when porcupine reached a verdict.
func BenchmarkPorcupineAppend(b *testing.B) {
	onBenchShapes(b, func(b *testing.B, ops []history.Op) {
		decided := 0.0
		for b.Loop() {
			res, err := CheckKV(ops, PorcupineOptions{KeyTimeout: *porcupineLimit, Timeout: *porcupineLimit})
			if err != nil || res.Verdict == Invalid {
				b.Fatalf("%v %s", err, res.Summary())
			}
			decided = 0
			if res.Verdict == Valid {
				decided = 1
			}
		}
		b.ReportMetric(decided, "decided")
	})
}

// BenchmarkPorcupineRegister checks 100,000-op histories over 1,000 keys
// with 16 clients: a KV register (get/put/append) and a cas register.
func BenchmarkPorcupineRegister(b *testing.B) {
	for _, tc := range []struct {
		name  string
		cfg   simConfig
		check func([]history.Op, PorcupineOptions) (Result, error)
	}{
		{"kv", simConfig{seed: 1, workload: kvWorkload, clients: 16, ops: 100_000, keys: 1000, readFrac: 0.5, infoFrac: 0.01, failFrac: 0.01}, CheckKV},
		{"cas", simConfig{seed: 1, workload: registerWorkload, clients: 16, ops: 100_000, keys: 1000, readFrac: 0.5, infoFrac: 0.01, failFrac: 0.01}, CheckRegister},
	} {
		b.Run(tc.name, func(b *testing.B) {
			ops := benchHistory(tc.cfg)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				res, err := tc.check(ops, PorcupineOptions{KeyTimeout: *porcupineLimit, Timeout: *porcupineLimit})
				if err != nil || res.Verdict != Valid {
					b.Fatalf("%v %s", err, res.Summary())
				}
			}
		})
	}
}
