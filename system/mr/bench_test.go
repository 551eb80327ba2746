package mr

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
		n := max(1, mb<<20/all.Len())
		for i := 0; i < n; i++ {
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

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkWordCount runs word count over the corpus repeated to about
// -mr.bench-mb megabytes as a job with -mr.bench-workers worker processes,
// then the sequential reference in this process, and reports both wall
// times, their ratio, and the CPU time each used. Run it alone:
//
//	go test -run '^$' -bench WordCount -benchtime 1x ./system/mr
func BenchmarkWordCount(b *testing.B) {
	files := corpusFiles(b, *benchMB)
	var size int64
	for _, f := range files {
		info, _ := os.Stat(f)
		size += info.Size()
	}
	b.SetBytes(size)
	app := builtinApps["wc"]
	var job, seq, jobCPU, seqCPU time.Duration
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		res, err := RunJob(context.Background(), JobConfig{App: "wc", Files: files, Workers: *benchWorkers, Dir: dir})
		if err != nil {
			b.Fatal(err)
		}
		job += res.Elapsed
		jobCPU += res.WorkerCPU
		start, cpu0 := time.Now(), cpuTime()
		if err := Sequential(app, files, io.Discard); err != nil {
			b.Fatal(err)
		}
		seq += time.Since(start)
		seqCPU += cpuTime() - cpu0
		b.StopTimer()
		if err := verify(app, files, dir, &JobResult{}); err != nil {
			b.Fatal(err)
		}
		os.RemoveAll(dir)
		b.StartTimer()
	}
	n := time.Duration(b.N)
	b.ReportMetric((job / n).Seconds(), "job-s")
	b.ReportMetric((seq / n).Seconds(), "seq-s")
	b.ReportMetric(float64(job)/float64(seq), "job/seq")
	b.ReportMetric((jobCPU / n).Seconds(), "job-cpu-s")
	b.ReportMetric((seqCPU / n).Seconds(), "seq-cpu-s")
	b.Logf("%d files, %d MB: job %v (%v CPU), sequential %v (%v CPU), ratio %.2f",
		len(files), size>>20, job/n, jobCPU/n, seq/n, seqCPU/n, float64(job)/float64(seq))
}

// BenchmarkSequentialWordCount profiles the reference alone
// (-cpuprofile).
func BenchmarkSequentialWordCount(b *testing.B) {
	files := corpusFiles(b, *benchMB)
	for i := 0; i < b.N; i++ {
		if err := Sequential(builtinApps["wc"], files, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
