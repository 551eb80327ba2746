package checker

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"faultline/workloads/history"
)

// fileBenchConfig is the history BenchmarkCheckFile checks: a correct
// key/value store (gets, puts, appends; 1% of ops failed, 1% unknown)
// driven by 64 clients over 1,000 keys.
var fileBenchConfig = simConfig{seed: 1, workload: kvWorkload, clients: 64, ops: 1_000_000, keys: 1000, readFrac: 0.5, infoFrac: 0.01, failFrac: 0.01}

// benchHistoryFile writes the history of cfg with history.Writer, once, to
// a file cached in the OS temp directory, and returns its path.
func benchHistoryFile(b *testing.B, cfg simConfig) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("faultline-checkbench-v1-%d-%d-%d-%d.jsonl", cfg.seed, cfg.clients, cfg.ops, cfg.keys))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	ops := simulate(cfg)
	for i := range ops {
		ops[i].Node = "n" + strconv.Itoa(ops[i].Client%3+1) // as a harness records the serving node
	}
	tmp := path + ".tmp" + strconv.Itoa(os.Getpid())
	if err := history.WriteFile(tmp, ops, nil); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// rawOperations converts ops for porcupine as a direct user of it would:
// failed ops and reads of unknown outcome dropped, other unknown ops
// returning at +infinity, KVModel's Input.
func rawOperations(ops []history.Op) []porcupine.Operation {
	out := make([]porcupine.Operation, 0, len(ops))
	for i := range ops {
		op := &ops[i]
		if !keepForPorcupine(op) {
			continue
		}
		in := Input{Kind: op.Kind, Key: op.Key, Value: op.Value}
		ret := op.Complete
		if op.Outcome != history.OK {
			in.Unknown, ret = true, math.MaxInt64
		}
		out = append(out, porcupine.Operation{ClientId: op.Client, Input: in, Call: op.Invoke, Output: op.Output, Return: ret})
	}
	return out
}

// BenchmarkCheckFile measures what `bench check HISTORY` does with a
// 1,000,000-op, 1,000-key history file written by history.Writer (stream
// it, split it by key while decoding, pick the check, run porcupine per
// key in parallel) against raw porcupine on the same operations already in
// memory, two ways: "raw" is CheckOperations with KVModel, which splits by
// key itself and checks the keys in parallel (porcupine's own way), and
// "split" is CheckOperations on each key's operations, split beforehand
// (untimed), on GOMAXPROCS goroutines. Each round runs all three, rotating
// which goes first; the metrics are medians over rounds: the seconds of
// each, the ratios file/raw and file/split, and per contender the bytes
// and objects allocated and the peak growth of the live heap during the
// check. Run it with -benchtime=3x or more (one round per iteration).
func BenchmarkCheckFile(b *testing.B) {
	path := benchHistoryFile(b, fileBenchConfig)
	ops, _, err := history.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	raw := rawOperations(ops)
	ops = nil
	model := KVModel()
	split := model.Partition(raw)
	model.Partition = nil
	contenders := []struct {
		name string
		run  func()
	}{
		{"file", func() {
			k, err := history.ReadKeyedFile(path)
			if err != nil {
				b.Fatal(err)
			}
			c := ForKeyed(k, time.Hour)
			if res := c.Check(context.Background(), Run{Keyed: k, Events: k.Events}); res.Verdict != Valid {
				b.Fatalf("bench check: %s", res.Summary())
			}
		}},
		{"raw", func() {
			if !porcupine.CheckOperations(KVModel(), raw) {
				b.Fatal("porcupine: not linearizable")
			}
		}},
		{"split", func() {
			var bad atomic.Bool
			forEachKey(len(split), 0, func(i int) {
				if !porcupine.CheckOperations(model, split[i]) {
					bad.Store(true)
				}
			})
			if bad.Load() {
				b.Fatal("porcupine: not linearizable")
			}
		}},
	}
	ms := make([][]measure, len(contenders))
	round := 0
	for b.Loop() {
		for j := range contenders {
			c := (round + j) % len(contenders)
			ms[c] = append(ms[c], measured(contenders[c].run))
		}
		round++
	}
	for i := range ms[0] {
		b.Logf("round %d: file %v, raw %v, split %v", i, ms[0][i].elapsed.Round(time.Millisecond),
			ms[1][i].elapsed.Round(time.Millisecond), ms[2][i].elapsed.Round(time.Millisecond))
	}
	med := make([]measure, len(ms))
	for c := range ms {
		med[c] = medianOf(ms[c])
		name := contenders[c].name
		b.ReportMetric(med[c].elapsed.Seconds(), name+"-s")
		b.ReportMetric(float64(med[c].allocBytes)/(1<<20), name+"-alloc-MB")
		b.ReportMetric(float64(med[c].allocs), name+"-allocs")
		b.ReportMetric(float64(med[c].peak)/(1<<20), name+"-peak-MB")
	}
	b.ReportMetric(med[0].elapsed.Seconds()/med[1].elapsed.Seconds(), "file/raw")
	b.ReportMetric(med[0].elapsed.Seconds()/med[2].elapsed.Seconds(), "file/split")
}

// measure is one timed run of a contender.
type measure struct {
	elapsed          time.Duration
	allocBytes, peak uint64
	allocs           uint64
}

// measured runs f after a full collection and measures its time, what it
// allocated, and the peak growth of the live heap (sampled every
// millisecond) over the heap it started from.
func measured(f func()) measure {
	runtime.GC()
	samples := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}, {Name: "/gc/heap/allocs:objects"}, {Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(samples)
	bytes0, objs0, heap0 := samples[0].Value.Uint64(), samples[1].Value.Uint64(), samples[2].Value.Uint64()
	var peak uint64 // written by the sampler until it closes sampled
	stop, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	start := time.Now()
	f()
	elapsed := time.Since(start)
	close(stop)
	<-sampled
	metrics.Read(samples)
	m := measure{elapsed: elapsed, allocBytes: samples[0].Value.Uint64() - bytes0, allocs: samples[1].Value.Uint64() - objs0}
	if p := max(peak, samples[2].Value.Uint64()); p > heap0 {
		m.peak = p - heap0
	}
	return m
}

// medianOf returns the run of median time (the upper one of an even count).
func medianOf(ms []measure) measure {
	s := slices.Clone(ms)
	slices.SortFunc(s, func(a, b measure) int { return int(a.elapsed - b.elapsed) })
	return s[len(s)/2]
}
