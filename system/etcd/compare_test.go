package etcd

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"faultline/system/backend"
	"faultline/system/raftkv"
)

// raftkvMarker makes the test binary run as a raftkv node, for the
// side-by-side comparison.
const raftkvMarker = "raftkv-test-node"

// compareCase is one load of the comparison.
type compareCase struct {
	name  string
	fsync bool
	get   float64 // share of Gets; the rest are Puts
	zipf  bool    // zipfian keys (YCSB), else uniform
}

var compareCases = []compareCase{
	{name: "put-fsync", fsync: true},
	{name: "put-nofsync", fsync: false},
	{name: "get", fsync: true, get: 1},
	{name: "ycsb-a", fsync: true, get: 0.5, zipf: true},
}

// roundResult is one measured round.
type roundResult struct {
	opsPerSec float64
	p50, p99  time.Duration
	errors    int64
}

// TestCompareRaftKV measures etcd against raftkv side by side: 3 nodes in
// process mode, 64 closed-loop clients, 1000 keys of 100-byte values, in
// alternating short rounds (etcd, raftkv, etcd, ...) so that the disk's
// slow swings do not favour either, and prints the median of the rounds
// and the ratios. It is opt-in:
//
//	FAULTLINE_COMPARE_ROUNDS=5 FAULTLINE_COMPARE_ROUND=3s go test -run TestCompareRaftKV -v -timeout 30m ./system/etcd/
func TestCompareRaftKV(t *testing.T) {
	rounds, _ := strconv.Atoi(os.Getenv("FAULTLINE_COMPARE_ROUNDS"))
	if rounds <= 0 {
		t.Skip("set FAULTLINE_COMPARE_ROUNDS (and optionally FAULTLINE_COMPARE_ROUND, default 3s) to run")
	}
	roundLen := 3 * time.Second
	if s := os.Getenv("FAULTLINE_COMPARE_ROUND"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("FAULTLINE_COMPARE_ROUND = %q: %v", s, err)
		}
		roundLen = d
	}
	const clients = 64
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	type backendUnderTest struct {
		name string
		b    backend.Backend
		exec []string
	}
	bs := []backendUnderTest{
		{"etcd", Backend{}, []string{exe, nodeMarker}},
		{"raftkv", raftkv.Backend{}, []string{exe, raftkvMarker}},
	}
	var report strings.Builder
	fmt.Fprintf(&report, "\n%d rounds of %v per case and backend, alternating; 3 nodes (process mode), %d clients, medians of rounds\n", rounds, roundLen, clients)
	fmt.Fprintf(&report, "%-12s %-7s %10s %9s %9s %7s   %s\n", "case", "backend", "ops/s", "p50", "p99", "errors", "rounds ops/s")
	for _, fsync := range []bool{true, false} {
		clusters := make([]backend.Cluster, len(bs))
		for i, b := range bs {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			c, err := b.b.Start(ctx, backend.Spec{Nodes: 3, Mode: backend.ModeProcess, Dir: t.TempDir(), Fsync: fsync, Exec: b.exec})
			cancel()
			if err != nil {
				t.Fatalf("%s: %v", b.name, err)
			}
			clusters[i] = c
			defer c.Stop(context.Background())
		}
		for _, cc := range compareCases {
			if cc.fsync != fsync {
				continue
			}
			results := make([][]roundResult, len(bs))
			// Warm up each backend once (connections, leader, keys).
			for i := range bs {
				runRound(t, clusters[i], cc, clients, roundLen/3, int64(i))
			}
			for r := range rounds {
				for j := range bs {
					i := (r + j) % len(bs) // who goes first alternates too
					results[i] = append(results[i], runRound(t, clusters[i], cc, clients, roundLen, int64(1000*r+i)))
				}
			}
			meds := make([]roundResult, len(bs))
			for i, b := range bs {
				meds[i] = median(results[i])
				var per []string
				for _, rr := range results[i] {
					per = append(per, fmt.Sprintf("%.0f", rr.opsPerSec))
				}
				fmt.Fprintf(&report, "%-12s %-7s %10.0f %9v %9v %7d   %s\n", cc.name, b.name, meds[i].opsPerSec,
					meds[i].p50.Round(10*time.Microsecond), meds[i].p99.Round(10*time.Microsecond), meds[i].errors, strings.Join(per, " "))
			}
			fmt.Fprintf(&report, "%-12s raftkv/etcd: throughput %.2fx, p99 %.2fx (below 1 means raftkv lower)\n", cc.name,
				meds[1].opsPerSec/meds[0].opsPerSec, float64(meds[1].p99)/float64(meds[0].p99))
		}
		for _, c := range clusters {
			if err := c.Stop(context.Background()); err != nil {
				t.Error(err)
			}
		}
	}
	t.Log(report.String())
}

// median returns the round with the median throughput, with the median
// p50 and p99 of the rounds taken separately.
func median(rs []roundResult) roundResult {
	pick := func(f func(roundResult) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	var errs int64
	for _, r := range rs {
		errs += r.errors
	}
	return roundResult{
		opsPerSec: pick(func(r roundResult) float64 { return r.opsPerSec }),
		p50:       time.Duration(pick(func(r roundResult) float64 { return float64(r.p50) })),
		p99:       time.Duration(pick(func(r roundResult) float64 { return float64(r.p99) })),
		errors:    errs,
	}
}

// runRound runs clients closed-loop workers on c for d and measures them.
func runRound(t *testing.T, c backend.Cluster, cc compareCase, clients int, d time.Duration, seed int64) roundResult {
	t.Helper()
	const keys = 1000
	value := strings.Repeat("x", 100)
	cls := make([]backend.Client, clients)
	for i := range cls {
		cl, err := c.Client(context.Background(), i)
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		cls[i] = cl
	}
	var mu sync.Mutex
	all := hdrhistogram.New(1, int64(30*time.Second/time.Microsecond), 3)
	var ops, errs int64
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(d)
	for i, cl := range cls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewSource(seed*1000 + int64(i)))
			zipf := rand.NewZipf(rng, 1.01, 1, keys-1)
			h := hdrhistogram.New(1, int64(30*time.Second/time.Microsecond), 3)
			var n, e int64
			for time.Now().Before(end) {
				k := rng.Intn(keys)
				if cc.zipf {
					k = int(zipf.Uint64())
				}
				key := "key-" + strconv.Itoa(k)
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				t0 := time.Now()
				var err error
				if rng.Float64() < cc.get {
					_, err = cl.Get(ctx, key)
				} else {
					err = cl.Put(ctx, key, value)
				}
				cancel()
				if err != nil {
					e++
					continue
				}
				n++
				_ = h.RecordValue(int64(time.Since(t0) / time.Microsecond))
			}
			mu.Lock()
			all.Merge(h)
			ops += n
			errs += e
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	return roundResult{
		opsPerSec: float64(ops) / elapsed.Seconds(),
		p50:       time.Duration(all.ValueAtQuantile(50)) * time.Microsecond,
		p99:       time.Duration(all.ValueAtQuantile(99)) * time.Microsecond,
		errors:    errs,
	}
}
