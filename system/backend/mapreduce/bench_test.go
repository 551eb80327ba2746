package mapreduce

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
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

// BenchmarkWordCount compares word count over the corpus repeated to about
// -mr.bench-mb megabytes as a job with -mr.bench-workers worker processes
// (10 reduce tasks; the job's time is the coordinator's, from its start to
// job done, worker start-up included) with the sequential reference
// (mr.Sequential with the same Map and Reduce functions, in this process,
// as RunJob's Verify runs it). Each round starts a cluster and runs both,
// alternating which goes first, and checks the job's output against the
// reference's. The metrics are medians over rounds: job-s, seq-s,
// job/seq (the ratio of the medians) and round-job/seq (the median of each
// round's ratio, steadier when the machine's load drifts between rounds).
// Run it alone, with at least three rounds:
//
//	go test -run '^$' -bench 'WordCount$' -benchtime 3x ./system/backend/mapreduce
func BenchmarkWordCount(b *testing.B) {
	files := corpusFiles(b, *benchMB)
	var size int64
	for _, f := range files {
		info, _ := os.Stat(f)
		size += info.Size()
	}
	b.SetBytes(size)
	wc, err := mr.LookupApp("wc")
	if err != nil {
		b.Fatal(err)
	}
	var jobs, seqs []time.Duration
	round := 0
	for b.Loop() {
		dir, err := os.MkdirTemp("", "mr-bench-round-*")
		if err != nil {
			b.Fatal(err)
		}
		spec := backend.Spec{Nodes: *benchWorkers, Mode: backend.ModeProcess, Dir: dir, Exec: nodetest.Exec(b, nodeMarker)}
		bc, err := Backend{}.Start(context.Background(), spec)
		if err != nil {
			b.Fatal(err)
		}
		c := bc.(*Cluster)
		var ref, out string
		runJob := func() {
			out = filepath.Join(dir, "out")
			if err := os.Mkdir(out, 0o755); err != nil {
				b.Fatal(err)
			}
			rep, err := c.RunJob(context.Background(), backend.JobSpec{App: "wc", Inputs: files, Reduce: 10, Output: out})
			if err != nil {
				b.Fatal(err)
			}
			jobs = append(jobs, rep.Elapsed)
		}
		runSeq := func() {
			var elapsed time.Duration
			if ref, elapsed, err = c.reference(wc, files); err != nil {
				b.Fatal(err)
			}
			seqs = append(seqs, elapsed)
		}
		if round%2 == 0 {
			runJob()
			runSeq()
		} else {
			runSeq()
			runJob()
		}
		round++
		c.Stop(context.Background())
		if err := mr.CompareOutputs(out, ref); err != nil {
			b.Fatal(err)
		}
		os.RemoveAll(dir)
	}
	ratios := make([]float64, len(jobs))
	for i := range jobs {
		ratios[i] = jobs[i].Seconds() / seqs[i].Seconds()
		b.Logf("round %d: job %v, sequential %v, ratio %.2f", i, jobs[i].Round(time.Millisecond), seqs[i].Round(time.Millisecond), ratios[i])
	}
	job, seq := median(jobs), median(seqs)
	b.ReportMetric(job.Seconds(), "job-s")
	b.ReportMetric(seq.Seconds(), "seq-s")
	b.ReportMetric(job.Seconds()/seq.Seconds(), "job/seq")
	b.ReportMetric(median(ratios), "round-job/seq")
	b.Logf("%d files, %d MB, %d rounds: ratio of medians %.2f, median of round ratios %.2f", len(files), size>>20, len(jobs), job.Seconds()/seq.Seconds(), median(ratios))
}

// median returns the median of xs (the upper one of an even count).
func median[T time.Duration | float64](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
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
