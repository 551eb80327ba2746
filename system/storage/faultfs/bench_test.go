package faultfs

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// BenchmarkCost measures what the file system costs against the raw
// directory underneath, side by side: each sub-benchmark alternates rounds
// on the raw directory and through the mount, and reports the median rate
// of each over the rounds and the median of the per-round ratios.
//
//	fsync: append 4 KiB and fdatasync, as a write-ahead log does (fsyncs/s)
//	write: sequential 128 KiB writes, 8 MiB a round, one fdatasync at its end (MB/s)
//
// Run: go test -run '^$' -bench BenchmarkCost -benchtime 400x ./system/storage/faultfs
func BenchmarkCost(b *testing.B) {
	if err := availableOnce(); err != nil {
		b.Fatalf("FUSE is needed: %v", err)
	}
	dir := b.TempDir()
	f, err := Mount(Config{Mountpoint: filepath.Join(dir, "data"), Backing: filepath.Join(dir, "backing")})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	raw := filepath.Join(dir, "raw")
	if err := os.Mkdir(raw, 0o755); err != nil {
		b.Fatal(err)
	}
	b.Run("fsync", func(b *testing.B) {
		block := make([]byte, 4096)
		alternate(b, "fsyncs/s", raw, f.Mountpoint(), func(file *os.File, n int) float64 {
			for range n {
				if _, err := file.Write(block); err != nil {
					b.Fatal(err)
				}
				if err := fdatasync(file); err != nil {
					b.Fatal(err)
				}
			}
			return float64(n)
		})
	})
	b.Run("write", func(b *testing.B) {
		chunk := make([]byte, 128<<10)
		for i := range chunk {
			chunk[i] = byte(i)
		}
		alternate(b, "MB/s", raw, f.Mountpoint(), func(file *os.File, n int) float64 {
			// n ops of 128 KiB; a round syncs once at its end.
			for range n {
				if _, err := file.Write(chunk); err != nil {
					b.Fatal(err)
				}
			}
			if err := fdatasync(file); err != nil {
				b.Fatal(err)
			}
			return float64(n*len(chunk)) / 1e6
		})
	})
}

// alternate runs b.N ops on each of the raw and mounted directories, in
// rounds that alternate between them (a new file each round, removed
// after it), and
// reports the medians of each side's rate (units per second) and of the
// per-round ratio mounted/raw.
func alternate(b *testing.B, unit, raw, mounted string, run func(file *os.File, n int) float64) {
	const rounds = 5
	per := max(b.N/rounds, 1)
	var rawRates, fsRates, ratios []float64
	b.ResetTimer()
	for r := range rounds {
		var rates [2]float64
		// Alternate which side goes first, so neither always follows the
		// other's writeback.
		order := [2]int{0, 1}
		if r%2 == 1 {
			order = [2]int{1, 0}
		}
		for _, side := range order {
			dir := []string{raw, mounted}[side]
			name := filepath.Join(dir, fmt.Sprint("bench-", r))
			file, err := os.Create(name)
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			units := run(file, per)
			rates[side] = units / time.Since(start).Seconds()
			file.Close()
			os.Remove(name)
		}
		rawRates, fsRates = append(rawRates, rates[0]), append(fsRates, rates[1])
		ratios = append(ratios, rates[1]/rates[0])
	}
	b.StopTimer()
	b.ReportMetric(median(rawRates), "raw-"+unit)
	b.ReportMetric(median(fsRates), "faultfs-"+unit)
	b.ReportMetric(median(ratios), "ratio")
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
