package reports

import (
	"fmt"
	"os"
	"testing"

	"faultline/workloads/checker"
)

// BenchmarkBuild builds the data section of a synthetic run of
// FAULTLINE_BENCH_OPS ops (default 100,000): reading the history,
// downsampling and availability per window.
func BenchmarkBuild(b *testing.B) {
	ops := 100_000
	if s := os.Getenv("FAULTLINE_BENCH_OPS"); s != "" {
		if _, err := fmt.Sscan(s, &ops); err != nil {
			b.Fatal(err)
		}
	}
	dir := b.TempDir()
	synthRun(b, dir, synthOptions{seed: 5, ops: ops, seconds: 60, verdict: checker.Valid})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Build(dir); err != nil {
			b.Fatal(err)
		}
	}
}
