package runner

import (
	"context"
	"testing"
	"time"
)

// BenchmarkOpContext compares what an op's context costs: stdlib is
// context.WithTimeout and its cancel, as the bare loop does per op;
// deadlines is the worker's op contexts (deadlines.start and end).
//
//	go test -run '^$' -bench BenchmarkOpContext ./workloads/runner/
func BenchmarkOpContext(b *testing.B) {
	b.Run("stdlib", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				_ = ctx.Done()
				cancel()
			}
		})
	})
	b.Run("deadlines", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			d := newDeadlines(context.Background())
			defer d.close()
			for pb.Next() {
				c := d.start(time.Now(), 2*time.Second)
				_ = c.Done()
				d.end(c)
			}
		})
	})
}
