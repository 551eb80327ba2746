package raft

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// ratioProposers is the concurrency of the speed target: this Raft must
// commit at least 1.5x as many commands per second as hashicorp/raft with
// 64 proposers and in-memory stores.
const ratioProposers = 64

// ratioSlice is how many commits each system makes in one turn: a few
// tens of milliseconds at the rates measured, short enough that both
// systems see the same machine load, long enough that ramp-up and drain
// at the edges of a turn weigh little.
const ratioSlice = 4096

// BenchmarkRatio64 measures the speed target robustly on a shared machine.
// It builds both three-node clusters once (this Raft with the in-memory
// persister, hashicorp/raft with in-memory stores, each over loopback TCP)
// and then alternates turns of ratioSlice commits from 64 proposers on one
// and on the other until each has made b.N commits, so that load from
// other processes falls on both alike. It reports each system's commits/s
// (its commits over the time of its own turns), their ratio (ours over
// hashicorp's) and each one's latency percentiles. Run it with a fixed
// count of commits per system, for example:
//
//	go test -run '^$' -bench Ratio64 -benchtime 200000x -count 5 ./system/raft/
//
// The work is the same on both sides: a 16-byte command (benchCmd), one
// cluster of three peers on 127.0.0.1, a commit counted when the command
// has been applied on the leader (our applyCh reader sees its index;
// hashicorp's ApplyFuture returns after its FSM applied it), and both
// services compacting their logs every few thousand entries. See
// hashicorpConfig for how hashicorp/raft is tuned.
func BenchmarkRatio64(b *testing.B) {
	ours := newRaftBench(b, false)
	defer ours.close()
	theirs := newHashicorpBench(b)
	defer theirs.close()

	const maxLatency = int64(30 * time.Second / time.Microsecond)
	oursLat := hdrhistogram.New(1, maxLatency, 3)
	theirsLat := hdrhistogram.New(1, maxLatency, 3)
	workers := make([]*hdrhistogram.Histogram, ratioProposers)
	for i := range workers {
		workers[i] = hdrhistogram.New(1, maxLatency, 3)
	}
	// turn runs n commits on bc from ratioProposers proposers, adds their
	// latencies to into and returns the time the turn took.
	turn := func(bc benchCluster, n int, into *hdrhistogram.Histogram) time.Duration {
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

	var oursTime, theirsTime time.Duration
	b.ResetTimer()
	for done, i := 0, 0; done < b.N; done, i = done+ratioSlice, i+1 {
		n := min(ratioSlice, b.N-done)
		// Alternate which system goes first, so that neither always
		// follows the other's leftovers (GC debt, followers catching up).
		if i%2 == 0 {
			oursTime += turn(ours, n, oursLat)
			theirsTime += turn(theirs, n, theirsLat)
		} else {
			theirsTime += turn(theirs, n, theirsLat)
			oursTime += turn(ours, n, oursLat)
		}
	}
	b.StopTimer()
	if oursTime <= 0 || theirsTime <= 0 {
		return
	}
	b.ReportMetric(float64(b.N)/oursTime.Seconds(), "ours-commits/s")
	b.ReportMetric(float64(b.N)/theirsTime.Seconds(), "hashicorp-commits/s")
	b.ReportMetric(theirsTime.Seconds()/oursTime.Seconds(), "ratio")
	b.ReportMetric(float64(oursLat.ValueAtQuantile(50)), "ours-p50-µs")
	b.ReportMetric(float64(oursLat.ValueAtQuantile(99)), "ours-p99-µs")
	b.ReportMetric(float64(theirsLat.ValueAtQuantile(50)), "hashicorp-p50-µs")
	b.ReportMetric(float64(theirsLat.ValueAtQuantile(99)), "hashicorp-p99-µs")
}
