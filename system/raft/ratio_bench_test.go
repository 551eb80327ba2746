package raft

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// ratioProposers is the concurrency of the speed targets: this Raft must
// commit at least 1.5x as many commands per second as etcd's Raft library
// and 2.5x as many as hashicorp/raft with 64 proposers, with a lower p99.
const ratioProposers = 64

// ratioSlice is how many commits each system makes in one turn: a few
// tens of milliseconds at the rates measured, short enough that every
// system sees the same machine load, long enough that ramp-up and drain
// at the edges of a turn weigh little.
const ratioSlice = 4096

// ratioMaxLatency bounds the latency histograms, in microseconds.
const ratioMaxLatency = int64(30 * time.Second / time.Microsecond)

// ratioContender is one system in the ratio benchmark, with what its
// turns measured.
type ratioContender struct {
	name string
	bc   benchCluster
	lat  *hdrhistogram.Histogram
	time time.Duration
}

// BenchmarkRatio64 measures the speed targets robustly on a shared
// machine. For each variant (memory: in-memory storage; fsync: a durable
// log fsynced before anything is acknowledged) it builds three three-node
// clusters once, each over loopback TCP:
//   - ours: this Raft, with MemoryPersister or system/storage's
//     FilePersister;
//   - etcd: go.etcd.io/raft/v3 driven by its Ready loop (etcdRaftBench),
//     with MemoryStorage and, for fsync, a WAL like etcd's;
//   - hashicorp: hashicorp/raft with its InmemStore or, for fsync, a
//     raft-wal-like store (hashicorpFileStore);
//
// then it rotates turns of ratioSlice commits from 64 proposers among
// them, each turn led by the next system in order, until each has made
// b.N commits, so that load from other processes falls on all alike. It
// reports each system's commits/s (its commits over the time of its own
// turns), the ratios of ours to each of the others, and each one's p50 and
// p99 latency. Run it with a fixed count of commits per system, for
// example:
//
//	go test -run '^$' -bench Ratio64 -benchtime 100000x -count 3 ./system/raft/
//
// The work is the same everywhere: a 16-byte command, a commit counted
// when the command has been applied on the leader (our applyCh reader sees
// its index; etcd's apply wakes the proposer's request ID; hashicorp's
// ApplyFuture returns after its FSM applied it), and every service
// snapshotting its log every snapshotEvery entries. See etcdConfig and
// hashicorpConfig for how the others are tuned. In the fsync variant every
// system fdatasyncs its log before it acknowledges or counts an entry:
// ours through system/storage (preallocated segments, group commit, the
// leader's sync in background), etcd's through benchWAL as etcd's WAL does
// (preallocated, synced when Ready.MustSync says so, the leader sending
// while it writes), hashicorp's through hashicorpFileStore (one sync per
// StoreLogs batch). Only ours also writes its snapshots to disk (fsynced);
// the others keep theirs in memory, which favours them.
func BenchmarkRatio64(b *testing.B) {
	for _, durable := range []bool{false, true} {
		name := "memory"
		if durable {
			name = "fsync"
		}
		b.Run(name, func(b *testing.B) { runRatio(b, durable) })
	}
}

// runRatio runs one variant of BenchmarkRatio64.
func runRatio(b *testing.B, durable bool) {
	cs := []*ratioContender{
		{name: "ours", bc: newRaftBench(b, durable)},
		{name: "etcd", bc: newEtcdRaftBench(b, durable)},
		{name: "hashicorp", bc: newHashicorpBench(b, durable)},
	}
	for _, c := range cs {
		defer c.bc.close()
		c.lat = hdrhistogram.New(1, ratioMaxLatency, 3)
	}
	workers := make([]*hdrhistogram.Histogram, ratioProposers)
	for i := range workers {
		workers[i] = hdrhistogram.New(1, ratioMaxLatency, 3)
	}
	b.ResetTimer()
	for done, i := 0, 0; done < b.N; done, i = done+ratioSlice, i+1 {
		n := min(ratioSlice, b.N-done)
		// Rotate which system goes first, so that none always follows
		// another's leftovers (GC debt, followers catching up).
		for k := range cs {
			c := cs[(i+k)%len(cs)]
			c.time += ratioTurn(b, c.bc, n, workers, c.lat)
		}
	}
	b.StopTimer()
	ours := cs[0]
	for _, c := range cs {
		if c.time <= 0 {
			return
		}
	}
	for _, c := range cs {
		b.ReportMetric(float64(b.N)/c.time.Seconds(), c.name+"-commits/s")
		b.ReportMetric(float64(c.lat.ValueAtQuantile(50)), c.name+"-p50-µs")
		b.ReportMetric(float64(c.lat.ValueAtQuantile(99)), c.name+"-p99-µs")
		if c != ours {
			b.ReportMetric(c.time.Seconds()/ours.time.Seconds(), "ratio-"+c.name)
		}
	}
}

// ratioTurn runs n commits on bc from one proposer per worker histogram,
// adds their latencies to into and returns the time the turn took.
func ratioTurn(b *testing.B, bc benchCluster, n int, workers []*hdrhistogram.Histogram, into *hdrhistogram.Histogram) time.Duration {
	var next atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	start := time.Now()
	for _, h := range workers {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				t0 := time.Now()
				if err := bc.propose(); err != nil {
					failed.Store(&err)
					return
				}
				_ = h.RecordValue(time.Since(t0).Microseconds())
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := failed.Load(); err != nil {
		b.Fatalf("propose: %v", *err)
	}
	for _, h := range workers {
		into.Merge(h)
		h.Reset()
	}
	return elapsed
}
