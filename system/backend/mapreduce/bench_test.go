package mapreduce

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"faultline/internal/nodetest"
	"faultline/system/backend"
	"faultline/system/mr"
)

var (
	benchMB      = flag.Int("mr.bench-mb", 300, "size of the word-count benchmark corpus, in MB")
	benchWorkers = flag.Int("mr.bench-workers", 2, "worker processes of the word-count benchmark")
)

var benchCorpus struct {
	once  sync.Once
	dir   string
	files []string
	err   error
}

// corpusFiles writes the Gutenberg corpus, concatenated into one text and
// repeated into as many files as make about mb megabytes, once per process.
// TestMain removes it.
func corpusFiles(tb testing.TB, mb int) []string {
	tb.Helper()
	benchCorpus.once.Do(func() {
		var all bytes.Buffer
		for _, f := range gutenbergFiles(tb) {
			b, err := os.ReadFile(f)
			if err != nil {
				benchCorpus.err = err
				return
			}
			all.Write(b)
		}
		if benchCorpus.dir, benchCorpus.err = os.MkdirTemp("", "mr-bench-corpus-*"); benchCorpus.err != nil {
			return
		}
		for i := range max(1, mb<<20/all.Len()) {
			name := filepath.Join(benchCorpus.dir, fmt.Sprintf("pg-all-%03d.txt", i))
			if benchCorpus.err = os.WriteFile(name, all.Bytes(), 0o644); benchCorpus.err != nil {
				return
			}
			benchCorpus.files = append(benchCorpus.files, name)
		}
		// Write the corpus back now, so that the first measurement does
		// not compete with flushing it.
		syscall.Sync()
	})
	if benchCorpus.err != nil {
		tb.Fatal(benchCorpus.err)
	}
	return benchCorpus.files
}

// BenchmarkWordCount runs word count over the corpus repeated to about
// -mr.bench-mb megabytes as a job with -mr.bench-workers worker processes,
// then the sequential reference in this process, and reports both wall
// times and their ratio. Run it alone:
//
//	go test -run '^$' -bench WordCount -benchtime 1x ./system/backend/mapreduce
func BenchmarkWordCount(b *testing.B) {
	files := corpusFiles(b, *benchMB)
	var size int64
	for _, f := range files {
		info, _ := os.Stat(f)
		size += info.Size()
	}
	b.SetBytes(size)
	var job, seq time.Duration
	for range b.N {
		spec := backend.Spec{Nodes: *benchWorkers, Mode: backend.ModeProcess, Dir: b.TempDir(), Exec: nodetest.Exec(b, nodeMarker)}
		c, err := Backend{}.Start(context.Background(), spec)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := c.(*Cluster).RunJob(context.Background(), backend.JobSpec{App: "wc", Inputs: files, Reduce: 10, Verify: true, Output: b.TempDir()})
		c.Stop(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		job += rep.Elapsed
		seq += rep.Sequential
		b.StopTimer()
		if err := mr.CompareOutputs(rep.Output, rep.Reference); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	n := time.Duration(b.N)
	b.ReportMetric((job / n).Seconds(), "job-s")
	b.ReportMetric((seq / n).Seconds(), "seq-s")
	b.ReportMetric(float64(job)/float64(seq), "job/seq")
	b.Logf("%d files, %d MB: job %v, sequential %v, ratio %.2f", len(files), size>>20, job/n, seq/n, float64(job)/float64(seq))
}

// BenchmarkSequentialWordCount profiles the reference alone
// (-cpuprofile).
func BenchmarkSequentialWordCount(b *testing.B) {
	files := corpusFiles(b, *benchMB)
	wc, err := mr.LookupApp("wc")
	if err != nil {
		b.Fatal(err)
	}
	for range b.N {
		if err := mr.Sequential(wc, files, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
