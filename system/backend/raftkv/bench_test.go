package raftkv

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"faultline/system/backend"
)

// BenchmarkCluster measures a 3-node in-process cluster over loopback TCP
// with the durable log (fsync on, and off), for Put and Get at several
// client counts. It reports ops/s and latency percentiles in ms.
//
//	go test -run '^$' -bench BenchmarkCluster -benchtime 4000x ./system/backend/raftkv/
func BenchmarkCluster(b *testing.B) {
	for _, fsync := range []bool{true, false} {
		b.Run(fmt.Sprintf("fsync=%v", fsync), func(b *testing.B) {
			spec := backend.Spec{Nodes: 3, Mode: backend.ModeInProcess, Dir: b.TempDir(), Fsync: fsync}
			bc, err := Backend{}.Start(context.Background(), spec)
			if err != nil {
				b.Fatal(err)
			}
			defer bc.Stop(context.Background())
			for _, op := range []string{"Put", "Get"} {
				for _, clients := range []int{1, 16, 64, 256} {
					b.Run(fmt.Sprintf("%s/clients=%d", op, clients), func(b *testing.B) {
						benchOps(b, bc, op, clients)
					})
				}
			}
		})
	}
}

func benchOps(b *testing.B, bc backend.Cluster, op string, clients int) {
	cls := make([]backend.Client, clients)
	for i := range cls {
		cl, err := bc.Client(context.Background(), i)
		if err != nil {
			b.Fatal(err)
		}
		defer cl.Close()
		// Warm up: find the leader, fill the key.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := cl.Put(ctx, "key-"+strconv.Itoa(i%64), "v"); err != nil {
			cancel()
			b.Fatal(err)
		}
		cancel()
		cls[i] = cl
	}
	value := string(make([]byte, 64))
	hists := make([]*hdrhistogram.Histogram, clients)
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i, cl := range cls {
		h := hdrhistogram.New(1, int64(10*time.Second/time.Microsecond), 3)
		hists[i] = h
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := "key-" + strconv.Itoa(i%64)
			for next.Add(1) <= int64(b.N) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				t0 := time.Now()
				var err error
				if op == "Put" {
					err = cl.Put(ctx, key, value)
				} else {
					_, err = cl.Get(ctx, key)
				}
				cancel()
				if err != nil {
					failed.Add(1)
					continue
				}
				_ = h.RecordValue(int64(time.Since(t0) / time.Microsecond))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	all := hdrhistogram.New(1, int64(10*time.Second/time.Microsecond), 3)
	for _, h := range hists {
		all.Merge(h)
	}
	if f := failed.Load(); f > 0 {
		b.Errorf("%d operations failed", f)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
	b.ReportMetric(float64(all.ValueAtQuantile(50))/1000, "p50-ms")
	b.ReportMetric(float64(all.ValueAtQuantile(99))/1000, "p99-ms")
	b.ReportMetric(float64(all.ValueAtQuantile(99.9))/1000, "p99.9-ms")
}
