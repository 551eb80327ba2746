package elle

import (
	"flag"
	"fmt"
	"runtime"
	"testing"
	"time"

	"faultline/internal/cputime"
)

var bench1M = flag.Bool("elle.1m", false, "also benchmark a 1M-transaction history (long)")

// BenchmarkCheckAppend checks simulated strictly serializable list-append
// histories of 10k, 100k and (with -elle.1m, or without -short) 1M
// transactions against strict-serializable, and reports transactions per
// second, the CPU seconds per check (user and system, all threads: on a
// shared machine the honest cost beside wall-clock ns/op) and the heap in
// use at the end of the check. Near-linear growth
// shows as a steady txns/s across sizes.
//
//	go test -run '^$' -bench CheckAppend -benchtime 3x ./workloads/checker/elle
func BenchmarkCheckAppend(b *testing.B) {
	sizes := []int{10_000, 100_000}
	if *bench1M || !testing.Short() {
		sizes = append(sizes, 1_000_000)
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("txns=%d", n), func(b *testing.B) {
			h := genSerial(1, genConfig{txns: n, procs: 10, keys: 8, maxWrites: 16, maxLen: 4})
			runtime.GC()
			b.ReportAllocs()
			b.ResetTimer()
			var res *Result
			cpu0 := cputime.Used()
			for range b.N {
				res = Check(h, Options{})
			}
			b.StopTimer()
			b.ReportMetric((cputime.Used()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
			if res.Verdict != Valid {
				b.Fatalf("a serial history: %s\n%s", res.Summary(), res.Explain())
			}
			per := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(float64(n)/per.Seconds(), "txns/s")
			b.ReportMetric(float64(res.Stats.HeapBytes)/(1<<20), "heap-MiB")
			b.ReportMetric(float64(res.Stats.AllocBytes)/(1<<20), "check-alloc-MiB")
			b.ReportMetric(float64(res.Stats.Edges), "edges")
		})
	}
}

// BenchmarkCheckRegister checks simulated strictly serializable
// rw-register histories of 10k and 100k transactions, with and without
// Elle's linearizable-keys assumption.
//
//	go test -run '^$' -bench CheckRegister -benchtime 3x ./workloads/checker/elle
func BenchmarkCheckRegister(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		for _, lin := range []bool{false, true} {
			b.Run(fmt.Sprintf("txns=%d/linearizable-keys=%v", n, lin), func(b *testing.B) {
				h := genSerial(1, genConfig{txns: n, procs: 10, keys: 8, maxWrites: 16, maxLen: 4, register: true})
				runtime.GC()
				b.ReportAllocs()
				b.ResetTimer()
				var res *Result
				cpu0 := cputime.Used()
				for range b.N {
					res = Check(h, Options{LinearizableKeys: lin})
				}
				b.StopTimer()
				b.ReportMetric((cputime.Used()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
				if res.Verdict != Valid {
					b.Fatalf("a serial history: %s\n%s", res.Summary(), res.Explain())
				}
				b.ReportMetric(float64(res.Stats.Edges), "edges")
			})
		}
	}
}
