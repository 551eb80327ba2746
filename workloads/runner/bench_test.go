package runner

import (
	"context"
	"io"
	"syscall"
	"testing"
	"time"

	"faultline/workloads"
	"faultline/workloads/history"
)

// BenchmarkHarnessOverhead measures what the harness alone costs per op:
// 64 closed-loop clients on an in-memory fake cluster (no network), every
// op generated, timed into HDR histograms and written to a history stream.
// Its ops/s is the most any backend can be driven at on this machine;
// its cpu-ns/op, the process's CPU time per op (fake cluster included),
// is steadier than ops/s when other jobs load the machine.
func BenchmarkHarnessOverhead(b *testing.B) {
	cfg := testConfig(func(c *workloads.Config) {
		c.Workload.Clients = 64
		c.Workload.Keys = 1000
		c.Workload.Mix = workloads.Mix{Get: 0.5, Put: 0.5}
		c.Workload.Duration = 0
		c.Workload.Ops = int64(max(b.N, 1))
	})
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	res, err := drive(context.Background(), loadOptions{Config: cfg, Cluster: newFake(), History: history.NewWriter(io.Discard), Clock: history.NewClock()})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(res.Stats["all"].Count)/b.Elapsed().Seconds(), "ops/s")
	b.ReportMetric(float64(cpuTime()-cpu)/float64(res.Stats["all"].Count), "cpu-ns/op")
}

// cpuTime is the CPU time the process has used (user and system), which a
// loaded machine does not inflate as it does wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
