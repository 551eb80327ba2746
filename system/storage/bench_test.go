package storage

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

// BenchmarkAppendSync measures AppendLog+Sync of one 128-byte entry by each
// of n concurrent appenders, the way Raft persists before replying. An op is
// one entry made durable; fsyncs/op below 1 is group commit at work.
func BenchmarkAppendSync(b *testing.B) {
	for _, noSync := range []bool{false, true} {
		for _, n := range []int{1, 16, 64} {
			b.Run(fmt.Sprintf("nosync=%v/appenders=%d", noSync, n), func(b *testing.B) {
				benchAppendSync(b, n, 1, Options{NoSync: noSync})
			})
		}
	}
}

// BenchmarkAppendBatchSync measures a batch of 64 entries of 128 bytes per
// AppendLog+Sync from one appender, the shape of a busy Raft leader. An op
// is one batch.
func BenchmarkAppendBatchSync(b *testing.B) {
	benchAppendSync(b, 1, 64, Options{})
}

func benchAppendSync(b *testing.B, appenders, batch int, opts Options) {
	opts.SegmentSize = 16 << 20
	p := mustOpen(b, b.TempDir(), opts)
	defer mustClose(b, p)
	ents := make([][]byte, batch)
	for i := range ents {
		ents[i] = make([]byte, 128)
	}
	var (
		mu   sync.Mutex
		next = 1
		ops  atomic.Int64
		wg   sync.WaitGroup
		fail atomic.Value
	)
	b.SetBytes(int64(128 * batch))
	b.ReportAllocs()
	b.ResetTimer()
	for range appenders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ops.Add(1) <= int64(b.N) {
				mu.Lock()
				err := p.AppendLog(next, ents)
				next += batch
				mu.Unlock()
				if err == nil {
					err = p.Sync()
				}
				if err != nil {
					fail.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	if err, _ := fail.Load().(error); err != nil {
		b.Fatal(err)
	}
	st := p.Stats()
	b.ReportMetric(float64(st.Fsyncs)/float64(b.N), "fsyncs/op")
	if st.Fsyncs > 0 {
		b.ReportMetric(float64(b.N*batch)/float64(st.Fsyncs), "entries/fsync")
	}
}

// BenchmarkOpen measures recovery: opening a directory holding 100,000
// entries of 128 bytes and loading them.
func BenchmarkOpen(b *testing.B) {
	dir := b.TempDir()
	p := mustOpen(b, dir, Options{NoSync: true})
	ent := make([]byte, 128)
	for i := 0; i < 100_000; i += 100 {
		batch := make([][]byte, 100)
		for j := range batch {
			batch[j] = ent
		}
		must(b, p.AppendLog(i+1, batch))
	}
	mustClose(b, p)
	b.SetBytes(100_000 * 128)
	b.ReportAllocs()
	for b.Loop() {
		p := mustOpen(b, dir, Options{NoSync: true})
		if _, _, _, _, ents, err := p.LoadState(); err != nil || len(ents) != 100_000 {
			b.Fatalf("LoadState: %d entries, %v", len(ents), err)
		}
		mustClose(b, p)
	}
}
